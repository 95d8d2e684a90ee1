//! Template placeholders (SPEC §1): `{{ … }}` (also when YAML reads it as
//! a flow mapping), `${VAR}`, `$(VAR)` and `<namespace>`-style angle
//! placeholders. A placeholder is an unknown value: never missing, never a
//! name, never compared.

use crate::load::{Node, Value};
use crate::source::Spanned;

/// Whether a string holds a placeholder.
pub fn is_placeholder_text(s: &str) -> bool {
    let has = |open: &str, close: char| {
        s.match_indices(open)
            .any(|(i, _)| s[i + open.len()..].contains(close))
    };
    has("{{", '}')
        || has("${", '}')
        || has("$(", ')')
        || (s.len() > 2
            && s.starts_with('<')
            && s.ends_with('>')
            && !s[1..s.len() - 1].contains(['<', '>']))
}

/// Whether a node is a placeholder: a string holding one, or the flow
/// mapping YAML makes of an unquoted `{{ name }}`.
pub fn is_placeholder(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s, _) => is_placeholder_text(s),
        Value::Map(entries) => {
            entries.len() == 1
                && entries[0].value.is_null()
                && matches!(&entries[0].key.value, Value::Map(inner) if inner.len() == 1)
        }
        Value::Seq(_) => false,
    }
}

/// A string value, or a placeholder written as `{{…}}` (text unknown,
/// kept as `{{…}}` so that it stays a placeholder to every reader).
pub fn spanned_value(node: &Node) -> Option<Spanned<String>> {
    if node.is_map() && is_placeholder(node) {
        return Some(Spanned::new("{{…}}".to_string(), node.span));
    }
    node.spanned_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_plain_values() {
        for p in [
            "{{ .Release.Namespace }}",
            "${NS}",
            "$(SA_NAME)",
            "<namespace>",
            "app-${ENV}",
        ] {
            assert!(is_placeholder_text(p), "{p}");
        }
        for v in ["team-a", "default", "a<b", "$HOME", "x}}{{"] {
            assert!(!is_placeholder_text(v), "{v}");
        }
    }

    #[test]
    fn an_unquoted_template_is_a_placeholder() {
        let f = crate::source::SourceFile::new(
            0,
            "t.yaml".into(),
            "t.yaml".into(),
            crate::source::FileKind::Yaml,
            "a: {{namespace}}\nb: {c: 1}\n".into(),
        );
        let p = crate::load::parse_yaml(&f);
        let root = &p.docs[0].root;
        assert!(is_placeholder(root.get("a").unwrap()));
        assert!(!is_placeholder(root.get("b").unwrap()));
        assert_eq!(
            spanned_value(root.get("a").unwrap()).unwrap().value,
            "{{…}}"
        );
    }
}
