//! QUOTA003 missing-container-resources.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Index;
use crate::model::k8s::Quantities;
use crate::model::{Object, Spec};
use crate::rules::quota::container_label;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "QUOTA003",
        name: "missing-container-resources",
        category: Category::Quotas,
        severity: Severity::Warning,
        summary: "a container without a CPU request, a memory request or a memory limit, unless a LimitRange of its namespace supplies that default",
        docs: Docs {
            what: "Reports a container (init, ephemeral and sidecar containers included) of a \
                   workload in a tenant namespace, or whose namespace is unset, that lacks a CPU request, a memory request or a memory limit, once, \
                   on the container's `- name:` entry, naming what is missing. Kubernetes fills \
                   in some of them, and those count: a request defaults to the container's limit \
                   of the same resource; a LimitRange of type `Container` in the namespace \
                   supplies a request through `defaultRequest`, `default`, `max` or `min` and a \
                   limit through `default` or `max`; and pod-level `resources` cover every \
                   container. CPU limits are not required. For a workload whose namespace is \
                   unset, a LimitRange without namespace in the same directory (applied with it) \
                   supplies defaults. Platform namespaces are not checked.",
            why: "Requests are what the scheduler reserves and what a ResourceQuota counts: a \
                  container without them is scheduled as if it were free, lands on nodes already \
                  full of other tenants' work, and is the first to be evicted — or, in a \
                  namespace with a CPU or memory quota, is rejected. A container without a memory \
                  limit can take all of a node's memory, and the kernel's out-of-memory killer \
                  then picks among every tenant's pods on that node.",
            example: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        resources:\n          requests: {cpu: \"4\"}\n",
            use_instead: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        resources:\n          requests: {cpu: \"4\", memory: 16Gi}\n          limits: {memory: 16Gi}\n",
            options: None,
            known_problems: Some(
                "Defaults injected by admission webhooks (Kyverno or Gatekeeper mutations, \
                 Kueue) and LimitRanges created outside the linted files are not seen.",
            ),
            references: Some(
                "- [Kubernetes: resource management for pods and containers](https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/)\n- [Kubernetes: limit ranges](https://kubernetes.io/docs/concepts/policy/limit-range/)",
            ),
        },
    },
    check: Check::Object(check),
};

/// What a container must end up with, as (label, resource, is a limit).
const REQUIRED: &[(&str, &str, bool)] = &[
    ("`requests.cpu`", "cpu", false),
    ("`requests.memory`", "memory", false),
    ("`limits.memory`", "memory", true),
];

/// Resources a namespace's LimitRanges fill in for containers.
#[derive(Default)]
struct Defaults {
    requests: BTreeSet<String>,
    limits: BTreeSet<String>,
}

impl Defaults {
    /// Kubernetes' LimitRange defaulting: a missing `default` comes from `max`,
    /// a missing `defaultRequest` from `default`, then `min`.
    fn of(index: &Index, obj: &Object) -> Defaults {
        let mut d = Defaults::default();
        let ids = match obj.namespace() {
            Some(ns) => index.namespaces.get(ns).map(|info| &info.limit_ranges),
            None => index.unset_limit_ranges.get(&index.deploy_key(obj)),
        };
        let Some(ids) = ids else {
            return d;
        };
        for &id in ids {
            let obj = &index.objects[id];
            let Spec::LimitRange(lr) = &obj.spec else {
                continue;
            };
            for item in &lr.limits {
                if item.kind != "Container" {
                    continue;
                }
                let names = |q: &Quantities| q.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
                let limits = [names(&item.default), names(&item.max)].concat();
                d.requests.extend(limits.iter().cloned());
                d.requests.extend(names(&item.default_request));
                d.requests.extend(item.min.iter().cloned());
                d.limits.extend(limits);
            }
        }
        d
    }
}

fn has(q: &Quantities, resource: &str) -> bool {
    q.iter().any(|(k, _)| k == resource)
}

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(w) = obj.workload() else { return };
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    let defaults = Defaults::of(ctx.index, obj);
    let limit_range_home = match obj.namespace() {
        Some(ns) => format!("give `{ns}` a LimitRange with container defaults"),
        None => "apply a LimitRange with container defaults along with it".to_string(),
    };
    for t in &w.templates {
        // Pod-level resources (Kubernetes 1.32+) cover every container.
        let pod_has = |kind: &str, resource: &str| {
            let names = if kind == "limits" {
                &t.pod_limits
            } else {
                &t.pod_requests
            };
            names.iter().any(|n| n == resource)
        };
        for c in &t.containers {
            let missing: Vec<&str> = REQUIRED
                .iter()
                .filter(|(_, resource, is_limit)| {
                    let set = if *is_limit {
                        has(&c.limits, resource)
                            || pod_has("limits", resource)
                            || defaults.limits.contains(*resource)
                    } else {
                        // An unset request defaults to the limit.
                        has(&c.requests, resource)
                            || has(&c.limits, resource)
                            || pod_has("requests", resource)
                            || pod_has("limits", resource)
                            || defaults.requests.contains(*resource)
                    };
                    !set
                })
                .map(|(label, _, _)| *label)
                .collect();
            if missing.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    c.entry_span,
                    format!(
                        "{} sets no {} in `resources`",
                        container_label(obj, t, c),
                        join(&missing, "or")
                    ),
                )
                .help(format!(
                    "set {} in the container's `resources`, or {limit_range_home}",
                    join(&missing, "and")
                )),
            );
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join(items: &[&str], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn pod(resources: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: t}}\nspec:\n  containers:\n  - name: c\n    image: i\n{resources}---\n"
        )
    }

    #[test]
    fn once_per_container_on_its_name_entry_listing_what_is_missing() {
        let found = lint(
            "QUOTA003",
            &[("t.yaml", &pod("    resources: {requests: {cpu: 1}}\n"))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (6, 5));
        assert_eq!(
            found[0].3,
            "container `c` of `Pod t/p` sets no `requests.memory` or `limits.memory` in `resources`"
        );
    }

    #[test]
    fn requests_default_to_limits_and_cpu_limits_are_optional() {
        let text = pod("    resources: {limits: {cpu: 1, memory: 1Gi}}\n");
        assert!(positions("QUOTA003", &text).is_empty());
    }

    #[test]
    fn init_containers_count() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: t}\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: fetch\n      containers:\n      - name: c\n        resources: {requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}\n";
        assert_eq!(positions("QUOTA003", text), [(8, 9)]);
    }

    #[test]
    fn limit_range_defaults_count() {
        let lr = |item: &str| {
            format!(
                "apiVersion: v1\nkind: LimitRange\nmetadata: {{name: l, namespace: t}}\nspec:\n  limits:\n  - {item}\n---\n"
            )
        };
        let bare = pod("");
        for item in [
            "{type: Container, default: {cpu: 1, memory: 1Gi}}",
            "{type: Container, max: {cpu: 4, memory: 8Gi}}",
            "{type: Container, defaultRequest: {cpu: 1}, min: {memory: 1Gi}, default: {memory: 2Gi}}",
        ] {
            let text = format!("{}{bare}", lr(item));
            assert!(positions("QUOTA003", &text).is_empty(), "{item}");
        }
        // A Pod-type item, or a LimitRange of another namespace, supplies nothing.
        let text = format!("{}{bare}", lr("{type: Pod, max: {cpu: 4, memory: 8Gi}}"));
        assert_eq!(positions("QUOTA003", &text).len(), 1);
        let text = format!(
            "{}{bare}",
            lr("{type: Container, default: {cpu: 1, memory: 1Gi}}")
                .replace("namespace: t", "namespace: u")
        );
        assert_eq!(positions("QUOTA003", &text).len(), 1);
    }

    #[test]
    fn pod_level_resources_cover_the_containers() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n  containers:\n  - name: c\n";
        assert!(positions("QUOTA003", text).is_empty());
    }

    #[test]
    fn tenant_and_unset_namespaces_only() {
        let text = format!(
            "{}{}{}",
            pod("").replace("namespace: t", "namespace: kube-system"),
            pod("").replace("namespace: t", "namespace: default"),
            pod("").replace("namespace: t", "namespace: flux-system"),
        );
        assert!(positions("QUOTA003", &text).is_empty());
        // No namespace: it lands in a tenant's namespace as likely as not.
        let unset = pod("").replace(", namespace: t", "");
        assert_eq!(positions("QUOTA003", &unset), [(6, 5)]);
        // A LimitRange applied with it supplies the defaults.
        let limits = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n    default: {memory: 1Gi}\n    defaultRequest: {cpu: 100m, memory: 1Gi}\n---\n";
        assert!(positions("QUOTA003", &format!("{unset}{limits}")).is_empty());
    }
}
