//! RBAC005 broad-group-subject.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{Binding, SubjectKind};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC005",
        name: "broad-group-subject",
        category: Category::Rbac,
        severity: Severity::Error,
        summary: "a binding to `system:authenticated`, `system:unauthenticated`, `system:anonymous` or `system:serviceaccounts`",
        docs: Docs {
            what: "Reports a RoleBinding or ClusterRoleBinding whose subjects include one of the \
                   groups (or users) that stand for everybody: `system:authenticated` (every \
                   user and service account of every tenant), `system:unauthenticated` and \
                   `system:anonymous` (anyone who can reach the API server), or \
                   `system:serviceaccounts` (every service account in every namespace). The \
                   finding sits on the subject's `name`.",
            why: "On a shared cluster these subjects include every other tenant. A binding to \
                  them hands the role to all tenants' users and to every pod's token at once, \
                  and to anonymous callers where anonymous auth is on.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: model-registry-readers\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: model-registry-reader\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: system:authenticated\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: model-registry-readers\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: model-registry-reader\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: team-a-devs\n",
            options: None,
            known_problems: Some(
                "Bindings of the ClusterRoles Kubernetes itself grants to everybody \
                 (`system:basic-user`, `system:discovery`, `system:public-info-viewer`, \
                 `system:service-account-issuer-discovery`) are not reported: they expose only \
                 discovery and public endpoints. `system:serviceaccounts:<namespace>` (one \
                 namespace's accounts) is not broad and is left to RBAC001.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices](https://kubernetes.io/docs/concepts/security/rbac-good-practices/)\n- [Kubernetes: default roles and role bindings](https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings)",
            ),
        },
    },
    check: Check::Object(check),
};

/// Subjects that stand for everybody.
const BROAD: &[(&str, &str)] = &[
    (
        "system:authenticated",
        "every authenticated user and service account",
    ),
    ("system:unauthenticated", "every unauthenticated caller"),
    ("system:anonymous", "every anonymous caller"),
    (
        "system:serviceaccounts",
        "every service account of every namespace",
    ),
];

/// ClusterRoles that Kubernetes binds to everybody by default.
const PUBLIC_ROLES: &[&str] = &[
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
];

fn check(obj: &Object, _ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(b) = Binding::of(obj) else { return };
    if b.role_kind == "ClusterRole" && PUBLIC_ROLES.contains(&b.role_name()) {
        return;
    }
    for s in &b.subjects {
        if s.kind == SubjectKind::ServiceAccount {
            continue;
        }
        let Some((name, who)) = BROAD.iter().find(|(n, _)| *n == s.name) else {
            continue;
        };
        let kind = if s.kind == SubjectKind::User {
            "user"
        } else {
            "group"
        };
        out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                s.name_span,
                format!(
                    "{kind} `{name}` ({who}) is granted {} `{}`",
                    b.role_kind,
                    b.role_name()
                ),
            )
            .help("bind the role to the groups or service accounts of the tenant that needs it")
            .related(
                obj.file,
                b.role_name.span,
                format!("`{}` is bound here", b.role_name()),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn binding(kind: &str, role: &str, subject_kind: &str, subject: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: b\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n- kind: {subject_kind}\n  name: {subject}\n"
        )
    }

    #[test]
    fn everybody_groups_on_the_subject_name() {
        let text = binding("RoleBinding", "view", "Group", "system:authenticated");
        assert_eq!(positions("RBAC005", &text), [(12, 9)]);
        let anon = binding("ClusterRoleBinding", "view", "User", "system:anonymous");
        assert_eq!(positions("RBAC005", &anon), [(12, 9)]);
        let sas = binding("RoleBinding", "edit", "Group", "system:serviceaccounts");
        assert_eq!(positions("RBAC005", &sas).len(), 1);
    }

    #[test]
    fn narrow_groups_and_public_roles_are_fine() {
        let one_ns = binding(
            "RoleBinding",
            "view",
            "Group",
            "system:serviceaccounts:team-a",
        );
        assert!(positions("RBAC005", &one_ns).is_empty());
        let devs = binding("RoleBinding", "view", "Group", "team-a-devs");
        assert!(positions("RBAC005", &devs).is_empty());
        let discovery = binding(
            "ClusterRoleBinding",
            "system:service-account-issuer-discovery",
            "Group",
            "system:unauthenticated",
        );
        assert!(positions("RBAC005", &discovery).is_empty());
    }
}
