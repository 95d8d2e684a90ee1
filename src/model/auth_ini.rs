//! MLflow's basic-auth configuration (`basic_auth.ini`), read as MLflow
//! reads it, with Python's `configparser` defaults: `[section]` headers,
//! `key = value` or `key: value` options with lowercased keys, whole-line
//! `#` / `;` comments, indented continuation lines. Inline comments are *not*
//! comments there (`default_permission = EDIT # x` is the value `EDIT # x`),
//! so they are not stripped here either.
//!
//! The file is found on its own (`*.ini` with an `[mlflow]` section) or
//! embedded in a ConfigMap or a Secret (a `data` or `stringData` key ending
//! in `.ini`; a Secret's `data` is base64).

use crate::load::{Comment, Node, ScalarStyle, Value};
use crate::model::Object;
use crate::model::config_data::{data_values, holds_data};
use crate::source::{FileId, SourceFile, Span, Spanned};

/// The `[mlflow]` section of a basic-auth config.
#[derive(Debug)]
pub struct AuthConfig {
    pub file: FileId,
    /// The ConfigMap it is embedded in (an index into the set's objects).
    pub object: Option<usize>,
    /// The `[mlflow]` header.
    pub section: Span,
    pub default_permission: Option<Spanned<String>>,
    pub admin_username: Option<Spanned<String>>,
    pub admin_password: Option<Spanned<String>>,
    pub database_uri: Option<Spanned<String>>,
}

/// One `key = value` line (keys lowercased, values trimmed).
#[derive(Debug)]
struct IniOption {
    section: String,
    key: String,
    value: String,
    /// Byte range of the value's first line, in the text given to [`parse`].
    value_range: std::ops::Range<usize>,
}

#[derive(Debug, Default)]
struct IniDoc {
    /// Section name and byte range of its `[name]` header.
    sections: Vec<(String, std::ops::Range<usize>)>,
    options: Vec<IniOption>,
    /// Whole-line comments: byte range of the comment and its text after the prefix.
    comments: Vec<(std::ops::Range<usize>, String)>,
}

/// Parse INI text. `indent` leading whitespace characters are removed from
/// every line first (the indentation of a YAML block scalar).
fn parse(text: &str, indent: usize) -> IniDoc {
    let mut doc = IniDoc::default();
    let mut section: Option<String> = None;
    // Indentation of the current option's line, for continuation lines.
    let mut option_indent: Option<usize> = None;
    let mut offset = 0usize;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let dedent = line
            .char_indices()
            .take(indent)
            .take_while(|(_, c)| *c == ' ' || *c == '\t')
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let start = line_start + dedent;
        let line = &line[dedent..];
        let content = line.trim_start();
        let lead = line.len() - content.len();
        if content.is_empty() {
            continue;
        }
        if content.starts_with('#') || content.starts_with(';') {
            let text = content[1..].trim().to_string();
            doc.comments
                .push((start + lead..start + lead + content.trim_end().len(), text));
            continue;
        }
        // A deeper-indented line continues the previous option's value.
        if let Some(indent) = option_indent
            && lead > indent
        {
            if let Some(o) = doc.options.last_mut() {
                o.value.push('\n');
                o.value.push_str(content.trim_end());
            }
            continue;
        }
        option_indent = None;
        let trimmed = content.trim_end();
        if trimmed.starts_with('[') && trimmed.ends_with(']') && trimmed.len() > 2 {
            let name = trimmed[1..trimmed.len() - 1].to_string();
            doc.sections
                .push((name.clone(), start + lead..start + lead + trimmed.len()));
            section = Some(name);
            continue;
        }
        let Some(delim) = trimmed.find(['=', ':']) else {
            continue;
        };
        let Some(section) = &section else { continue };
        let key = trimmed[..delim].trim_end().to_lowercase();
        let after = &trimmed[delim + 1..];
        let value = after.trim_start();
        let value_start = start + lead + delim + 1 + (after.len() - value.len());
        doc.options.push(IniOption {
            section: section.clone(),
            key,
            value: value.to_string(),
            value_range: value_start..value_start + value.len(),
        });
        option_indent = Some(lead);
    }
    doc
}

impl IniDoc {
    /// The `[mlflow]` section, with spans made by `span`. `None` without one.
    fn auth_config(
        &self,
        file: FileId,
        object: Option<usize>,
        span: impl Fn(std::ops::Range<usize>) -> Span,
    ) -> Option<AuthConfig> {
        let (_, header) = self.sections.iter().find(|(name, _)| name == "mlflow")?;
        // The last occurrence of an option wins, as in configparser (with
        // `strict=False`; strict parsers refuse the file instead).
        let get = |key: &str| {
            self.options
                .iter()
                .rev()
                .find(|o| o.section == "mlflow" && o.key == key)
                .map(|o| Spanned::new(o.value.clone(), span(o.value_range.clone())))
        };
        Some(AuthConfig {
            file,
            object,
            section: span(header.clone()),
            default_permission: get("default_permission"),
            admin_username: get("admin_username"),
            admin_password: get("admin_password"),
            database_uri: get("database_uri"),
        })
    }
}

/// Read a whole `.ini` file: its `[mlflow]` section, and the comments that
/// mention tenantlint (for suppressions).
pub fn from_file(file: &SourceFile) -> (Option<AuthConfig>, Vec<Comment>) {
    let doc = parse(&file.text, 0);
    let comments = doc
        .comments
        .iter()
        .filter(|(_, text)| text.contains("tenantlint"))
        .map(|(range, text)| {
            let span = file.span_of_bytes(range.clone());
            Comment {
                line: span.start.line,
                span,
                text: text.clone(),
            }
        })
        .collect();
    let config = doc.auth_config(file.id, None, |r| file.span_of_bytes(r));
    (config, comments)
}

/// Whether a block scalar is literal (`|`): its header, the last word
/// before the content once a comment is removed, starts with `|`.
fn is_literal_block(file: &SourceFile, node: &Node) -> bool {
    let Some(before) = file.text.get(..node.span.start.byte as usize) else {
        return false;
    };
    let before = before.trim_end();
    let header = before.rsplit('\n').next().unwrap_or("");
    let header = header.split(" #").next().unwrap_or(header);
    header
        .split_whitespace()
        .last()
        .is_some_and(|w| w.starts_with('|'))
}

/// Basic-auth configs embedded in a ConfigMap (`data`) or a Secret
/// (`stringData`, or base64 `data`): keys ending in `.ini` whose text has
/// an `[mlflow]` section. `id` is the object's index in the set. Findings
/// in a base64 value sit on its key, the only readable part.
pub fn from_config_map(file: &SourceFile, obj: &Object, id: usize) -> Vec<AuthConfig> {
    if !holds_data(obj) {
        return Vec::new();
    }
    data_values(obj, &obj.root())
        .into_iter()
        .filter(|v| v.key.ends_with(".ini"))
        .filter_map(|v| {
            if v.encoded {
                if !has_mlflow_section(&v.text) {
                    return None;
                }
                parse(&v.text, 0).auth_config(file.id, Some(id), |_| v.key_span)
            } else {
                embedded(file, v.node, id)
            }
        })
        .collect()
}

fn has_mlflow_section(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "[mlflow]")
}

fn embedded(file: &SourceFile, node: &Node, id: usize) -> Option<AuthConfig> {
    let Value::Scalar(text, style) = &node.value else {
        return None;
    };
    if !has_mlflow_section(text) {
        return None;
    }
    // A literal block keeps its lines verbatim in the source, indented by
    // the block's indentation: findings go on the value itself.
    if *style == ScalarStyle::Block && is_literal_block(file, node) {
        let body = file.slice(node.span);
        let indent = node.span.start.col.saturating_sub(1) as usize;
        let base = node.span.start.byte as usize;
        let doc = parse(body, indent);
        return doc.auth_config(file.id, Some(id), |r| {
            file.span_of_bytes(base + r.start..base + r.end)
        });
    }
    // Quoted or folded text: read the value, point at the whole node.
    parse(text, 0).auth_config(file.id, Some(id), |_| node.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn ini(text: &str) -> (SourceFile, Option<AuthConfig>, Vec<Comment>) {
        let f = SourceFile::new(
            0,
            "basic_auth.ini".into(),
            "basic_auth.ini".into(),
            FileKind::AuthIni,
            text.into(),
        );
        let (c, comments) = from_file(&f);
        (f, c, comments)
    }

    #[test]
    fn reads_the_mlflow_section_like_configparser() {
        let (f, c, comments) = ini(
            "[other]\ndefault_permission = MANAGE\n\n[mlflow]\n; a comment\nDefault_Permission: EDIT\nadmin_password =  password1234  \n  continued\n# tenantlint: ignore[MLF007] test only\ndatabase_uri = sqlite:///basic_auth.db # not a comment\n",
        );
        let c = c.unwrap();
        let p = c.default_permission.unwrap();
        assert_eq!(p.value, "EDIT");
        assert_eq!(f.slice(p.span), "EDIT");
        assert_eq!((p.span.start.line, p.span.start.col), (6, 21));
        let pw = c.admin_password.unwrap();
        assert_eq!(pw.value, "password1234\ncontinued");
        assert_eq!(f.slice(pw.span), "password1234");
        assert_eq!(
            c.database_uri.unwrap().value,
            "sqlite:///basic_auth.db # not a comment"
        );
        assert_eq!(f.slice(c.section), "[mlflow]");
        assert_eq!(comments.len(), 1);
        assert_eq!(comments[0].line, 9);
    }

    #[test]
    fn no_mlflow_section_no_config() {
        let (_, c, _) = ini("[server]\nport = 1\n");
        assert!(c.is_none());
        let (_, c, _) = ini("key = value\n");
        assert!(c.is_none());
    }

    #[test]
    fn embedded_in_a_config_map_block() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: auth}\ndata:\n  basic_auth.ini: |\n    [mlflow]\n    default_permission = EDIT\n  other.ini: \"[mlflow]\\ndefault_permission = READ\\n\"\n";
        let f = SourceFile::new(
            0,
            "c.yaml".into(),
            "c.yaml".into(),
            FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let model = crate::model::build::build_file(&f, parsed.docs);
        let found = from_config_map(&f, &model.objects[0], 0);
        assert_eq!(found.len(), 2);
        let p = found[0].default_permission.as_ref().unwrap();
        assert_eq!(f.slice(p.span), "EDIT");
        assert_eq!((p.span.start.line, p.span.start.col), (7, 26));
        let q = found[1].default_permission.as_ref().unwrap();
        assert_eq!(q.value, "READ");
        assert!(f.slice(q.span).starts_with("\"[mlflow]"));
    }
}
