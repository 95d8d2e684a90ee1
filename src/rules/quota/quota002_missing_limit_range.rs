//! QUOTA002 missing-limit-range.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "QUOTA002",
        name: "missing-limit-range",
        category: Category::Quotas,
        severity: Severity::Warning,
        summary: "a tenant namespace without a LimitRange",
        docs: Docs {
            what: "Reports a tenant namespace — declared by a Namespace object, or used by objects \
                   of the linted set — that no LimitRange in the set covers. It is reported once \
                   per namespace: on the Namespace object's name, or else on the `namespace:` of \
                   the first object that uses it. Platform namespaces and `default` are not \
                   tenant namespaces.",
            why: "A LimitRange gives every container that forgets its requests and limits sane \
                  defaults and bounds. Without one, a container with no memory limit can use all \
                  of a node's memory and get other tenants' pods evicted, and — once the \
                  namespace has a ResourceQuota on CPU or memory — a pod without requests is \
                  rejected outright instead of getting the default.",
            example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n",
            use_instead: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\napiVersion: v1\nkind: LimitRange\nmetadata:\n  name: container-defaults\n  namespace: team-a\nspec:\n  limits:\n  - type: Container\n    defaultRequest: {cpu: 250m, memory: 512Mi}\n    default: {memory: 2Gi}\n    max: {memory: 64Gi}\n",
            options: None,
            known_problems: Some(
                "LimitRanges created outside the linted files (by an operator, or a namespace \
                 controller such as Capsule or HNC) are not seen; lint the repository that \
                 defines them together with the workloads, or turn the rule off.",
            ),
            references: Some(
                "- [Kubernetes: limit ranges](https://kubernetes.io/docs/concepts/policy/limit-range/)",
            ),
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (ns, info) in ctx.tenant_namespaces() {
        if !info.limit_ranges.is_empty() {
            continue;
        }
        if let Some(d) = ctx.namespace_finding(
            &RULE.meta,
            ns,
            format!("tenant namespace `{ns}` has no LimitRange"),
        ) {
            out.push(d.help(format!(
                "add a LimitRange in `{ns}` with default requests and limits for containers"
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn once_per_namespace_on_its_declaration() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: t}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: t\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: t}\n";
        assert_eq!(positions("QUOTA002", text), [(8, 9)]);
    }

    #[test]
    fn else_on_the_first_user_and_never_for_platform_or_default() {
        let cm = |name: &str, ns: &str| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
            )
        };
        let found = lint(
            "QUOTA002",
            &[
                ("b.yaml", &cm("b", "t")),
                ("a.yaml", &cm("a", "t")),
                ("k.yaml", &cm("k", "kube-system")),
                ("d.yaml", &cm("d", "default")),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1, found[0].2),
            ("a.yaml", 5, 14)
        );
    }

    #[test]
    fn a_limit_range_anywhere_in_the_set_counts() {
        let found = lint(
            "QUOTA002",
            &[
                (
                    "ns.yaml",
                    "apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n",
                ),
                (
                    "lr.yaml",
                    "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: t}\nspec: {limits: [{type: Container, default: {memory: 1Gi}}]}\n",
                ),
            ],
        );
        assert!(found.is_empty());
    }
}
