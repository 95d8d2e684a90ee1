//! LINT002 suppression-without-reason.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "LINT002",
        name: "suppression-without-reason",
        category: Category::Lint,
        severity: Severity::Warning,
        summary: "a suppression that gives no reason",
        docs: Docs {
            what: "Reports a suppression that names rules but gives no reason: a comment \
                   `# tenantlint: ignore[SA002]` with nothing after the brackets, or a \
                   `tenantlint.io/ignore` annotation value without a colon. The suppression \
                   still suppresses.",
            why: "An isolation exception is a decision someone made about risk. Without the \
                  reason, the next reviewer cannot tell a deliberate, reviewed exception from a \
                  way to make CI green, and nobody knows when it can be removed.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default # tenantlint: ignore[NS001]\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default # tenantlint: ignore[NS001] read by the legacy scheduler until it moves (PLAT-412)\n",
            options: None,
            known_problems: None,
            references: None,
        },
    },
    check: Check::Builtin,
};

pub fn diagnostic(file: FileId, span: Span, rules: &[String]) -> Diagnostic {
    let list = super::rule_list(rules);
    Diagnostic::new(&RULE.meta, file, span, format!("this suppression of {list} gives no reason"))
        .help("say why the exception is acceptable after the rules (`ignore[ID] reason`, or `ID: reason` in the annotation)")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    #[test]
    fn comment_and_annotation_without_reason() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default # tenantlint: ignore[NS001]\n  annotations:\n    tenantlint.io/ignore: NS001, SA002\n";
        let found: Vec<(u32, u32)> = lint("LINT002", &[("t.yaml", text)])
            .into_iter()
            .map(|f| (f.1, f.2))
            .collect();
        assert_eq!(found, [(5, 22), (7, 27)]);
    }

    #[test]
    fn a_reason_is_enough() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default # tenantlint: ignore[NS001] legacy scheduler\n";
        assert!(lint("LINT002", &[("t.yaml", text)]).is_empty());
    }
}
