//! NS004 undeclared-namespace.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Bundle;
use crate::model::{NamespaceSource, Object, Spec};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NS004",
        name: "undeclared-namespace",
        category: Category::Namespaces,
        severity: Severity::Warning,
        summary: "an object in a namespace that no Namespace object declares, when the linted set declares namespaces",
        docs: Docs {
            what: "Reports an object whose namespace (from `metadata.namespace` or a kustomization) \
                   is declared by no Namespace object of the linted set, when the set declares \
                   namespaces at all. Platform namespaces and `default` count as declared. The \
                   finding sits on the namespace value (one finding on a kustomization's \
                   `namespace:`, however many objects it places).",
            why: "A repository that declares its tenants' namespaces is the inventory of who may \
                  run where. An object in a namespace missing from that inventory is usually a \
                  typo (`team-alhpa`) that creates — or fails against — a namespace with no \
                  quota, no network policy and no RBAC of its own, outside every tenant's guard \
                  rails.",
            example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-alpha\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-alhpa\n",
            use_instead: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-alpha\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-alpha\n",
            options: None,
            known_problems: Some(
                "Namespaces created outside the linted files (by a namespace controller, or in \
                 another repository) look undeclared; lint them together, use `--context` in \
                 pre-commit, or turn the rule off. Files below directories of test data, \
                 examples, samples or docs (`examples`, `samples`, `docs`, `test`, `tests`, \
                 `testdata`, `e2e`, relative to the repository root) are separate cases: each is checked only against its own Namespace objects.",
            ),
            references: None,
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // The inventory of each bundle: a repository's Namespace objects; a
    // file of test data, examples or samples only counts its own.
    let mut declared: HashMap<Bundle, HashSet<&str>> = HashMap::new();
    for o in &index.objects {
        if let (Spec::Namespace(_), Some(name)) = (&o.spec, &o.name) {
            declared
                .entry(index.bundle(o.file))
                .or_default()
                .insert(&name.value);
        }
    }
    for obj in &index.objects {
        let Some(ns) = obj.namespace() else { continue };
        if ns == "default" || index.tenancy.is_platform(ns) {
            continue;
        }
        let Some(inventory) = declared.get(&index.bundle(obj.file)) else {
            continue;
        };
        if inventory.contains(ns) {
            continue;
        }
        out.extend(diagnostic(obj, ns));
    }
}

fn diagnostic(obj: &Object, ns: &str) -> Option<Diagnostic> {
    let help =
        format!("declare Namespace `{ns}` in the repository, or fix the namespace if it is a typo");
    match &obj.namespace {
        NamespaceSource::Explicit(value) => Some(
            Diagnostic::on(
                &RULE.meta,
                obj,
                value.span,
                format!(
                    "namespace `{ns}` of `{}` is declared by no Namespace object",
                    obj.describe()
                ),
            )
            .help(help),
        ),
        // One finding on the kustomization, however many objects it places.
        NamespaceSource::Kustomize { namespace, file } => Some(
            Diagnostic::new(
                &RULE.meta,
                *file,
                namespace.span,
                format!(
                    "namespace `{ns}` set by this kustomization is declared by no Namespace object"
                ),
            )
            .help(help),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-alpha\n---\n";

    #[test]
    fn a_typo_against_the_declared_namespaces() {
        let text = format!(
            "{NS}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: team-alhpa\n"
        );
        assert_eq!(positions("NS004", &text), [(10, 14)]);
    }

    #[test]
    fn declared_platform_default_and_sets_without_namespaces_are_fine() {
        let objects = |ns: &str| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: {ns}\n")
        };
        for ns in ["team-alpha", "kube-system", "default"] {
            assert!(
                positions("NS004", &format!("{NS}{}", objects(ns))).is_empty(),
                "{ns}"
            );
        }
        // Nothing declares namespaces: the rule has no inventory to check against.
        assert!(positions("NS004", &objects("team-x")).is_empty());
    }

    #[test]
    fn test_data_is_checked_case_by_case() {
        let cm = |ns: &str| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: {ns}\n")
        };
        let found = lint(
            "NS004",
            &[
                ("repo/ns.yaml", NS),
                ("repo/testdata/case1.yaml", &cm("fixture-ns")),
                (
                    "repo/testdata/case2.yaml",
                    &format!(
                        "{}---\n{}",
                        NS.replace("team-alpha", "x").trim_end_matches("---\n"),
                        cm("y")
                    ),
                ),
                ("repo/app.yaml", &cm("team-beta")),
            ],
        );
        let files: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(files, ["repo/app.yaml", "repo/testdata/case2.yaml"]);
    }

    #[test]
    fn one_finding_on_a_kustomization() {
        let found = lint(
            "NS004",
            &[
                ("ns.yaml", NS),
                ("app/kustomization.yaml", "namespace: team-beta\n"),
                (
                    "app/a.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
                ),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1),
            ("app/kustomization.yaml", 1)
        );
    }
}
