//! YAML001 yaml-syntax-error.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "YAML001",
        name: "yaml-syntax-error",
        category: Category::Input,
        severity: Severity::Error,
        summary: "a file or document that is not valid YAML",
        docs: Docs {
            what: "Reports a file or document that cannot be read as YAML, at the position where \
                   the parser stopped. Files that are not UTF-8 text (binary files, UTF-16, \
                   invalid UTF-8) and files that cannot be read are reported here too.",
            why: "`kubectl apply` rejects the whole file, and every other check is blind to the \
                  broken document. The other documents of the file and the other files are still \
                  linted.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: 1\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: \"1\"}\n",
            options: None,
            known_problems: Some(
                "Parser limits guard against hostile input: nesting deeper than 128 levels and \
                 aliases that expand to more nodes than the file could hold are reported as \
                 syntax errors.",
            ),
            references: Some("- [YAML 1.2.2](https://yaml.org/spec/1.2.2/)"),
        },
    },
    check: Check::Builtin,
};

/// The finding for a load problem at `span`.
/// `span` is the parser's position (a point); callers widen it to the
/// character there, so viewers that need a range show one.
pub fn diagnostic(file: FileId, span: Span, message: &str) -> Diagnostic {
    let first_line = message.lines().next().unwrap_or(message);
    Diagnostic::new(&RULE.meta, file, span, first_line.to_string())
        .help("fix the syntax at this position; the rest of this document was not checked")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn reports_the_parser_position_and_keeps_other_documents() {
        let text =
            "a: 1\n---\nb: {c: 1\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n";
        assert_eq!(positions("YAML001", text), [(3, 4)]);
        // The third document still loads: its namespace is seen by other rules.
        assert_eq!(lint("QUOTA001", &[("t.yaml", text)]).len(), 1);
    }

    #[test]
    fn non_text_files() {
        let found = lint("YAML001", &[("bin.yaml", "\u{0}\u{1}\u{2}")]);
        assert!(found[0].3.contains("binary"), "{found:?}");
    }

    #[test]
    fn valid_yaml_is_silent() {
        assert!(positions("YAML001", "a: [1, 2]\nb: |\n  text\n---\n- x\n").is_empty());
    }
}
