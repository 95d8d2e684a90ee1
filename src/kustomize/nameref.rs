//! Name references: when a build renames an object (prefix, suffix, hash),
//! the fields that refer to it by name follow (a Deployment's ConfigMap
//! volume, a RoleBinding's `roleRef`, a subject's ServiceAccount).

use super::res::{Gvk, Id, Res};
use super::transform::{split_path, visit};
use super::tree::set;
use crate::load::{Node, ScalarStyle, Value};

struct Referrer {
    gvk: Gvk,
    path: &'static str,
}

fn r(group: &str, kind: &str, path: &'static str) -> Referrer {
    Referrer {
        gvk: Gvk::new(group, "", kind),
        path,
    }
}

/// The pod spec inside each workload kind.
const POD_SPECS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn pod_fields(kinds: &[&str], fields: &[&str]) -> Vec<Referrer> {
    let mut out = Vec::new();
    for (kind, spec) in POD_SPECS {
        if !kinds.contains(kind) {
            continue;
        }
        for f in fields {
            out.push(r("", kind, leak(format!("{spec}/{f}"))));
        }
    }
    out
}

/// (the kind referred to, who refers to it and where).
fn table() -> &'static [(Gvk, Vec<Referrer>)] {
    static TABLE: std::sync::OnceLock<Vec<(Gvk, Vec<Referrer>)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let workloads = [
            "Pod",
            "PodTemplate",
            "Deployment",
            "ReplicaSet",
            "DaemonSet",
            "StatefulSet",
            "Job",
            "CronJob",
        ];
        let sa_kinds = [
            "Pod",
            "StatefulSet",
            "Deployment",
            "ReplicationController",
            "CronJob",
            "Job",
            "DaemonSet",
        ];
        let mut config_map = pod_fields(
            &workloads,
            &[
                "volumes/configMap/name",
                "containers/env/valueFrom/configMapKeyRef/name",
                "initContainers/env/valueFrom/configMapKeyRef/name",
                "containers/envFrom/configMapRef/name",
                "initContainers/envFrom/configMapRef/name",
                "volumes/projected/sources/configMap/name",
            ],
        );
        config_map.extend([
            r("", "Node", "spec/configSource/configMap"),
            r("", "Role", "rules/resourceNames"),
            r("", "ClusterRole", "rules/resourceNames"),
            r(
                "",
                "Ingress",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
            ),
        ]);
        let mut secret = pod_fields(
            &workloads,
            &[
                "volumes/secret/secretName",
                "containers/env/valueFrom/secretKeyRef/name",
                "initContainers/env/valueFrom/secretKeyRef/name",
                "containers/envFrom/secretRef/name",
                "initContainers/envFrom/secretRef/name",
                "imagePullSecrets/name",
                "volumes/projected/sources/secret/name",
            ],
        );
        secret.extend([
            r("", "Ingress", "spec/tls/secretName"),
            r(
                "",
                "Ingress",
                "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
            ),
            r(
                "",
                "Ingress",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
            ),
            r(
                "",
                "Ingress",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
            ),
            r("", "ServiceAccount", "imagePullSecrets/name"),
            r("", "StorageClass", "parameters/secretName"),
            r("", "StorageClass", "parameters/adminSecretName"),
            r("", "StorageClass", "parameters/userSecretName"),
            r("", "StorageClass", "parameters/secretRef"),
            r("", "Role", "rules/resourceNames"),
            r("", "ClusterRole", "rules/resourceNames"),
            r(
                "serving.knative.dev",
                "Service",
                "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            ),
            r("", "PersistentVolume", "spec/azureFile/secretName"),
        ]);
        let scale = |k: &str| {
            (
                Gvk::new("", "", k),
                vec![r("", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name")],
            )
        };
        vec![
            scale("Deployment"),
            scale("ReplicationController"),
            scale("ReplicaSet"),
            scale("StatefulSet"),
            (Gvk::new("", "v1", "ConfigMap"), config_map),
            (Gvk::new("", "v1", "Secret"), secret),
            (
                Gvk::new("", "v1", "Service"),
                vec![
                    r("apps", "StatefulSet", "spec/serviceName"),
                    r("", "Ingress", "spec/rules/http/paths/backend/serviceName"),
                    r("", "Ingress", "spec/backend/serviceName"),
                    r("", "Ingress", "spec/rules/http/paths/backend/service/name"),
                    r("", "Ingress", "spec/defaultBackend/service/name"),
                    r("apiregistration.k8s.io", "APIService", "spec/service/name"),
                    r(
                        "admissionregistration.k8s.io",
                        "ValidatingWebhookConfiguration",
                        "webhooks/clientConfig/service",
                    ),
                    r(
                        "admissionregistration.k8s.io",
                        "MutatingWebhookConfiguration",
                        "webhooks/clientConfig/service",
                    ),
                ],
            ),
            (
                Gvk::new("rbac.authorization.k8s.io", "", "Role"),
                vec![r(
                    "rbac.authorization.k8s.io",
                    "RoleBinding",
                    "roleRef/name",
                )],
            ),
            (
                Gvk::new("rbac.authorization.k8s.io", "", "ClusterRole"),
                vec![
                    r("rbac.authorization.k8s.io", "RoleBinding", "roleRef/name"),
                    r(
                        "rbac.authorization.k8s.io",
                        "ClusterRoleBinding",
                        "roleRef/name",
                    ),
                ],
            ),
            (Gvk::new("", "v1", "ServiceAccount"), {
                let mut v = vec![
                    r("rbac.authorization.k8s.io", "RoleBinding", "subjects"),
                    r(
                        "rbac.authorization.k8s.io",
                        "ClusterRoleBinding",
                        "subjects",
                    ),
                ];
                v.extend(pod_fields(&sa_kinds, &["serviceAccountName"]));
                v
            }),
            (
                Gvk::new("", "v1", "PersistentVolumeClaim"),
                pod_fields(&sa_kinds, &["volumes/persistentVolumeClaim/claimName"]),
            ),
            (
                Gvk::new("", "v1", "PersistentVolume"),
                vec![
                    r("", "PersistentVolumeClaim", "spec/volumeName"),
                    r("", "ClusterRole", "rules/resourceNames"),
                ],
            ),
            (
                Gvk::new("storage.k8s.io", "v1", "StorageClass"),
                vec![
                    r("", "PersistentVolume", "spec/storageClassName"),
                    r("", "PersistentVolumeClaim", "spec/storageClassName"),
                    r(
                        "",
                        "StatefulSet",
                        "spec/volumeClaimTemplates/spec/storageClassName",
                    ),
                ],
            ),
            (
                Gvk::new("scheduling.k8s.io", "v1", "PriorityClass"),
                pod_fields(&sa_kinds, &["priorityClassName"]),
            ),
            (
                Gvk::new(
                    "admissionregistration.k8s.io",
                    "",
                    "ValidatingAdmissionPolicy",
                ),
                vec![r(
                    "admissionregistration.k8s.io",
                    "ValidatingAdmissionPolicyBinding",
                    "spec/policyName",
                )],
            ),
        ]
    })
}

/// What name references need to know of a candidate.
struct Candidate {
    cur: Id,
    prev: Vec<Id>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// One list ends with the other (an empty list only matches an empty one).
fn same_ending(a: &[String], b: &[String]) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.len() == b.len();
    }
    a.iter().rev().zip(b.iter().rev()).all(|(x, y)| x == y)
}

fn affixes_equal(c: &Candidate, referrer: &Res) -> bool {
    let pre = c.prefixes.is_empty()
        || referrer.prefixes.is_empty()
        || same_ending(&c.prefixes, &referrer.prefixes);
    let suf = c.suffixes.is_empty()
        || referrer.suffixes.is_empty()
        || same_ending(&c.suffixes, &referrer.suffixes);
    pre && suf
}

struct Ctx<'a> {
    cands: &'a [Candidate],
    /// Candidates the referrer can see (same namespace, cluster-scoped…).
    visible: Vec<usize>,
    target: &'a Gvk,
    referrer: &'a Res,
    referrer_id: Id,
    role_ref: Option<Gvk>,
}

impl Ctx<'_> {
    fn select(&self, old: &str, within: &[usize], map: bool) -> Option<usize> {
        let mut c: Vec<usize> = within
            .iter()
            .copied()
            .filter(|&i| self.cands[i].prev.iter().any(|p| p.name == old))
            .filter(|&i| self.cands[i].prev.iter().any(|p| self.target.selects(p)))
            .filter(|&i| match &self.role_ref {
                Some(g) => self.cands[i].prev.iter().any(|p| g.selects(p)),
                None => true,
            })
            .filter(|&i| {
                let cur = &self.cands[i].cur;
                self.referrer_id.cluster_scoped()
                    || cur.cluster_scoped()
                    || cur.kind == "ServiceAccount"
                    || self.referrer_id.ns_equals(cur)
            })
            .collect();
        if c.len() == 1 {
            return Some(c[0]);
        }
        c.retain(|&i| affixes_equal(&self.cands[i], self.referrer));
        if c.len() > 1 {
            c.retain(|&i| {
                same_ending(&self.cands[i].prefixes, &self.referrer.prefixes)
                    && same_ending(&self.cands[i].suffixes, &self.referrer.suffixes)
            });
        }
        match c.len() {
            0 => None,
            1 => Some(c[0]),
            _ => {
                let first = &self.cands[c[0]].cur;
                let same = c.iter().all(|&i| {
                    let x = &self.cands[i].cur;
                    x.name == first.name && (!map || x.namespace == first.namespace)
                });
                same.then_some(c[0])
            }
        }
    }

    fn set_scalar(&self, node: &mut Node) {
        let Some(old) = node.as_str().map(str::to_string) else {
            return;
        };
        if let Some(i) = self.select(&old, &self.visible, false) {
            let new = &self.cands[i].cur.name;
            if *new != old {
                *node = Node::scalar(new, ScalarStyle::Quoted, node.span);
            }
        }
    }

    fn set_mapping(&self, node: &mut Node) {
        let Some(old) = node.get_str("name").map(str::to_string) else {
            return;
        };
        let within: Vec<usize> = match node.get_str("namespace") {
            None => self.visible.clone(),
            Some(ns) => {
                let by_org: Vec<usize> = self
                    .visible
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let c = &self.cands[i];
                        let org = c.prev.first().unwrap_or(&c.cur);
                        !org.cluster_scoped() && org.namespace == ns
                    })
                    .collect();
                if by_org.is_empty() {
                    self.visible
                        .iter()
                        .copied()
                        .filter(|&i| {
                            let c = &self.cands[i].cur;
                            !c.cluster_scoped() && c.namespace == ns
                        })
                        .collect()
                } else {
                    by_org
                }
            }
        };
        let Some(i) = self.select(&old, &within, true) else {
            return;
        };
        let cur = &self.cands[i].cur;
        if cur.name == old && cur.namespace.is_empty() {
            return;
        }
        let span = node.get("name").map(|n| n.span).unwrap_or(node.span);
        set(
            node,
            "name",
            Node::scalar(&cur.name, ScalarStyle::Quoted, span),
        );
        if !cur.namespace.is_empty() {
            let span = node.get("namespace").map(|n| n.span).unwrap_or(span);
            set(
                node,
                "namespace",
                Node::scalar(&cur.namespace, ScalarStyle::Quoted, span),
            );
        }
    }

    fn apply(&self, node: &mut Node) {
        match &mut node.value {
            Value::Scalar(..) => self.set_scalar(node),
            Value::Map(_) => self.set_mapping(node),
            Value::Seq(items) => {
                for item in items {
                    match item.value {
                        Value::Scalar(..) => self.set_scalar(item),
                        Value::Map(_) => self.set_mapping(item),
                        Value::Seq(_) => {}
                    }
                }
            }
        }
    }
}

fn service_account_namespaces(r: &Res) -> Vec<String> {
    let id = r.cur_id();
    if id.kind != "RoleBinding" && id.kind != "ClusterRoleBinding" {
        return Vec::new();
    }
    r.node
        .get("subjects")
        .map(|s| {
            s.items()
                .iter()
                .filter(|s| s.get_str("kind") == Some("ServiceAccount"))
                .filter_map(|s| s.get_str("namespace").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Point every reference at the current name of what it refers to.
pub fn fix(res: &mut [Res]) {
    let cands: Vec<Candidate> = res
        .iter()
        .map(|r| Candidate {
            cur: r.cur_id(),
            prev: r.prev.clone(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        })
        .collect();
    if cands.iter().all(|c| c.prev.is_empty()) {
        return;
    }
    for r in res.iter_mut() {
        let org = r.org_id();
        let referrer_id = r.cur_id();
        let mut visible: Option<Vec<usize>> = None;
        for (target, referrers) in table() {
            for spec in referrers {
                if !spec.gvk.selects(&org) {
                    continue;
                }
                let visible = visible
                    .get_or_insert_with(|| {
                        if referrer_id.cluster_scoped() {
                            return (0..cands.len()).collect();
                        }
                        let sa_ns = service_account_namespaces(r);
                        (0..cands.len())
                            .filter(|&i| {
                                let c = &cands[i].cur;
                                c.cluster_scoped()
                                    || c.ns_equals(&referrer_id)
                                    || sa_ns.contains(&c.namespace)
                            })
                            .collect()
                    })
                    .clone();
                let role_ref = spec.path.ends_with("roleRef/name").then(|| {
                    let rr = r.node.get("roleRef");
                    Gvk::new(
                        rr.and_then(|r| r.get_str("apiGroup")).unwrap_or(""),
                        "",
                        rr.and_then(|r| r.get_str("kind")).unwrap_or(""),
                    )
                });
                let referrer = r.clone_meta();
                let ctx = Ctx {
                    cands: &cands,
                    visible,
                    target,
                    referrer: &referrer,
                    referrer_id: referrer_id.clone(),
                    role_ref,
                };
                let path = split_path(spec.path);
                visit(
                    &mut r.node,
                    &path,
                    false,
                    &|| Node::scalar("", ScalarStyle::Plain, Default::default()),
                    &mut |n| ctx.apply(n),
                );
            }
        }
    }
}

impl Res {
    /// The resource without its tree (what name references compare).
    fn clone_meta(&self) -> Res {
        Res {
            node: Node::scalar("", ScalarStyle::Plain, Default::default()),
            file: self.file,
            doc: self.doc,
            prev: self.prev.clone(),
            prefixes: self.prefixes.clone(),
            suffixes: self.suffixes.clone(),
            needs_hash: self.needs_hash,
            generated: self.generated,
            written_namespace: None,
        }
    }
}
