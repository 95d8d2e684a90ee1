//! RBAC001 cross-tenant-subject.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::rbac::{Binding, Owner, owner};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "RBAC001",
        name: "cross-tenant-subject",
        category: Category::Rbac,
        severity: Severity::Error,
        summary: "a RoleBinding that grants a subject of another tenant rights in this namespace",
        docs: Docs {
            what: "Reports, on the subject's `name`, a subject of a RoleBinding that belongs to \
                   another tenant than the binding's namespace: a service account of another \
                   tenant's namespace, or a user or group that `subjects:` in the config maps to \
                   another tenant (`system:serviceaccount:<ns>:<name>` users and \
                   `system:serviceaccounts:<ns>` groups count as that namespace's). A tenant's \
                   subject bound in a platform namespace is reported too. Subjects of platform \
                   namespaces are trusted, and so are users and groups the config does not map.",
            why: "A RoleBinding is the door between namespaces: whatever the role allows, the \
                  other tenant's pods or people can now do here — read this tenant's secrets, \
                  start pods on its quota, delete its models. In a platform namespace it hands \
                  a tenant a foothold in the cluster's own machinery.",
            example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: shared-feature-store\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: feature-store-writer\nsubjects:\n- kind: ServiceAccount\n  name: ingest\n  namespace: team-b\n",
            use_instead: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: feature-store\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: feature-store-writer\nsubjects:\n- kind: ServiceAccount\n  name: ingest\n  namespace: team-a\n",
            options: None,
            known_problems: Some(
                "Every namespace that is not a platform namespace is its own tenant unless the \
                 config groups them (`tenants:`, `tenant-label:`), so one team's namespaces \
                 binding each other are reported until they are grouped. Bindings of \
                 `extension-apiserver-authentication-reader` in `kube-system`, which every \
                 aggregated API server needs to read the cluster's client CA, are not reported.",
            ),
            references: Some(
                "- [Kubernetes: RBAC good practices](https://kubernetes.io/docs/concepts/security/rbac-good-practices/)\n- [Kubernetes: multi-tenancy](https://kubernetes.io/docs/concepts/security/multi-tenancy/)",
            ),
        },
    },
    check: Check::Object(check),
};

/// Roles that components bind in platform namespaces by design.
const PLATFORM_DOORS: &[&str] = &["extension-apiserver-authentication-reader"];

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(b) = Binding::of(obj) else { return };
    let Some(ns) = b.namespace() else { return };
    let tenancy = &ctx.index.tenancy;
    let here = if tenancy.is_platform(ns) {
        if PLATFORM_DOORS.contains(&b.role_name()) {
            return;
        }
        None
    } else {
        match tenancy.tenant_of(ns) {
            Some(t) => Some(t),
            // `default` belongs to no tenant; NS001 speaks for it.
            None => return,
        }
    };
    for s in &b.subjects {
        let Owner::Tenant(theirs) = owner(ctx, s) else {
            continue;
        };
        if here == Some(theirs) {
            continue;
        }
        let place = match here {
            Some(t) if t == ns => format!("namespace `{ns}`"),
            Some(t) => format!("namespace `{ns}` of tenant `{t}`"),
            None => format!("platform namespace `{ns}`"),
        };
        let mut d = Diagnostic::on(
            &RULE.meta,
            obj,
            s.name_span,
            format!(
                "{} of tenant `{theirs}` is granted {} `{}` in {place}",
                s.describe(),
                b.role_kind,
                b.role_name()
            ),
        )
        .help(match here {
            Some(_) => format!(
                "bind only subjects of `{ns}`'s tenant here; give tenant `{theirs}` a copy of what it needs in its own namespace"
            ),
            None => format!(
                "move what tenant `{theirs}` needs out of `{ns}`, or list its namespace in `platform-namespaces:`"
            ),
        });
        if let Some((file, span)) = obj.namespace_span() {
            d = d.related(file, span, format!("the binding is in `{ns}`"));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn binding(ns: &str, role: &str, subject: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: b\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {role}\nsubjects:\n{subject}"
        )
    }

    const SA_B: &str = "- kind: ServiceAccount\n  name: ingest\n  namespace: team-b\n";

    #[test]
    fn another_tenants_account() {
        assert_eq!(
            positions("RBAC001", &binding("team-a", "r", SA_B)),
            [(12, 9)]
        );
        let user = "- kind: User\n  name: system:serviceaccount:team-b:ingest\n";
        assert_eq!(
            positions("RBAC001", &binding("team-a", "r", user)),
            [(12, 9)]
        );
        let group = "- kind: Group\n  name: system:serviceaccounts:team-b\n";
        assert_eq!(
            positions("RBAC001", &binding("team-a", "r", group)),
            [(12, 9)]
        );
    }

    #[test]
    fn into_a_platform_namespace() {
        assert_eq!(
            positions("RBAC001", &binding("kube-system", "r", SA_B)),
            [(12, 9)]
        );
        let reader = binding(
            "kube-system",
            "extension-apiserver-authentication-reader",
            SA_B,
        );
        assert!(positions("RBAC001", &reader).is_empty());
    }

    #[test]
    fn own_platform_and_unmapped_subjects_are_fine() {
        let own = "- kind: ServiceAccount\n  name: ingest\n";
        assert!(positions("RBAC001", &binding("team-b", "r", own)).is_empty());
        let platform = "- kind: ServiceAccount\n  name: c\n  namespace: kube-system\n";
        assert!(positions("RBAC001", &binding("team-a", "r", platform)).is_empty());
        let group = "- kind: Group\n  name: ml-engineers\n";
        assert!(positions("RBAC001", &binding("team-a", "r", group)).is_empty());
    }

    #[test]
    fn kustomize_moves_subjects_along_with_the_binding() {
        let found = crate::rules::testing::lint(
            "RBAC001",
            &[
                (
                    "c/kustomization.yaml",
                    "namespace: ml-operator
",
                ),
                (
                    "c/rb.yaml",
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: leader-election\n  namespace: system\nroleRef: {kind: Role, name: leader-election}\nsubjects:\n- kind: ServiceAccount\n  name: controller-manager\n  namespace: system\n",
                ),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn groups_through_the_config() {
        let group = "- kind: Group\n  name: beta-devs\n";
        let config = crate::config::Config {
            subjects: vec![("group:beta-devs".into(), "team-b".into())],
            ..Default::default()
        };
        let text = binding("team-a", "r", group);
        assert_eq!(
            super::super::tests::lint_with(&config, "RBAC001", &text),
            [(12, 9)]
        );
    }
}
