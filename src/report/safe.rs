//! Safe printing (SPEC §3): text taken from the input (names, values, paths,
//! source lines) never reaches a terminal or a CI log raw.
//!
//! A pull request controls that text. Printed raw, a control character or an
//! escape sequence can clear a screen, plant an OSC 8 link or an OSC 52
//! clipboard write, hide a line behind CR or a bidi override, make an XML
//! report invalid, and a newline can start a line with `::`, which GitHub
//! Actions executes as a workflow command. Every such character is shown as a
//! visible Rust-style escape (`\u{1b}`) instead.

use std::borrow::Cow;

/// A character that must not be printed raw: C0 and C1 controls (ESC, CR,
/// LF, NUL, CSI …), DEL, bidi overrides and isolates, line and paragraph
/// separators, and Unicode noncharacters (U+FFFE, U+FFFF, which XML forbids).
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{fdd0}'..='\u{fdef}'
    ) || (c as u32) & 0xfffe == 0xfffe
}

/// `text` with every unsafe character escaped.
pub fn text(text: &str) -> Cow<'_, str> {
    escape_except(text, |_| false)
}

/// `text` with every unsafe character escaped except those `keep` accepts
/// (a format that encodes them itself, such as the `github` format's
/// newlines).
pub fn escape_except(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Append the visible escape of `c`: `\u{1b}`.
pub fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// A path as shown in a report: escaped, and never starting with `:` (a
/// line of `concise` output starts with the path, and a line starting with
/// `::` is a workflow command).
pub fn path(display: &str) -> Cow<'_, str> {
    let escaped = text(display);
    if escaped.starts_with(':') {
        Cow::Owned(format!("./{escaped}"))
    } else {
        escaped
    }
}

/// A writer for a JSON document (JSON, SARIF, GitLab) that writes the
/// unsafe characters `serde_json` leaves raw (DEL, C1 controls, bidi
/// controls, separators, noncharacters) as `\uXXXX` escapes. They can only
/// occur inside strings, so the document means the same and is pure
/// printable text; `serde_json` escapes every C0 control inside strings
/// itself, and the newlines and spaces of a pretty-printed document are its
/// own. The document is written as it is serialised, never held whole in
/// memory; a character split between two writes waits for the rest.
pub struct JsonWriter<W: std::io::Write> {
    out: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> JsonWriter<W> {
    pub fn new(out: W) -> Self {
        JsonWriter {
            out,
            pending: Vec::new(),
        }
    }

    /// The writer, once every byte written is through.
    pub fn finish(mut self) -> std::io::Result<W> {
        if !self.pending.is_empty() {
            // Not UTF-8 (serde_json never writes that): passed on as it is.
            self.out.write_all(&self.pending)?;
        }
        Ok(self.out)
    }

    fn escape(&mut self, text: &str) -> std::io::Result<()> {
        let raw = |c: char| c > '\u{1f}' && is_unsafe(c);
        let mut from = 0;
        for (i, c) in text.char_indices().filter(|&(_, c)| raw(c)) {
            self.out.write_all(&text.as_bytes()[from..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(self.out, "\\u{unit:04x}")?;
            }
            from = i + c.len_utf8();
        }
        self.out.write_all(&text.as_bytes()[from..])
    }
}

impl<W: std::io::Write> std::io::Write for JsonWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let data: &[u8] = if self.pending.is_empty() {
            buf
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), buf].concat();
            &joined
        };
        let valid = match std::str::from_utf8(data) {
            Ok(_) => data.len(),
            // An incomplete character at the end: the rest comes next.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => e.valid_up_to() + e.error_len().unwrap_or(0),
        };
        let (text, rest) = data.split_at(valid);
        match std::str::from_utf8(text) {
            Ok(t) => self.escape(t)?,
            Err(_) => self.out.write_all(text)?,
        }
        self.pending = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `doc` written through a [`JsonWriter`] `step` bytes at a time.
    fn escaped(doc: &str, step: usize) -> String {
        let mut w = JsonWriter::new(Vec::new());
        for chunk in doc.as_bytes().chunks(step) {
            std::io::Write::write_all(&mut w, chunk).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    #[test]
    fn json_writer_escapes_whatever_the_writes() {
        let doc = "{\"a\": \"x\u{202e}y\u{7f}\u{fffe}z é 😀 \u{2028}\u{1ffff}\"}\n";
        let want = "{\"a\": \"x\\u202ey\\u007f\\ufffez é 😀 \\u2028\\ud83f\\udfff\"}\n";
        for step in 1..=doc.len() {
            assert_eq!(escaped(doc, step), want, "{step}");
        }
    }

    #[test]
    fn escapes_controls_bidi_and_noncharacters() {
        assert_eq!(text("plain `name`"), "plain `name`");
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
        assert_eq!(
            text("a\x1b]52;c;eA==\x07b\r\n::add-mask::x"),
            "a\\u{1b}]52;c;eA==\\u{7}b\\u{d}\\u{a}::add-mask::x"
        );
        assert_eq!(text("\u{202e}gpj.exe\0"), "\\u{202e}gpj.exe\\u{0}");
        assert_eq!(text("\u{fffe}\u{ffff}\u{9b}"), "\\u{fffe}\\u{ffff}\\u{9b}");
        assert_eq!(text("\u{1fffe}"), "\\u{1fffe}");
        assert_eq!(text("é ü 中 🙂"), "é ü 中 🙂");
    }

    #[test]
    fn keeps_what_a_format_encodes_itself() {
        assert_eq!(escape_except("a\n\x1bb", |c| c == '\n'), "a\n\\u{1b}b");
    }

    #[test]
    fn paths_never_start_a_workflow_command() {
        assert_eq!(path("::error file=x::y.yaml"), "./::error file=x::y.yaml");
        assert_eq!(path("dir/a.yaml"), "dir/a.yaml");
    }

    #[test]
    fn json_escapes_stay_valid_json() {
        let doc = serde_json::to_string_pretty(&serde_json::json!({
            "m": "a\u{202e}b\u{9b}c\u{7f}\u{fffe}\u{1ffff}\x1b"
        }))
        .unwrap();
        let safe = escaped(&doc, doc.len());
        assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        let orig: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(back, orig);
    }
}
