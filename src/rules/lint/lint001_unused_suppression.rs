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
        summary: "a suppression that suppressed nothing, or names a rule that does not exist",
        docs: Docs {
            what: "Reports a `# tenantlint: ignore[…]` or `ignore-file[…]` comment, or a \
                   `tenantlint.io/ignore` annotation, that suppressed no finding in this run. \
                   Suppressions naming a rule that did not run (deselected with `--select`, \
                   `--ignore` or the config) are not reported. A suppression that names a rule \
                   that does not exist (`ignore[NS01]`) is reported whether or not it matched \
                   anything, with the closest rule id or name.",
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
    let list = super::rule_list(rules);
    Diagnostic::new(
        &RULE.meta,
        file,
        span,
        format!("this suppression of {list} suppressed nothing"),
    )
    .help("remove the suppression")
}

/// Longest word the "did you mean" compares: an edit distance costs the
/// product of the lengths, and no rule id or name is near this long.
const MAX_SUGGESTED: usize = 64;

/// A suppression naming `rule`, which is neither a rule id nor a rule name.
pub fn unknown_rule(file: FileId, span: Span, rule: &str) -> Diagnostic {
    let candidates = crate::rules::all().flat_map(|r| [r.meta.id, r.meta.name]);
    let suggestion = (rule.chars().count() <= MAX_SUGGESTED)
        .then(|| crate::config::did_you_mean(rule, candidates))
        .flatten();
    let shown: String = if rule.chars().count() > MAX_SUGGESTED {
        rule.chars().take(MAX_SUGGESTED).chain(['…']).collect()
    } else {
        rule.to_string()
    };
    let shown = super::rule_list(&[shown]);
    let (message, help) = match suggestion {
        Some(s) => (
            format!("this suppression names {shown}, which is not a rule; did you mean `{s}`"),
            format!("write `{s}`"),
        ),
        None => (
            format!("this suppression names {shown}, which is not a rule"),
            "name a rule id or name (`tenantlint rules` lists them)".to_string(),
        ),
    };
    Diagnostic::new(&RULE.meta, file, span, message).help(help)
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
    fn unknown_rule_with_did_you_mean() {
        let text = format!("{CM}  namespace: default # tenantlint: ignore[NS01] legacy\n");
        let found: Vec<String> = lint("all", &[("t.yaml", &text)])
            .into_iter()
            .filter(|f| f.3.contains("not a rule"))
            .map(|f| format!("{}:{} {}", f.1, f.2, f.3))
            .collect();
        assert_eq!(
            found,
            ["5:22 this suppression names `NS01`, which is not a rule; did you mean `NS001`"]
        );
        let text = format!("{CM}  namespace: team-a # tenantlint: ignore[namespace-mismtch] x\n");
        let found = lint("LINT001", &[("t.yaml", &text)]);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].3.ends_with("did you mean `namespace-mismatch`"),
            "{found:?}"
        );
        let long = "X".repeat(100_000);
        let text = format!("{CM}  namespace: team-a # tenantlint: ignore[{long}] x\n");
        let found = lint("LINT001", &[("t.yaml", &text)]);
        assert_eq!(found.len(), 1);
        assert!(!found[0].3.contains("did you mean"));
        assert!(
            found[0].3.len() < 200,
            "the message quotes a bounded prefix"
        );
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
