//! LINT001 unused-suppression.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LINT001",
        name: "unused-suppression",
        category: Category::Lint,
        severity: Severity::Warning,
        summary: "a suppression that suppressed nothing",
        docs: Docs {
            what: "Reports a `# tenantlint: ignore[…]` or `ignore-file[…]` comment, or a \
                   `tenantlint.io/ignore` annotation, that suppressed no finding in this run. \
                   Suppressions naming a rule that did not run (deselected with `--select`, \
                   `--ignore` or the config) are not reported.",
            why: "A suppression outlives the problem it hid: the account was split, the namespace \
                  fixed, and the comment stays — ready to hide the next, real finding on that \
                  line. Stale suppressions also mislead reviewers into thinking a risk was \
                  accepted on purpose.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a # tenantlint: ignore[NS001] legacy placement\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\n",
            options: None,
            known_problems: None,
            references: None,
        },
    },
    check: Check::Builtin,
};

pub fn diagnostic(file: FileId, span: Span, rules: &[String]) -> Diagnostic {
    let list = crate::suppress::rule_list(rules);
    Diagnostic::new(
        &RULE.meta,
        file,
        span,
        format!("this suppression of {list} suppressed nothing"),
    )
    .help("remove the suppression")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";

    #[test]
    fn unused_comment_and_annotation() {
        let text = format!(
            "{CM}  namespace: team-a # tenantlint: ignore[NS001] legacy\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: team-a\n  annotations:\n    tenantlint.io/ignore: \"SA002: batch\"\n"
        );
        let found: Vec<(u32, u32)> = lint("all", &[("t.yaml", &text)])
            .into_iter()
            .filter(|f| f.3.contains("suppressed nothing"))
            .map(|f| (f.1, f.2))
            .collect();
        assert_eq!(found, [(5, 21), (13, 27)]);
    }

    #[test]
    fn used_suppressions_and_rules_that_did_not_run_are_fine() {
        let text = format!("{CM}  namespace: default # tenantlint: ignore[NS001] legacy\n");
        assert!(
            lint("all", &[("t.yaml", &text)])
                .iter()
                .all(|f| !f.3.contains("suppressed nothing"))
        );
        // SA002 is not selected: its suppression cannot be judged unused.
        let text = format!("{CM}  namespace: team-a # tenantlint: ignore[SA002] batch\n");
        assert!(lint("LINT001", &[("t.yaml", &text)]).is_empty());
    }
}
