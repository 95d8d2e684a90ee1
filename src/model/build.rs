//! Building typed objects from YAML documents.

use super::FileModel;
use super::k8s::*;
use super::mlflow::{Kustomization, mlflow_document};
use crate::load::{Document, Node};
use crate::source::{SourceFile, Span, Spanned};

/// File names that are kustomizations (not objects).
pub fn is_kustomization_file(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// Build the model of one file from its documents.
pub fn build_file(file: &SourceFile, docs: Vec<Document>) -> FileModel {
    let mut model = FileModel {
        documents: docs.len() as u32,
        ..FileModel::default()
    };
    let file_name = file.file_name();
    if is_kustomization_file(file_name) {
        for doc in &docs {
            model.kustomizations.push(Kustomization {
                file: file.id,
                dir: parent_dir(&file.display).to_string(),
                namespace: doc.root.get("namespace").and_then(Node::spanned_str),
            });
        }
        return model;
    }
    for doc in docs {
        if let Some(m) = mlflow_document(file, &doc.root) {
            model.mlflow.push(m);
            continue;
        }
        let index = doc.index;
        let root = doc.root;
        if is_list(&root) {
            let Some(items) = take_items(root) else {
                continue;
            };
            for item in items {
                if let Some(obj) = build_object(file, index, item) {
                    model.objects.push(obj);
                }
            }
        } else if let Some(obj) = build_object(file, index, root) {
            model.objects.push(obj);
        }
    }
    model
}

/// `kind: List`, or a typed list (`ConfigMapList`, `RoleBindingList`) with a
/// sequence of `items`: kubectl applies each item as an object.
pub fn is_list(root: &Node) -> bool {
    let items = root.get("items");
    match root.get_str("kind") {
        Some("List") => items.is_some(),
        Some(kind) if kind.ends_with("List") => {
            items.is_some_and(|i| matches!(i.value, crate::load::Value::Seq(_)))
        }
        _ => false,
    }
}

fn take_items(root: Node) -> Option<Vec<Node>> {
    match root.value {
        crate::load::Value::Map(entries) => entries
            .into_iter()
            .rev()
            .find(|e| e.key.as_scalar() == Some("items"))
            .map(|e| match e.value.value {
                crate::load::Value::Seq(items) => items,
                _ => Vec::new(),
            }),
        _ => None,
    }
}

pub fn parent_dir(display: &str) -> &str {
    match display.rsplit_once('/') {
        Some((dir, _)) => dir,
        None => "",
    }
}

/// A mapping with a string `kind` is a Kubernetes object (CRDs and unknown
/// kinds included); anything else is not.
pub fn build_object(file: &SourceFile, doc: u32, root: Node) -> Option<Object> {
    let kind = root.get("kind")?.spanned_str()?;
    let api_version = root.get("apiVersion").and_then(Node::spanned_str);
    let group = api_version
        .as_ref()
        .map(|v| group_of(v).to_string())
        .unwrap_or_default();
    let metadata = root.entry("metadata");
    let metadata_key = metadata.map(|e| e.key.span).unwrap_or(kind.span);
    let meta = metadata.map(|e| &e.value);
    let name = meta.and_then(|m| m.get("name")).and_then(Node::spanned_str);
    let explicit_namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::spanned_str);
    let scope = builtin_scope(&kind);
    let spec = build_spec(&root, &kind, &group);
    let _ = file;
    Some(Object {
        file: file.id,
        doc,
        root,
        api_version,
        group,
        kind,
        name,
        metadata_key,
        explicit_namespace,
        namespace: NamespaceSource::Unset,
        scope,
        spec,
    })
}

fn build_spec(root: &Node, kind: &str, group: &str) -> Spec {
    match kind {
        "Namespace" if group.is_empty() => Spec::Namespace(Namespace {
            labels: root
                .path(&["metadata", "labels"])
                .map(|l| {
                    l.entries()
                        .iter()
                        .filter_map(|e| {
                            Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        "ResourceQuota" if group.is_empty() => {
            let spec = root.entry("spec");
            Spec::ResourceQuota(ResourceQuota {
                hard: quantities(spec.and_then(|s| s.value.get("hard"))),
                scopes: spec
                    .and_then(|s| s.value.get("scopes"))
                    .map(|s| {
                        s.items()
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                spec_key: spec
                    .map(|s| s.key.span)
                    .or_else(|| root.entry("metadata").map(|m| m.key.span))
                    .unwrap_or(root.span),
            })
        }
        "LimitRange" if group.is_empty() => Spec::LimitRange(LimitRange {
            limits: root
                .path(&["spec", "limits"])
                .map(|l| {
                    l.items()
                        .iter()
                        .map(|item| LimitRangeItem {
                            kind: item.get_str("type").unwrap_or("").to_string(),
                            default: quantities(item.get("default")),
                            default_request: quantities(item.get("defaultRequest")),
                            max: quantities(item.get("max")),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        "ServiceAccount" if group.is_empty() => Spec::ServiceAccount(service_account(root)),
        _ => match workload_templates(root, kind, group) {
            Some(templates) => Spec::Workload(Workload { templates }),
            None => Spec::Other,
        },
    }
}

fn spanned_bool(node: Option<&Node>) -> Option<Spanned<bool>> {
    let node = node?;
    node.as_bool().map(|b| Spanned::new(b, node.span))
}

fn service_account(root: &Node) -> ServiceAccount {
    let annotations = root.path(&["metadata", "annotations"]);
    let cloud_identities = CLOUD_IDENTITY_ANNOTATIONS
        .iter()
        .filter_map(|key| {
            let v = annotations?.get(key)?.spanned_str()?;
            Some((key.to_string(), v))
        })
        .collect();
    ServiceAccount {
        automount_token: spanned_bool(root.get("automountServiceAccountToken")),
        cloud_identities,
    }
}

const KUBEFLOW_JOBS: &[(&str, &str)] = &[
    ("PyTorchJob", "pytorchReplicaSpecs"),
    ("TFJob", "tfReplicaSpecs"),
    ("MPIJob", "mpiReplicaSpecs"),
    ("XGBoostJob", "xgbReplicaSpecs"),
    ("PaddleJob", "paddleReplicaSpecs"),
    ("JAXJob", "jaxReplicaSpecs"),
];

/// Paths (from the object root) to every pod template of a workload kind.
fn template_paths(root: &Node, kind: &str, group: &str) -> Option<Vec<(Option<String>, Vec<Seg>)>> {
    use Seg::*;
    let core_or = |g: &str| group.is_empty() || group == g;
    let paths = match kind {
        "Pod" if group.is_empty() => vec![(None, vec![])],
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            if core_or("apps") || group == "extensions" =>
        {
            vec![(None, vec![Key("spec"), Key("template")])]
        }
        "ReplicationController" if group.is_empty() => {
            vec![(None, vec![Key("spec"), Key("template")])]
        }
        "Job" if group == "batch" => vec![(None, vec![Key("spec"), Key("template")])],
        "CronJob" if group == "batch" || group == "batch/v2alpha1" => vec![(
            None,
            vec![
                Key("spec"),
                Key("jobTemplate"),
                Key("spec"),
                Key("template"),
            ],
        )],
        "RayCluster" | "RayJob" if group == "ray.io" => {
            let base: Vec<Seg> = if kind == "RayJob" {
                vec![Key("spec"), Key("rayClusterSpec")]
            } else {
                vec![Key("spec")]
            };
            let cluster = follow(root, &base)?;
            let mut paths = Vec::new();
            if cluster.get("headGroupSpec").is_some() {
                let mut p = base.clone();
                p.extend([Key("headGroupSpec"), Key("template")]);
                paths.push((Some("head".to_string()), p));
            }
            if let Some(workers) = cluster.get("workerGroupSpecs") {
                for (i, w) in workers.items().iter().enumerate() {
                    let mut p = base.clone();
                    p.extend([Key("workerGroupSpecs"), Index(i), Key("template")]);
                    let role = w.get_str("groupName").unwrap_or("worker").to_string();
                    paths.push((Some(role), p));
                }
            }
            paths
        }
        _ => {
            let (_, replica_key) = KUBEFLOW_JOBS.iter().find(|(k, _)| *k == kind)?;
            if group != "kubeflow.org" {
                return None;
            }
            let specs = root.path(&["spec", replica_key])?;
            specs
                .entries()
                .iter()
                .filter_map(|e| {
                    let role = e.key.as_str()?.to_string();
                    Some((
                        Some(role.clone()),
                        vec![
                            Key("spec"),
                            Key(replica_key),
                            OwnedKey(role),
                            Key("template"),
                        ],
                    ))
                })
                .collect()
        }
    };
    Some(paths)
}

fn workload_templates(root: &Node, kind: &str, group: &str) -> Option<Vec<PodTemplate>> {
    let paths = template_paths(root, kind, group)?;
    let workload_app = app_of(root.path(&["metadata", "labels"]));
    let templates = paths
        .into_iter()
        .filter_map(|(role, mut path)| {
            let template = follow(root, &path)?;
            let spec_entry = template.entry("spec")?;
            path.push(Seg::Key("spec"));
            let pod_spec = &spec_entry.value;
            let app = app_of(template.path(&["metadata", "labels"])).or(workload_app.clone());
            Some(PodTemplate {
                role,
                spec_key: spec_entry.key.span,
                service_account: pod_spec
                    .get("serviceAccountName")
                    .or_else(|| pod_spec.get("serviceAccount"))
                    .and_then(Node::spanned_str),
                automount_token: spanned_bool(pod_spec.get("automountServiceAccountToken")),
                app,
                containers: containers(pod_spec, &path),
                spec_path: path,
            })
        })
        .collect();
    Some(templates)
}

/// The application a pod belongs to: `app.kubernetes.io/name`, then `app`.
fn app_of(labels: Option<&Node>) -> Option<String> {
    let labels = labels?;
    labels
        .get_str("app.kubernetes.io/name")
        .or_else(|| labels.get_str("app"))
        .map(str::to_string)
}

/// A mapping of resource names to quantities.
fn quantities(node: Option<&Node>) -> Quantities {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| {
                let v = e.value.as_str()?;
                Some((
                    e.key.as_str()?.to_string(),
                    Spanned::new(v.to_string(), e.value.span),
                ))
            })
            .collect()
    })
    .unwrap_or_default()
}

fn string_list(node: Option<&Node>) -> Vec<Spanned<String>> {
    node.map(|n| {
        n.items()
            .iter()
            .filter_map(|i| i.as_scalar().map(|s| Spanned::new(s.to_string(), i.span)))
            .collect()
    })
    .unwrap_or_default()
}

fn containers(pod_spec: &Node, spec_path: &[Seg]) -> Vec<Container> {
    let mut out = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        let Some(list) = pod_spec.get(key) else {
            continue;
        };
        for (i, c) in list.items().iter().enumerate() {
            let name_entry = c.entry("name");
            let entry_span = name_entry
                .map(|e| e.key.span)
                .unwrap_or(Span::point(c.span.start));
            let env = c
                .get("env")
                .map(|env| {
                    env.items()
                        .iter()
                        .filter_map(|e| {
                            Some(EnvVar {
                                name: e.get("name")?.spanned_str()?,
                                value: e.get("value").and_then(|v| {
                                    v.as_scalar().map(|s| Spanned::new(s.to_string(), v.span))
                                }),
                                value_from: e.get("valueFrom").is_some(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut path = spec_path.to_vec();
            path.extend([Seg::Key(key), Seg::Index(i)]);
            out.push(Container {
                name: name_entry.and_then(|e| e.value.spanned_str()),
                entry_span,
                init,
                path,
                command: string_list(c.get("command")),
                args: string_list(c.get("args")),
                env,
                requests: quantities(c.path(&["resources", "requests"])),
                limits: quantities(c.path(&["resources", "limits"])),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;
    use crate::source::FileKind;

    fn model(name: &str, text: &str) -> FileModel {
        let f = SourceFile::new(0, name.into(), name.into(), FileKind::Yaml, text.into());
        let parsed = parse_yaml(&f);
        build_file(&f, parsed.docs)
    }

    #[test]
    fn list_items_become_objects() {
        let m = model(
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n",
        );
        let kinds: Vec<_> = m.objects.iter().map(|o| o.kind.value.clone()).collect();
        assert_eq!(kinds, ["ConfigMap", "Secret"]);
        let typed = model(
            "l.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBindingList\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\n  metadata: {name: a}\n",
        );
        let kinds: Vec<_> = typed.objects.iter().map(|o| o.kind.value.clone()).collect();
        assert_eq!(kinds, ["RoleBinding"]);
        let not_a_list = model("l.yaml", "apiVersion: v1\nkind: NotAList\nitems:\n");
        assert_eq!(not_a_list.objects.len(), 1);
    }

    #[test]
    fn quotas_limit_ranges_and_resources() {
        let m = model(
            "q.yaml",
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: a}\nspec:\n  hard:\n    requests.nvidia.com/gpu: \"4\"\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: a}\nspec:\n  limits:\n  - type: Container\n    defaultRequest: {cpu: 100m}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n",
        );
        let Spec::ResourceQuota(q) = &m.objects[0].spec else {
            panic!()
        };
        assert_eq!(q.hard[0].0, "requests.nvidia.com/gpu");
        assert_eq!(q.hard[0].1.value, "4");
        let Spec::LimitRange(l) = &m.objects[1].spec else {
            panic!()
        };
        assert_eq!(l.limits[0].default_request[0].0, "cpu");
        let c = &m.objects[2].workload().unwrap().templates[0].containers[0];
        assert_eq!(c.requests[0].0, "cpu");
        assert_eq!(c.limits[0].1.value, "1Gi");
    }

    #[test]
    fn pytorch_job_templates() {
        let m = model(
            "j.yaml",
            "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: t}\nspec:\n  pytorchReplicaSpecs:\n    Master:\n      template:\n        spec:\n          serviceAccountName: trainer\n          containers: [{name: c}]\n    Worker:\n      template:\n        spec:\n          containers: [{name: c}]\n",
        );
        let w = m.objects[0].workload().unwrap();
        assert_eq!(w.templates.len(), 2);
        assert_eq!(
            w.templates[0].service_account.as_ref().unwrap().value,
            "trainer"
        );
        assert_eq!(w.templates[1].role.as_deref(), Some("Worker"));
        let spec = follow(&m.objects[0].root, &w.templates[1].spec_path).unwrap();
        assert!(spec.get("containers").is_some());
    }
}
