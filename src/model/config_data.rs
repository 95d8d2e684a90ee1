//! The keys of ConfigMaps and Secrets as a container sees them: a
//! ConfigMap's `data`, a Secret's `stringData` and its base64 `data`
//! (decoded), each with the node a finding about the value sits on.

use std::collections::HashMap;

use crate::load::Node;
use crate::model::Object;
use crate::source::{FileId, Span};

/// Which kind of object a reference names (`configMapRef` / `secretRef`,
/// `configMapKeyRef` / `secretKeyRef`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    ConfigMap,
    Secret,
}

impl DataKind {
    pub fn kind(self) -> &'static str {
        match self {
            DataKind::ConfigMap => "ConfigMap",
            DataKind::Secret => "Secret",
        }
    }
}

/// One key of a ConfigMap or Secret.
#[derive(Clone, Debug)]
pub struct DataValue<'n> {
    pub key: &'n str,
    /// The text the container sees (decoded for a Secret's `data`).
    pub text: String,
    /// The value node as written: plain text (`data` of a ConfigMap,
    /// `stringData`) whose lines are the value's lines.
    pub node: &'n Node,
    /// Whether `text` was decoded from base64 (a Secret's `data`): the
    /// source shows only the encoding, so findings sit on `key_span`.
    pub encoded: bool,
    pub key_span: Span,
}

impl DataValue<'_> {
    /// Where a finding about the whole value sits: the value as written,
    /// or the key of an encoded one.
    pub fn span(&self) -> Span {
        if self.encoded {
            self.key_span
        } else {
            self.node.span
        }
    }
}

/// A ConfigMap or a Secret (whose tree [`data_values`] reads: other
/// objects' trees need not be read, in a big set again from their files).
pub fn holds_data(obj: &Object) -> bool {
    obj.is_kind("", "Secret") || obj.is_kind("", "ConfigMap")
}

/// The keys of a ConfigMap (`data`) or Secret (`data` decoded, then
/// `stringData`, which the API server merges over `data`), in that order;
/// a later key of the same name wins. Values that are not text (a mapping,
/// a sequence, base64 that does not decode to UTF-8) are left out.
pub fn data_values<'a>(obj: &Object, root: &'a Node) -> Vec<DataValue<'a>> {
    let mut out = Vec::new();
    let secret = obj.is_kind("", "Secret");
    if !holds_data(obj) {
        return out;
    }
    if let Some(data) = root.get("data") {
        for e in data.entries() {
            let (Some(key), Some(raw)) = (e.key.as_str(), e.value.as_str()) else {
                continue;
            };
            let text = if secret {
                match decode_base64(raw).and_then(|b| String::from_utf8(b).ok()) {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                raw.to_string()
            };
            out.push(DataValue {
                key,
                text,
                node: &e.value,
                encoded: secret,
                key_span: e.key.span,
            });
        }
    }
    if secret && let Some(data) = root.get("stringData") {
        for e in data.entries() {
            let (Some(key), Some(raw)) = (e.key.as_str(), e.value.as_str()) else {
                continue;
            };
            out.push(DataValue {
                key,
                text: raw.to_string(),
                node: &e.value,
                encoded: false,
                key_span: e.key.span,
            });
        }
    }
    out
}

/// One key of a ConfigMap or Secret, owned.
#[derive(Clone, Debug)]
pub struct DataEntry {
    pub text: String,
    /// See [`DataValue::span`].
    pub span: Span,
}

/// The keys of one ConfigMap or Secret, read (and decoded) once and
/// shared by every container that refers to it; looked up by key.
#[derive(Debug)]
pub struct DataTable {
    pub file: FileId,
    /// The object's index in the set.
    pub object: usize,
    entries: HashMap<String, DataEntry>,
}

impl DataTable {
    pub fn new(object: usize, obj: &Object) -> DataTable {
        let entries = data_values(obj, &obj.root())
            .into_iter()
            .map(|v| {
                let span = v.span();
                (v.key.to_string(), DataEntry { text: v.text, span })
            })
            .collect();
        DataTable {
            file: obj.file,
            object,
            entries,
        }
    }

    /// The value of `key` (the last definition).
    pub fn get(&self, key: &str) -> Option<&DataEntry> {
        self.entries.get(key)
    }
}

/// Decode standard base64 (RFC 4648, `+/`, `=` padding optional), ignoring
/// whitespace and line breaks as Kubernetes' decoder of a YAML block does.
/// `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        // Data after padding is not base64.
        if padding > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Left-over bits: 0 (complete), 2 or 4 (one or two padding characters
    // due); 6 is a lone character, which no encoder writes.
    (bits != 6 && padding <= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    #[test]
    fn base64_like_the_api_server() {
        assert_eq!(decode_base64("MC4wLjAuMA==").unwrap(), b"0.0.0.0");
        assert_eq!(decode_base64("MC4wLjAuMA").unwrap(), b"0.0.0.0");
        assert_eq!(decode_base64("YWJj\n ZGVm").unwrap(), b"abcdef");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("not base64!").is_none());
        assert!(decode_base64("YQ==YQ").is_none());
        assert!(decode_base64("Y").is_none());
    }

    #[test]
    fn secret_string_data_wins_over_data() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  HOST: MTI3LjAuMC4x\n  BAD: \"%%%\"\nstringData:\n  HOST: 0.0.0.0\n";
        let f = SourceFile::new(
            0,
            "s.yaml".into(),
            "s.yaml".into(),
            FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let model = crate::model::build::build_file(&f, parsed.docs);
        let obj = &model.objects[0];
        let root = obj.root();
        let all = data_values(obj, &root);
        assert_eq!(all.len(), 2, "the undecodable key is left out");
        assert_eq!(all[0].text, "127.0.0.1");
        assert_eq!(f.slice(all[0].span()), "HOST");
        let table = DataTable::new(0, obj);
        let host = table.get("HOST").unwrap();
        assert_eq!(host.text, "0.0.0.0");
        assert_eq!(f.slice(host.span), "0.0.0.0");
        assert!(table.get("BAD").is_none());
    }
}
