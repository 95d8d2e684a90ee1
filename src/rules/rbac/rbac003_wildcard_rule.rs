//! RBAC003 wildcard-rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{Item, RBAC_GROUP, role_of, rules_of};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC003",
        name: "wildcard-rule",
        category: Category::Rbac,
        severity: Severity::Warning,
        summary: "`*` in the verbs, resources or apiGroups of a Role or ClusterRole",
        docs: Docs {
            what: "Reports a rule of a Role or ClusterRole that lists `*` in its `verbs`, \
                   `resources` or `apiGroups`, once per rule entry, on its first `*`. Roles in \
                   platform namespaces are trusted. Aggregated ClusterRoles, whose rules a \
                   controller fills in, are not judged by their (empty) `rules`.",
            why: "A wildcard grants whatever exists, now and later: `*` verbs include `escalate`, \
                  `bind` and `impersonate`; `*` resources include secrets and every custom \
                  resource a future operator installs. A tenant's role with a wildcard is one \
                  CRD away from reading another tenant's training data.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: trainer\n  namespace: team-a\nrules:\n- apiGroups: [\"kubeflow.org\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: trainer\n  namespace: team-a\nrules:\n- apiGroups: [\"kubeflow.org\"]\n  resources: [\"pytorchjobs\", \"pytorchjobs/status\"]\n  verbs: [\"get\", \"list\", \"watch\", \"create\", \"delete\"]\n",
            options: None,
            known_problems: Some(
                "The built-in ClusterRoles (`cluster-admin`, `admin`, `edit`, `view`) are not in \
                 the linted files, so they are not reported here; bindings of them are judged by \
                 RBAC002, RBAC004 and RBAC006. `nonResourceURLs: [\"*\"]` is not reported: it \
                 reaches no tenant's objects.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices](https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if obj.group != RBAC_GROUP || !matches!(obj.kind.as_str(), "Role" | "ClusterRole") {
        return;
    }
    if *obj.kind == "Role"
        && obj
            .namespace()
            .is_some_and(|ns| ctx.index.tenancy.is_platform(ns))
    {
        return;
    }
    if role_of(obj).is_some_and(|r| r.aggregated) {
        return;
    }
    for rule in rules_of(obj) {
        let stars: Vec<(&str, Item)> = [
            ("apiGroups", &rule.api_groups),
            ("resources", &rule.resources),
            ("verbs", &rule.verbs),
        ]
        .into_iter()
        .filter_map(|(key, items)| items.iter().find(|i| i.text == "*").map(|i| (key, *i)))
        .collect();
        let Some(first) = stars
            .iter()
            .filter_map(|(_, i)| i.span)
            .min_by_key(|span| (span.start.line, span.start.col))
        else {
            continue;
        };
        let keys: Vec<String> = stars.iter().map(|(k, _)| format!("`{k}`")).collect();
        let what = match stars.iter().map(|(k, _)| *k).collect::<Vec<_>>().as_slice() {
            ["verbs"] => "every verb, `escalate`, `bind` and `impersonate` included",
            ["resources"] => "every resource of its API groups, secrets and future ones included",
            ["apiGroups"] => "these resources in every API group, including future ones",
            ["apiGroups", "resources", "verbs"] => "every verb on every resource of the API",
            _ => "far more than any workload needs",
        };
        out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                first,
                format!(
                    "a rule of {} `{}` has `*` in {}, which grants {what}",
                    *obj.kind,
                    obj.name(),
                    join_and(&keys)
                ),
            )
            .help("list the API groups, resources and verbs the rule needs"),
        );
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn role(kind: &str, ns: &str, rules: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: r\n  namespace: {ns}\nrules:\n{rules}"
        )
    }

    #[test]
    fn once_per_rule_entry_on_the_first_star() {
        let rules = "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [\"*\"]\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [get]\n";
        assert_eq!(
            positions("RBAC003", &role("Role", "team-a", rules)),
            [(9, 11), (10, 15)]
        );
        let cluster = role("ClusterRole", "x", rules);
        assert_eq!(positions("RBAC003", &cluster).len(), 2);
    }

    #[test]
    fn explicit_lists_platform_roles_and_aggregation_are_fine() {
        let exact = "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n- nonResourceURLs: [\"*\"]\n  verbs: [get]\n";
        assert!(positions("RBAC003", &role("Role", "team-a", exact)).is_empty());
        let star = "- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n";
        assert!(positions("RBAC003", &role("Role", "kube-system", star)).is_empty());
        let aggregated = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: a}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {x: y}}]\nrules: []\n";
        assert!(positions("RBAC003", aggregated).is_empty());
    }
}
