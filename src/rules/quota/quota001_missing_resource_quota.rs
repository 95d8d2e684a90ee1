//! QUOTA001 missing-resource-quota.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "QUOTA001",
        name: "missing-resource-quota",
        category: Category::Quotas,
        severity: Severity::Error,
        summary: "a tenant namespace without a ResourceQuota",
        docs: Docs {
            what: "Reports a tenant namespace — declared by a Namespace object, or used by objects \
                   of the linted set — that no ResourceQuota in the set constrains. It is reported \
                   once per namespace: on the Namespace object's name, or else on the `namespace:` \
                   of the first object that uses it. Platform namespaces and `default` are not \
                   tenant namespaces.",
            why: "Without a quota one tenant's runaway training job or hyper-parameter sweep can \
                  take every GPU, CPU and byte of memory the cluster has, and the other tenants' \
                  pods stay pending. A quota is what makes a shared cluster shared.",
            example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n",
            use_instead: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: team-a\nspec:\n  hard:\n    requests.cpu: \"64\"\n    requests.memory: 256Gi\n    limits.memory: 256Gi\n    requests.nvidia.com/gpu: \"4\"\n",
            options: None,
            known_problems: Some(
                "Quotas created outside the linted files (by an operator, or a namespace \
                 controller such as Capsule or HNC) are not seen; lint the repository that \
                 defines them together with the workloads, or turn the rule off.",
            ),
            references: Some(
                "- [Kubernetes: resource quotas](https://kubernetes.io/docs/concepts/policy/resource-quotas/)",
            ),
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (ns, info) in ctx.tenant_namespaces() {
        if !info.quotas.is_empty() {
            continue;
        }
        if let Some(d) = ctx.namespace_finding(
            &RULE.meta,
            ns,
            format!("tenant namespace `{ns}` has no ResourceQuota"),
        ) {
            out.push(d.help(format!(
                "add a ResourceQuota in `{ns}` that caps CPU, memory and GPUs"
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn once_per_namespace_on_its_declaration() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: t}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: t\n";
        assert_eq!(positions("QUOTA001", text), [(8, 9)]);
    }

    #[test]
    fn else_on_the_first_user_by_path_then_line() {
        let cm = |name: &str| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: t\n")
        };
        let found = lint("QUOTA001", &[("b.yaml", &cm("b")), ("a.yaml", &cm("a"))]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1, found[0].2),
            ("a.yaml", 5, 14)
        );
    }

    #[test]
    fn a_quota_anywhere_in_the_set_counts() {
        let found = lint(
            "QUOTA001",
            &[
                (
                    "ns.yaml",
                    "apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n",
                ),
                (
                    "q.yaml",
                    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: t}\nspec: {hard: {pods: \"10\"}}\n",
                ),
            ],
        );
        assert!(found.is_empty());
    }
}
