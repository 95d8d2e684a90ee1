//! NS002 namespace-unset.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{NamespaceSource, Object, Scope};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NS002",
        name: "namespace-unset",
        category: Category::Namespaces,
        severity: Severity::Warning,
        summary: "a namespaced object whose namespace comes from no source",
        docs: Docs {
            what: "Reports a namespaced object that gets its namespace from nowhere: no \
                   `metadata.namespace`, no `namespace:` in a kustomization above it, and no \
                   `--namespace` (or config `namespace:`) for the run. The finding sits on the \
                   object's `metadata:` key.",
            why: "Such an object lands in whatever namespace the deploying shell's context points \
                  at — often `default`, sometimes another team's. Where a tenant's objects go \
                  must not depend on who runs `kubectl apply`.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  lr: \"0.01\"\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\ndata:\n  lr: \"0.01\"\n",
            options: Some(
                "Give the deploy-time namespace with `--namespace NS` (as `kubectl -n` or `helm -n` \
                 would) or `namespace:` in `.tenantlint.yaml`.",
            ),
            known_problems: Some(
                "Kinds whose scope tenantlint does not know (custom resources without their CRD \
                 in the linted set) are not reported.",
            ),
            references: None,
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, _ctx: &Context, out: &mut Vec<Diagnostic>) {
    if obj.scope != Scope::Namespaced || obj.namespace != NamespaceSource::Unset {
        return;
    }
    out.push(
        Diagnostic::on(
            &RULE.meta,
            obj,
            obj.metadata_key,
            format!(
                "`{}` has no namespace: no `metadata.namespace`, no kustomization `namespace:`, no `--namespace`",
                obj.describe()
            ),
        )
        .help("set `metadata.namespace` to the tenant's namespace, or lint with `--namespace`"),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn flags_the_metadata_key() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n";
        assert_eq!(positions("NS002", text), [(3, 1)]);
    }

    #[test]
    fn crd_scope_from_the_set() {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  scope: Namespaced\n  names: {kind: Widget}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
        assert_eq!(positions("NS002", crd), [(10, 1)]);
        // Without its CRD, the scope of `Widget` is unknown: no finding.
        let bare = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
        assert!(positions("NS002", bare).is_empty());
    }

    #[test]
    fn kustomize_namespace_counts() {
        let found = lint(
            "NS002",
            &[
                ("app/kustomization.yaml", "namespace: team-a\n"),
                (
                    "app/base/svc.yaml",
                    "apiVersion: v1\nkind: Service\nmetadata: {name: api}\n",
                ),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
