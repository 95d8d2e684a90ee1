//! NS001 default-namespace.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{NamespaceSource, Object};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NS001",
        name: "default-namespace",
        category: Category::Namespaces,
        severity: Severity::Error,
        summary: "a tenant object placed in `default`",
        docs: Docs {
            what: "Reports an object whose namespace is `default`, set in `metadata.namespace` or \
                   by a kustomization's `namespace:`.",
            why: "`default` belongs to no tenant: every user with namespace access to the cluster \
                  tends to have rights there, it has no tenant quota or network policy, and what \
                  runs there is visible to and reachable by everybody. Tenant workloads belong in \
                  their tenant's namespace.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trainer\n  namespace: default\nspec:\n  template:\n    spec:\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trainer\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            options: None,
            known_problems: Some(
                "A `--namespace default` given at deploy time is not reported: there is no node to \
                 point at.",
            ),
            references: Some(
                "- [Kubernetes: namespaces](https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/)\n- [Kubernetes multi-tenancy](https://kubernetes.io/docs/concepts/security/multi-tenancy/)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, _ctx: &Context, out: &mut Vec<Diagnostic>) {
    match &obj.namespace {
        NamespaceSource::Explicit(ns) if ns.value == "default" => out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                ns.span,
                format!("`{}` is placed in the `default` namespace, which belongs to no tenant", obj.describe()),
            )
            .help("move the object to its tenant's namespace"),
        ),
        // One finding on the kustomization node, however many objects it places.
        NamespaceSource::Kustomize { namespace, file } if namespace.value == "default" => out.push(
            Diagnostic::new(
                &RULE.meta,
                *file,
                namespace.span,
                "this kustomization places its objects in the `default` namespace, which belongs to no tenant",
            )
            .help("set the kustomization's `namespace:` to the tenant's namespace"),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn explicit_default() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n";
        assert_eq!(positions("NS001", text), [(5, 14)]);
    }

    #[test]
    fn one_finding_on_a_kustomization_however_many_objects() {
        let found = lint(
            "NS001",
            &[
                ("k/kustomization.yaml", "namespace: default\n"),
                (
                    "k/a.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1),
            ("k/kustomization.yaml", 1)
        );
    }

    #[test]
    fn tenant_and_cluster_scoped_objects_are_fine() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team-a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n";
        assert!(positions("NS001", text).is_empty());
    }
}
