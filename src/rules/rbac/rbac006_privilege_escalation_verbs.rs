//! RBAC006 privilege-escalation-verbs.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{
    BUILTIN_CLUSTER_ROLES, Binding, Owner, RBAC_GROUP, Resolved, owner, resolve, rules_of,
};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC006",
        name: "privilege-escalation-verbs",
        category: Category::Rbac,
        severity: Severity::Warning,
        summary: "`bind`, `escalate`, `impersonate`, or `create` on `pods/exec`, granted to a tenant",
        docs: Docs {
            what: "Reports, on the verb, a rule of a Role or ClusterRole that allows `bind`, \
                   `escalate` or `impersonate`, or `create` on `pods/exec`, when the role is \
                   granted to a tenant: a Role in a tenant namespace, or a ClusterRole that a \
                   binding of the set grants to a tenant subject or in a tenant namespace. A \
                   `*` verb is RBAC003's.",
            why: "These verbs step around RBAC itself. `escalate` and `bind` let a tenant grant \
                  itself (or anyone) rights it does not hold; `impersonate` makes it act as \
                  another user, group or service account; `create` on `pods/exec` runs commands \
                  inside pods with their service account and mounted secrets.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: notebook-admin\n  namespace: team-a\nrules:\n- apiGroups: [\"rbac.authorization.k8s.io\"]\n  resources: [\"roles\", \"rolebindings\"]\n  verbs: [\"get\", \"list\", \"create\", \"bind\", \"escalate\"]\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: notebook-admin\n  namespace: team-a\nrules:\n- apiGroups: [\"rbac.authorization.k8s.io\"]\n  resources: [\"roles\", \"rolebindings\"]\n  verbs: [\"get\", \"list\"]\n",
            options: None,
            known_problems: Some(
                "Bindings of the built-in `admin` and `edit` roles (which allow `create` on \
                 `pods/exec` and impersonating service accounts within the namespace) are not \
                 reported, nor ClusterRoles of the set that carry their names: they are the \
                 usual way to make a tenant the owner of its namespace. \
                 A ClusterRole bound only outside the linted set is not known to be granted.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices, privilege escalation risks](https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks)",
            ),
        },
    },
    check: Check::Object(check),
};

const ESCALATING: &[&str] = &["bind", "escalate", "impersonate"];

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if obj.group != RBAC_GROUP {
        return;
    }
    let tenancy = &ctx.index.tenancy;
    let grantee = match obj.kind.as_str() {
        "Role" => {
            if !tenancy.applies_to(obj) {
                return;
            }
            match obj.namespace().and_then(|ns| tenancy.tenant_of(ns)) {
                Some(t) => format!("tenant `{t}`"),
                None => "whoever it is bound to".to_string(),
            }
        }
        // A copy of a built-in role is the built-in role (see Known problems).
        "ClusterRole" if BUILTIN_CLUSTER_ROLES.contains(&obj.name()) => return,
        "ClusterRole" => match granted_to_tenant(obj, ctx) {
            Some(t) => format!("tenant `{t}`"),
            None => return,
        },
        _ => return,
    };
    for rule in rules_of(obj) {
        for item in &rule.verbs {
            let Some(span) = item.span else { continue };
            let why = if ESCALATING.contains(&item.text) {
                match item.text {
                    "bind" => "lets it bind roles with rights it does not hold",
                    "escalate" => "lets it give roles rights it does not hold",
                    _ => "lets it act as other users, groups or service accounts",
                }
            } else if item.text == "create"
                && rule.resources.iter().any(|r| r.text == "pods/exec")
                && rule.has_group("")
            {
                "on `pods/exec` lets it run commands in pods, with their tokens and secrets"
            } else {
                continue;
            };
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    span,
                    format!(
                        "verb `{}` of {} `{}` is granted to {grantee}, and {why}",
                        item.text,
                        *obj.kind,
                        obj.name()
                    ),
                )
                .help(format!(
                    "remove `{}` from the rule, or keep the role for platform operators",
                    item.text
                )),
            );
        }
    }
}

/// The tenant a binding of the set grants this ClusterRole to (a binding
/// whose `roleRef` resolves to it): a tenant subject, or a RoleBinding in a
/// tenant namespace.
fn granted_to_tenant(role: &Object, ctx: &Context) -> Option<String> {
    let name = role.name();
    let tenancy = &ctx.index.tenancy;
    ctx.index
        .bindings_of_role("ClusterRole", name)
        .find_map(|o| {
            let b = Binding::of(o)?;
            // Another bundle's role of the same name is not this one.
            if !matches!(resolve(ctx, &b), Resolved::Object(r) if std::ptr::eq(r, role)) {
                return None;
            }
            let by_subject = b.subjects.iter().find_map(|s| match owner(ctx, s) {
                Owner::Tenant(t) => Some(t.to_string()),
                _ => None,
            });
            by_subject.or_else(|| {
                b.namespace()
                    .and_then(|ns| tenancy.tenant_of(ns))
                    .map(str::to_string)
            })
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn role(kind: &str, ns: &str, rules: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: r\n  namespace: {ns}\nrules:\n{rules}"
        )
    }

    const RULES: &str = "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  verbs: [get, bind, escalate]\n- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [create]\n";

    #[test]
    fn tenant_roles_on_the_verb() {
        assert_eq!(
            positions("RBAC006", &role("Role", "team-a", RULES)),
            [(9, 16), (9, 22), (12, 11)]
        );
        assert!(positions("RBAC006", &role("Role", "kube-system", RULES)).is_empty());
    }

    #[test]
    fn cluster_roles_when_granted_to_a_tenant() {
        let unbound = role("ClusterRole", "x", RULES);
        assert!(positions("RBAC006", &unbound).is_empty());
        let bound = format!(
            "{unbound}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b, namespace: team-a}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: Group, name: devs}}]\n"
        );
        assert_eq!(positions("RBAC006", &bound).len(), 3);
        let platform = format!(
            "{unbound}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: ServiceAccount, name: c, namespace: kube-system}}]\n"
        );
        assert!(positions("RBAC006", &platform).is_empty());
    }

    #[test]
    fn a_binding_of_another_bundles_role_of_the_same_name() {
        let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: team-a}\nroleRef: {kind: ClusterRole, name: r}\nsubjects: [{kind: Group, name: devs}]\n";
        let harmless = role(
            "ClusterRole",
            "x",
            "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n",
        );
        let found = crate::rules::testing::lint(
            "RBAC006",
            &[
                ("a/binding.yaml", binding),
                ("a/role.yaml", &harmless),
                ("b/role.yaml", &role("ClusterRole", "x", RULES)),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
