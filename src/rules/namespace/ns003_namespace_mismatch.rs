//! NS003 namespace-mismatch.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{NamespaceSource, Object};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NS003",
        name: "namespace-mismatch",
        category: Category::Namespaces,
        severity: Severity::Error,
        summary: "an object whose namespace differs from the namespace its bundle declares",
        docs: Docs {
            what: "Reports an object whose `metadata.namespace` contradicts the namespace its \
                   bundle declares: the only Namespace object in the same file, or the \
                   `namespace:` of the kustomization above it. The finding sits on the \
                   object's namespace, with the declaration as a related location. With \
                   `paths:` in `.tenantlint.yaml`, an object whose namespace is not the one \
                   (or whose tenant is not the one) its file's path is mapped to is reported too.",
            why: "A file that creates namespace `tenant1` and then puts a Pod in `tenant2` is a \
                  copy-paste slip that deploys one tenant's workload into another tenant's \
                  namespace, with the other tenant's service accounts, secrets and network. \
                  Under kustomize the explicit value is silently overridden, so the manifest \
                  says one thing and the cluster gets another.",
            example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: tenant1-pod\n  namespace: tenant2\nspec:\n  containers:\n  - name: app\n    image: ml-app:latest\n",
            use_instead: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: tenant1-pod\n  namespace: tenant1\nspec:\n  containers:\n  - name: app\n    image: ml-app:latest\n",
            options: None,
            known_problems: Some(
                "A file with several Namespace objects declares no single namespace, so its \
                 objects are not compared. Roles and RoleBindings placed in a platform namespace \
                 (`kube-system`, …) are not compared with the file's Namespace: components \
                 deliberately bind roles there (leader election, \
                 `extension-apiserver-authentication-reader`).",
            ),
            references: Some(
                "- [Kustomize: namespace](https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(explicit) = &obj.explicit_namespace else {
        return;
    };
    if obj.scope == crate::model::Scope::Cluster {
        return;
    }
    // The config's `paths:` says which namespace or tenant this file belongs to.
    if let Some(target) = ctx.config.path_target(&ctx.file(obj.file).path) {
        let tenancy = &ctx.index.tenancy;
        let mismatch = match (&target.namespace, &target.tenant) {
            (Some(ns), _) if *ns != explicit.value => Some(format!("namespace `{ns}`")),
            (None, Some(t)) if tenancy.tenant_of(&explicit.value) != Some(t.as_str()) => {
                Some(format!("tenant `{t}`"))
            }
            _ => None,
        };
        if let Some(expected) = mismatch {
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    explicit.span,
                    format!(
                        "`metadata.namespace` is `{}`, but `paths:` in the config assigns this file to {expected}",
                        explicit.value
                    ),
                )
                .help(format!("move the {} to {expected}, or fix `paths:`", *obj.kind)),
            );
            return;
        }
    }
    if let NamespaceSource::Kustomize { namespace, file } = &obj.namespace {
        if namespace.value != explicit.value {
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    explicit.span,
                    format!(
                        "`metadata.namespace` is `{}`, but the kustomization sets namespace `{}`, which overrides it",
                        explicit.value, namespace.value
                    ),
                )
                .help(format!(
                    "set `metadata.namespace` to `{}` or remove it",
                    namespace.value
                ))
                .related(*file, namespace.span, format!("namespace `{}` is set here", namespace.value)),
            );
        }
        return;
    }
    if !matches!(obj.namespace, NamespaceSource::Explicit(_)) {
        return;
    }
    // Components routinely bind roles in platform namespaces (leader election
    // and `extension-apiserver-authentication-reader` in `kube-system`); that
    // is a deliberate crossing for the RBAC rules to judge, not a slip.
    if ctx.index.tenancy.is_platform(&explicit.value)
        && obj.group == "rbac.authorization.k8s.io"
        && matches!(obj.kind.as_str(), "Role" | "RoleBinding")
    {
        return;
    }
    let Some(decls) = ctx.index.file_namespaces.get(&obj.file) else {
        return;
    };
    let [only] = decls.as_slice() else {
        return;
    };
    let ns_obj = &ctx.index.objects[*only];
    let Some(declared) = &ns_obj.name else {
        return;
    };
    if declared.value != explicit.value {
        out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                explicit.span,
                format!(
                    "`metadata.namespace` is `{}`, but this file declares namespace `{}`",
                    explicit.value, declared.value
                ),
            )
            .help(format!(
                "move the {} to `{}` or declare `{}`",
                *obj.kind, declared.value, explicit.value
            ))
            .related(
                ns_obj.file,
                declared.span,
                format!("namespace `{}` is declared here", declared.value),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant1\n---\n";

    #[test]
    fn against_the_files_only_namespace() {
        let text =
            format!("{NS}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: tenant2\n");
        assert_eq!(positions("NS003", &text), [(10, 14)]);
        let same =
            format!("{NS}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: tenant1\n");
        assert!(positions("NS003", &same).is_empty());
    }

    #[test]
    fn against_the_kustomization() {
        let found = lint(
            "NS003",
            &[
                ("t/kustomization.yaml", "namespace: team-a\n"),
                (
                    "t/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team-b\n",
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].3.contains("overrides it"), "{found:?}");
    }

    #[test]
    fn roles_in_platform_namespaces_are_not_slips() {
        let text = format!(
            "{NS}apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: r\n  namespace: kube-system\n"
        );
        assert!(positions("NS003", &text).is_empty());
        let pod = format!(
            "{NS}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: kube-system\n"
        );
        assert_eq!(positions("NS003", &pod).len(), 1);
    }
}
