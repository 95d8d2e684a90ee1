//! QUOTA004 gpu-not-in-quota.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Object, Spec};
use crate::rules::quota::container_label;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "QUOTA004",
        name: "gpu-not-in-quota",
        category: Category::Quotas,
        severity: Severity::Error,
        summary: "a workload that requests GPUs (`nvidia.com/gpu`, `amd.com/gpu`, …) in a namespace that has a ResourceQuota, none of which caps that resource",
        docs: Docs {
            what: "Reports a container of a workload in a tenant namespace that asks for an \
                   accelerator — `nvidia.com/gpu` (and MIG and shared variants), `amd.com/gpu`, \
                   `gpu.intel.com/*`, `habana.ai/gaudi`, `aws.amazon.com/neuron*`, \
                   `google.com/tpu` — when the namespace has ResourceQuotas but none of them lists \
                   that resource in `hard` (as `requests.<resource>`, `limits.<resource>` or the \
                   bare name). It is reported once per container and resource, on the quantity in \
                   `limits` (or in `requests` when only that is set), with the quotas as related \
                   locations. A namespace with no quota at all gets QUOTA001 instead.",
            why: "GPUs are the scarcest and most expensive thing a shared ML cluster has. A quota \
                  that caps CPU and memory but not GPUs looks like isolation and is not: one \
                  tenant's sweep can hold every GPU of the cluster for days while the others' \
                  jobs stay pending. Extended resources are only limited when the quota names \
                  them explicitly.",
            example: "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: team-a\nspec:\n  hard:\n    requests.cpu: \"64\"\n    requests.memory: 256Gi\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        resources:\n          limits:\n            nvidia.com/gpu: 8\n",
            use_instead: "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: team-a\nspec:\n  hard:\n    requests.cpu: \"64\"\n    requests.memory: 256Gi\n    requests.nvidia.com/gpu: \"8\"\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        resources:\n          limits:\n            nvidia.com/gpu: 8\n",
            options: None,
            known_problems: Some(
                "Scoped quotas (`scopes`, `scopeSelector`) count as caps whatever their scope. \
                 GPUs allocated through dynamic resource allocation (ResourceClaims) are not \
                 seen.",
            ),
            references: Some(
                "- [Kubernetes: resource quota for extended resources](https://kubernetes.io/docs/concepts/policy/resource-quotas/#resource-quota-for-extended-resources)\n- [Kubernetes: schedule GPUs](https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/)",
            ),
        },
    },
    check: Check::Object(check),
};

/// Extended resources that name an accelerator.
pub fn is_accelerator(resource: &str) -> bool {
    let Some((vendor, name)) = resource.split_once('/') else {
        return false;
    };
    match vendor {
        "nvidia.com" => name == "gpu" || name.starts_with("gpu.") || name.starts_with("mig-"),
        "amd.com" => name == "gpu",
        "gpu.intel.com" => true,
        "habana.ai" => name == "gaudi",
        "aws.amazon.com" => name.starts_with("neuron"),
        "google.com" => name == "tpu",
        _ => false,
    }
}

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(w) = obj.workload() else { return };
    let Some(ns) = obj.namespace() else { return };
    if ctx.index.tenancy.tenant_of(ns).is_none() {
        return;
    }
    let Some(info) = ctx.index.namespaces.get(ns) else {
        return;
    };
    let quotas: Vec<_> = info
        .quotas
        .iter()
        .map(|&id| &ctx.index.objects[id])
        .filter_map(|o| match &o.spec {
            Spec::ResourceQuota(q) => Some((o, q)),
            _ => None,
        })
        .collect();
    if quotas.is_empty() {
        return;
    }
    let capped = |resource: &str| {
        quotas.iter().any(|(_, q)| {
            q.hard.iter().any(|(k, _)| {
                k == resource
                    || k.strip_prefix("requests.") == Some(resource)
                    || k.strip_prefix("limits.") == Some(resource)
            })
        })
    };
    for t in &w.templates {
        for c in &t.containers {
            let mut seen: Vec<&str> = Vec::new();
            for (resource, quantity) in c.limits.iter().chain(&c.requests) {
                if !is_accelerator(resource)
                    || seen.contains(&resource.as_str())
                    || is_zero(quantity)
                {
                    continue;
                }
                seen.push(resource);
                if capped(resource) {
                    continue;
                }
                let mut d = Diagnostic::on(
                    &RULE.meta,
                    obj,
                    quantity.span,
                    format!(
                        "{} asks for `{resource}`, but no ResourceQuota in `{ns}` caps it",
                        container_label(obj, t, c)
                    ),
                )
                .help(format!(
                    "add `requests.{resource}` to `spec.hard` of a ResourceQuota in `{ns}`"
                ));
                for (q_obj, q) in &quotas {
                    d = d.related(
                        q_obj.file,
                        q.spec_key,
                        format!("ResourceQuota `{}` caps no `{resource}`", q_obj.name()),
                    );
                }
                out.push(d);
            }
        }
    }
}

fn is_zero(quantity: &str) -> bool {
    quantity.trim().parse::<f64>() == Ok(0.0)
}

#[cfg(test)]
mod tests {
    use super::is_accelerator;
    use crate::rules::testing::{lint, positions};

    fn quota(hard: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q, namespace: t}}\nspec:\n  hard: {{{hard}}}\n---\n"
        )
    }

    const JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: t}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        resources:\n          requests: {nvidia.com/gpu: 2}\n          limits: {nvidia.com/gpu: 2, cpu: 4}\n";

    #[test]
    fn once_per_container_and_resource_on_the_limit() {
        let found = lint(
            "QUOTA004",
            &[("t.yaml", &format!("{}{JOB}", quota("requests.cpu: \"8\"")))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (17, 36));
        assert_eq!(
            found[0].3,
            "container `c` of `Job t/j` asks for `nvidia.com/gpu`, but no ResourceQuota in `t` caps it"
        );
    }

    #[test]
    fn any_spelling_of_the_cap_in_any_quota_counts() {
        for hard in [
            "requests.nvidia.com/gpu: 4",
            "limits.nvidia.com/gpu: 4",
            "nvidia.com/gpu: 4",
        ] {
            let text = format!(
                "{}{}{JOB}",
                quota("pods: \"10\""),
                quota(hard).replace("name: q", "name: g")
            );
            assert!(positions("QUOTA004", &text).is_empty(), "{hard}");
        }
    }

    #[test]
    fn no_quota_at_all_is_quota001s_business() {
        assert!(positions("QUOTA004", JOB).is_empty());
    }

    #[test]
    fn zero_gpus_and_other_resources_are_fine() {
        let job = JOB.replace("nvidia.com/gpu: 2", "nvidia.com/gpu: 0");
        assert!(positions("QUOTA004", &format!("{}{job}", quota("cpu: 1"))).is_empty());
    }

    #[test]
    fn accelerators() {
        for r in [
            "nvidia.com/gpu",
            "nvidia.com/mig-1g.5gb",
            "nvidia.com/gpu.shared",
            "amd.com/gpu",
            "gpu.intel.com/i915",
            "google.com/tpu",
            "aws.amazon.com/neuroncore",
        ] {
            assert!(is_accelerator(r), "{r}");
        }
        for r in [
            "cpu",
            "memory",
            "ephemeral-storage",
            "example.com/foo",
            "nvidia.com/rdma",
            "hugepages-2Mi",
        ] {
            assert!(!is_accelerator(r), "{r}");
        }
    }
}
