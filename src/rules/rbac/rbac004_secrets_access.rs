//! RBAC004 secrets-access.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{Binding, Owner, Resolved, owner, resolve};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC004",
        name: "secrets-access",
        category: Category::Rbac,
        severity: Severity::Warning,
        summary: "a role that can get/list/watch secrets, bound cluster-wide or across tenants",
        docs: Docs {
            what: "Reports, on its `roleRef.name`, a binding of a role that can `get`, `list` or \
                   `watch` secrets (of the core API group, not narrowed by `resourceNames`) when \
                   it reaches beyond a tenant: a ClusterRoleBinding to a tenant subject, or a \
                   RoleBinding to a subject of another tenant than its namespace (or to a \
                   tenant's subject in a platform namespace). Roles of the set and the built-in \
                   `cluster-admin`, `admin` and `edit` are known.",
            why: "Secrets hold the credentials that tenancy is built on: object-store keys for \
                  training data, model-registry tokens, service account tokens. A tenant that \
                  can read them in every namespace, or in another tenant's, can become that \
                  tenant.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: credentials-reader\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  verbs: [\"get\", \"list\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: team-a-credentials\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: credentials-reader\nsubjects:\n- kind: ServiceAccount\n  name: trainer\n  namespace: team-a\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: credentials-reader\n  namespace: team-a\nrules:\n- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  resourceNames: [\"s3-training-data\"]\n  verbs: [\"get\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: credentials\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: credentials-reader\nsubjects:\n- kind: ServiceAccount\n  name: trainer\n  namespace: team-a\n",
            options: None,
            known_problems: Some(
                "Roles neither in the linted set nor built in are unknown and not judged. Users \
                 and groups count only when `subjects:` in the config maps them to a tenant; \
                 the groups that stand for everybody are RBAC005's.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices, listing secrets](https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(b) = Binding::of(obj) else { return };
    let tenancy = &ctx.index.tenancy;
    // The tenant of a RoleBinding's namespace: `Some(None)` for a platform
    // namespace; a binding in `default` or nowhere is not judged.
    let here: Option<Option<&str>> = if b.cluster {
        None
    } else {
        match b.namespace() {
            Some(ns) if tenancy.is_platform(ns) => Some(None),
            Some(ns) => match tenancy.tenant_of(ns) {
                Some(t) => Some(Some(t)),
                None => return,
            },
            None => return,
        }
    };
    let beyond: Vec<(String, &str)> = b
        .subjects
        .iter()
        .filter_map(|s| match owner(ctx, s) {
            Owner::Tenant(t) if here != Some(Some(t)) => Some((s.describe(), t)),
            _ => None,
        })
        .collect();
    if beyond.is_empty() {
        return;
    }
    let role = resolve(ctx, &b);
    let rules = role.rules();
    let Some((verb, rule_span)) = rules
        .iter()
        .find_map(|r| r.reads_secrets().map(|v| (v, r.span)))
    else {
        return;
    };
    let (who, tenant) = &beyond[0];
    let more = match beyond.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    let can = if verb.text == "*" {
        "do anything with".to_string()
    } else {
        format!("`{}`", verb.text)
    };
    let reach = match (b.cluster, b.namespace()) {
        (false, Some(ns)) => format!("in namespace `{ns}`"),
        _ => "in every namespace".to_string(),
    };
    let mut d = Diagnostic::on(
        &RULE.meta,
        obj,
        b.role_name.span,
        format!(
            "the {} `{}` can {can} secrets, and is granted {reach} to {who} of tenant `{tenant}`{more}",
            b.role_kind,
            b.role_name()
        ),
    )
    .help(if b.cluster {
        "bind the role with RoleBindings in the tenant's own namespaces, or drop secrets from it"
    } else {
        "bind a role without secrets, or let each tenant read only its own namespace's secrets"
    });
    if let (Resolved::Object(r), Some(span)) = (&role, rule_span) {
        d = d.related(r.file, span, "this rule allows reading secrets");
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    const READER: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [list]\n---\n";

    fn binding(kind: &str, ns: &str, role: &str, subject_ns: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: b\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n- kind: ServiceAccount\n  name: runner\n  namespace: {subject_ns}\n"
        )
    }

    #[test]
    fn cluster_wide_or_across_tenants_on_the_role_ref() {
        let text = binding("ClusterRoleBinding", "x", "reader", "team-a") + "---\n" + READER;
        assert_eq!(positions("RBAC004", &text), [(9, 9)]);
        let across = binding("RoleBinding", "team-b", "edit", "team-a");
        assert_eq!(positions("RBAC004", &across), [(9, 9)]);
    }

    #[test]
    fn the_role_nearest_the_binding() {
        let bind = binding("ClusterRoleBinding", "x", "reader", "team-a");
        let harmless = READER.replace("secrets", "configmaps");
        let found = crate::rules::testing::lint(
            "RBAC004",
            &[
                ("a/binding.yaml", &bind),
                ("a/role.yaml", READER),
                ("b/role.yaml", &harmless),
            ],
        );
        assert_eq!(found.len(), 1);
        let found = crate::rules::testing::lint(
            "RBAC004",
            &[
                ("a/binding.yaml", &bind),
                ("a/role.yaml", &harmless),
                ("b/role.yaml", READER),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn own_namespace_platform_and_no_secrets_are_fine() {
        let own = binding("RoleBinding", "team-a", "edit", "team-a");
        assert!(positions("RBAC004", &own).is_empty());
        let platform = binding("ClusterRoleBinding", "x", "cluster-admin", "kube-system");
        assert!(positions("RBAC004", &platform).is_empty());
        let view = binding("ClusterRoleBinding", "x", "view", "team-a");
        assert!(positions("RBAC004", &view).is_empty());
        let named = READER.replace("verbs: [list]", "resourceNames: [ca]\n  verbs: [get]");
        let text = binding("ClusterRoleBinding", "x", "reader", "team-a") + "---\n" + &named;
        assert!(positions("RBAC004", &text).is_empty());
    }
}
