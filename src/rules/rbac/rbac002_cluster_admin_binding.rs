//! RBAC002 cluster-admin-binding.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{
    Binding, HARMLESS_SYSTEM_ROLES, Owner, Resolved, SubjectKind, owner, resolve,
};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC002",
        name: "cluster-admin-binding",
        category: Category::Rbac,
        severity: Severity::Error,
        summary: "a binding of `cluster-admin` (or any role with `*` on `*`) to any subject that is not the platform's; a ClusterRoleBinding that grants a tenant service account cluster-wide rights",
        docs: Docs {
            what: "Reports, on the subject's `name`, any subject that is not the platform's — a \
                   service account of a namespace that is not a platform namespace, or a user or \
                   group that `subjects:` in the config does not map to `platform` — that a \
                   RoleBinding or ClusterRoleBinding grants `cluster-admin`, or any role of the \
                   set with `*` verbs on `*` resources in `*` API groups. Also reports a tenant \
                   service account that a ClusterRoleBinding grants any role: its rights then \
                   hold in every namespace, other tenants' included. Service accounts of platform \
                   namespaces (`kube-system`, `*-system`, `argocd`, `monitoring`, … and the config's \
                   `platform-namespaces`), the `system:masters` group and the users and groups \
                   that `subjects:` maps to `platform` are trusted.",
            why: "`cluster-admin` can read every tenant's secrets, exec into their pods and \
                  rewrite their RBAC; a tenant holding it is no longer isolated from anyone. A \
                  ClusterRoleBinding does the same in a smaller way: a tenant's pod whose token \
                  can list pods or read config maps cluster-wide sees every other tenant's \
                  workloads.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: team-a-pipeline-runner\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: pipeline-runner\n  namespace: team-a\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: pipeline-runner\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n- kind: ServiceAccount\n  name: pipeline-runner\n  namespace: team-a\n",
            options: None,
            known_problems: Some(
                "An operator installed in a namespace that is neither built in nor listed in \
                 `platform-namespaces:` is a tenant, so its `cluster-admin` binding is reported \
                 until its namespace is listed there. A user or group bound to `cluster-admin` is \
                 reported until `subjects:` maps it to `platform`. A \
                 ClusterRoleBinding of a role that only reaches cluster-scoped resources, \
                 reviews (`tokenreviews`, `subjectaccessreviews`) or non-resource URLs is not \
                 reported, nor one of the built-in `system:auth-delegator` and discovery roles. Roles that \
                 are not in the linted set (other than the built-in ones) are not known, so a \
                 RoleBinding of such a role is not judged.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices](https://kubernetes.io/docs/concepts/security/rbac-good-practices/)\n- [Kubernetes: user-facing roles](https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(b) = Binding::of(obj) else { return };
    let role = resolve(ctx, &b);
    let rules = role.rules();
    let everything = rules.iter().any(|r| r.is_everything());
    // A ClusterRoleBinding crosses into other tenants when the role reaches
    // namespaced objects; an unknown role is assumed to, unless it is one
    // of the built-in review and discovery roles.
    let reaches_namespaces = match role {
        Resolved::Unknown => !HARMLESS_SYSTEM_ROLES.contains(&b.role_name()),
        _ => rules.iter().any(|r| r.touches_namespaced()),
    };
    let role_label = format!("{} `{}`", b.role_kind, b.role_name());
    for s in &b.subjects {
        let owner = owner(ctx, s);
        if owner == Owner::Platform {
            continue;
        }
        let d = if everything {
            let reach = match b.namespace() {
                Some(ns) if !b.cluster => format!("in namespace `{ns}`"),
                _ => "in every namespace".to_string(),
            };
            let who = match owner {
                Owner::Tenant(tenant) => format!("{} of tenant `{tenant}`", s.describe()),
                _ => s.describe(),
            };
            Diagnostic::on(
                &RULE.meta,
                obj,
                s.name_span,
                format!(
                    "{who} is granted {role_label}, which allows every verb on every resource {reach}"
                ),
            )
            .help(match b.namespace() {
                Some(ns) if !b.cluster => format!(
                    "bind `admin` or `edit` in `{ns}`, or a role listing only the rights it needs"
                ),
                _ => "bind a role listing only the rights it needs, in the tenant's own namespaces"
                    .to_string(),
            })
        } else if let (true, true, SubjectKind::ServiceAccount, Owner::Tenant(tenant)) =
            (b.cluster, reaches_namespaces, s.kind, &owner)
        {
            Diagnostic::on(
                &RULE.meta,
                obj,
                s.name_span,
                format!(
                    "{} of tenant `{tenant}` is granted {role_label} in every namespace by a ClusterRoleBinding",
                    s.describe()
                ),
            )
            .help(format!(
                "bind {role_label} with a RoleBinding in each of tenant `{tenant}`'s namespaces instead"
            ))
        } else {
            continue;
        };
        let d = match &role {
            Resolved::Object(r) => d.related(
                r.file,
                r.name.as_ref().map(|n| n.span).unwrap_or(r.metadata_key),
                format!("{role_label} is defined here"),
            ),
            _ => d.related(
                obj.file,
                b.role_name.span,
                format!("{role_label} is bound here"),
            ),
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn binding(kind: &str, ns: &str, role: &str, subject_ns: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: b\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n- kind: ServiceAccount\n  name: runner\n  namespace: {subject_ns}\n---\n"
        )
    }

    const STAR: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: god\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n---\n";

    #[test]
    fn cluster_admin_to_a_tenant_account() {
        let text = binding("ClusterRoleBinding", "x", "cluster-admin", "team-a");
        assert_eq!(positions("RBAC002", &text), [(12, 9)]);
        let rb = binding("RoleBinding", "team-a", "cluster-admin", "team-a");
        assert_eq!(positions("RBAC002", &rb), [(12, 9)]);
        let star = binding("RoleBinding", "team-a", "god", "team-a") + STAR;
        assert_eq!(positions("RBAC002", &star), [(12, 9)]);
    }

    #[test]
    fn cluster_wide_rights_to_a_tenant_account() {
        let text = binding("ClusterRoleBinding", "x", "view", "team-a");
        assert_eq!(positions("RBAC002", &text), [(12, 9)]);
        let rb = binding("RoleBinding", "team-a", "edit", "team-a");
        assert!(positions("RBAC002", &rb).is_empty());
    }

    #[test]
    fn platform_accounts_are_trusted() {
        let text = binding("ClusterRoleBinding", "x", "cluster-admin", "kube-system");
        assert!(positions("RBAC002", &text).is_empty());
    }

    #[test]
    fn users_and_groups_through_the_config() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: Group\n  name: alpha-devs\n- kind: User\n  name: system:serviceaccount:team-a:runner\n";
        // Any subject that is not the platform's: the group is unmapped.
        assert_eq!(positions("RBAC002", text), [(10, 9), (12, 9)]);
        let config = crate::config::Config {
            subjects: vec![("group:alpha-devs".into(), "team-alpha".into())],
            ..Default::default()
        };
        let found = super::super::tests::lint_with(&config, "RBAC002", text);
        assert_eq!(found, [(10, 9), (12, 9)]);
        let platform = crate::config::Config {
            subjects: vec![("group:alpha-devs".into(), "platform".into())],
            ..Default::default()
        };
        let found = super::super::tests::lint_with(&platform, "RBAC002", text);
        assert_eq!(found, [(12, 9)]);
        let masters = text.replace("alpha-devs", "system:masters");
        assert_eq!(positions("RBAC002", &masters), [(12, 9)]);
    }
}
