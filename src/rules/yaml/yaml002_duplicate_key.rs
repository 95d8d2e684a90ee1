//! YAML002 duplicate-key.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "YAML002",
        name: "duplicate-key",
        category: Category::Input,
        severity: Severity::Error,
        summary: "a mapping key given twice",
        docs: Docs {
            what: "Reports a mapping key that appears a second time in the same mapping. The \
                   finding sits on the later key, with the first one as a related location.",
            why: "Kubernetes silently keeps the last value. A second `namespace:` or \
                  `serviceAccountName:` added in a merge quietly overrides the reviewed one, so \
                  the object does not run where, or as whom, the author thinks.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\n  namespace: team-b\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\n",
            options: None,
            known_problems: None,
            references: None,
        },
    },
    check: Check::Builtin,
};

pub fn diagnostic(file: FileId, span: Span, key: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        &RULE.meta,
        file,
        span,
        format!("key `{key}` is given twice in this mapping; the earlier value is ignored"),
    )
    .help(format!("remove one of the `{key}` keys"))
    .related(file, first, format!("`{key}` is first given here"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    #[test]
    fn flags_the_later_key() {
        let text = "metadata:\n  name: a\n  namespace: x\n  namespace: y\n";
        assert_eq!(positions("YAML002", text), [(4, 3)]);
    }

    #[test]
    fn flow_mappings_and_nested_levels() {
        assert_eq!(positions("YAML002", "m: {a: 1, b: 2, a: 3}\n"), [(1, 17)]);
        assert!(positions("YAML002", "a: {x: 1}\nb: {x: 1}\n").is_empty());
    }

    #[test]
    fn merge_keys_are_not_duplicates() {
        let text = "base: &b {x: 1}\nother: &o {y: 1}\nm:\n  <<: *b\n  <<: *o\n  x: 2\n";
        assert!(positions("YAML002", text).is_empty());
    }
}
