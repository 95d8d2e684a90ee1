//! Load: bytes → text → YAML documents (span-carrying trees).
//!
//! The tree is built straight from granit-parser events (the parser that
//! serde-saphyr ships), so every key and value keeps its span, comments are
//! kept for suppressions, and a syntax error in one document does not lose the
//! others: the parser resumes at the next `---`.

pub mod tree;

use std::collections::HashMap;

use granit_parser::{Event, Marker, Options, Parser, StructureStyle};

use crate::source::{Pos, SourceFile, Span};
pub use tree::{Entry, Node, ScalarStyle, Value};

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// 0-based position of the document in its file.
    pub index: u32,
    pub root: Node,
}

/// A comment that mentions tenantlint (kept for suppressions).
#[derive(Clone, Debug)]
pub struct Comment {
    pub line: u32,
    /// The whole comment, `#` included.
    pub span: Span,
    /// The text after `#`, trimmed.
    pub text: String,
}

/// Something wrong with the file as YAML. Becomes YAML001 or YAML002.
#[derive(Clone, Debug)]
pub enum LoadProblem {
    /// Not valid YAML (or not text at all) — YAML001.
    Syntax { span: Span, message: String },
    /// A mapping key given twice — YAML002. `first` is the earlier key.
    DuplicateKey {
        key: String,
        span: Span,
        first: Span,
    },
}

#[derive(Debug, Default)]
pub struct ParsedYaml {
    pub docs: Vec<Document>,
    pub problems: Vec<LoadProblem>,
    pub comments: Vec<Comment>,
}

/// Turn raw bytes into text, or explain why they are not YAML text.
/// Always returns text to show in snippets (lossy where needed).
pub fn decode(bytes: &[u8]) -> (String, Option<(usize, String)>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return (
            String::new(),
            Some((
                0,
                "file is UTF-16 encoded; tenantlint reads UTF-8 YAML".into(),
            )),
        );
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(nul) = head.iter().position(|b| *b == 0) {
        return (
            String::new(),
            Some((
                nul,
                "file is binary (it contains NUL bytes), not YAML".into(),
            )),
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (normalize_lone_cr(s), None),
        Err(e) => {
            let at = e.valid_up_to();
            (
                String::from_utf8_lossy(bytes).into_owned(),
                Some((
                    at,
                    format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                )),
            )
        }
    }
}

/// YAML also ends lines with a lone `\r` (classic Mac OS), but our line
/// index counts `\n` only: a finding would show line 5 in text reports and
/// line 1 in its snippet. A lone `\r` is turned into `\n`, which is the same
/// line break to YAML and keeps every byte offset; `\r\n` is left alone.
fn normalize_lone_cr(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes.contains(&b'\r') {
        return s.to_string();
    }
    let mut out = bytes.to_vec();
    for i in 0..out.len() {
        if out[i] == b'\r' && out.get(i + 1) != Some(&b'\n') {
            out[i] = b'\n';
        }
    }
    // Swapping one ASCII byte for another keeps the text valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn pos(m: &Marker) -> Pos {
    Pos {
        byte: m.byte_offset().unwrap_or(0) as u32,
        line: m.line() as u32,
        col: m.col() as u32 + 1,
    }
}

fn span_of(s: &granit_parser::Span) -> Span {
    Span::new(pos(&s.start), pos(&s.end))
}

enum Frame {
    Seq {
        start: Pos,
        flow: bool,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Pos,
        flow: bool,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// Nodes created by alias expansion so far; bounded against alias bombs.
    alias_nodes: usize,
    alias_budget: usize,
    problems: &'a mut Vec<LoadProblem>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn reset(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.root = None;
    }

    /// Attach a finished node to its parent (or make it the document root).
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }

    fn finish_map(&mut self, start: Pos, end: Pos, mut entries: Vec<Entry>) -> Node {
        self.check_duplicates(&entries);
        if entries.iter().any(is_merge_key) {
            entries = merge_keys(entries);
        }
        Node {
            span: Span::new(start, end),
            value: Value::Map(entries),
        }
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        let mut report = |first: &Entry, dup: &Entry| {
            if let Some(k) = dup.key.as_scalar() {
                self.problems.push(LoadProblem::DuplicateKey {
                    key: k.to_string(),
                    span: dup.key.span,
                    first: first.key.span,
                });
            }
        };
        fn key(e: &Entry) -> Option<&str> {
            e.key.as_scalar().filter(|k| !is_merge(k))
        }
        if entries.len() <= 16 {
            for (i, e) in entries.iter().enumerate() {
                let Some(k) = key(e) else { continue };
                if let Some(first) = entries[..i].iter().find(|p| key(p) == Some(k)) {
                    report(first, e);
                }
            }
        } else {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                let Some(k) = key(e) else { continue };
                if let Some(&j) = seen.get(k) {
                    report(&entries[j], e);
                } else {
                    seen.insert(k, i);
                }
            }
        }
    }
}

fn is_merge(k: &str) -> bool {
    k == "<<"
}

fn is_merge_key(e: &Entry) -> bool {
    matches!(&e.key.value, Value::Scalar(k, ScalarStyle::Plain) if is_merge(k))
}

/// Apply YAML merge keys (`<<: *base`), as kubectl's YAML 1.1 reader does:
/// explicit keys win, then earlier merged maps win over later ones.
fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    let (merges, mut out): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge_key);
    for m in merges {
        let sources: Vec<Node> = match m.value.value {
            Value::Map(_) => vec![m.value],
            Value::Seq(items) => items,
            Value::Scalar(..) => Vec::new(),
        };
        for src in sources {
            if let Value::Map(src_entries) = src.value {
                for e in src_entries {
                    let k = e.key.as_scalar();
                    if !out.iter().any(|o| o.key.as_scalar() == k) {
                        out.push(e);
                    }
                }
            }
        }
    }
    out
}

/// The parser settings of the loader (public so that the bare-parser bench
/// measures the same work). Depth 128 is ample for CRD schemas and keeps a
/// deep-nesting bomb from growing our stack of frames.
pub fn parser_options() -> Options {
    let mut options = Options::default();
    options.flow_nesting_limit = 128;
    options.block_nesting_limit = 128;
    options.max_buffered_comment_events = 4096;
    options
}

/// Parse every document of a YAML file. Never fails: problems are returned.
pub fn parse_yaml(file: &SourceFile) -> ParsedYaml {
    let text = file.text.as_str();
    let mut out = ParsedYaml::default();
    let mut parser = Parser::new_from_str_with_options(text, parser_options());
    let mut problems = Vec::new();
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        alias_budget: 100_000 + text.len() * 4,
        problems: &mut problems,
        root: None,
    };
    let mut doc_index: u32 = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ev) => ev,
            Err(err) => {
                let at = pos(err.marker());
                let at = Pos {
                    byte: at.byte.min(text.len() as u32),
                    ..at
                };
                builder.problems.push(LoadProblem::Syntax {
                    span: Span::point(at),
                    message: err.info(),
                });
                builder.reset();
                doc_index += 1;
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        };
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => builder.reset(),
            Event::DocumentEnd => {
                if let Some(root) = builder.root.take()
                    && !root.is_null()
                {
                    out.docs.push(Document {
                        index: doc_index,
                        root,
                    });
                }
                doc_index += 1;
                builder.reset();
            }
            Event::Comment(text, _) if text.contains("tenantlint") => {
                out.comments.push(Comment {
                    line: span.start.line() as u32,
                    span: span_of(&span),
                    text: text.trim().to_string(),
                });
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let style = match style {
                    granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
                    granit_parser::ScalarStyle::Literal | granit_parser::ScalarStyle::Folded => {
                        ScalarStyle::Block
                    }
                    _ => ScalarStyle::Quoted,
                };
                builder.push(Node::scalar(&value, style, span_of(&span)), anchor);
            }
            Event::SequenceStart(style, anchor, _) => builder.stack.push(Frame::Seq {
                start: pos(&span.start),
                flow: style == StructureStyle::Flow,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(style, anchor, _) => builder.stack.push(Frame::Map {
                start: pos(&span.start),
                flow: style == StructureStyle::Flow,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = builder.stack.pop() else {
                    continue;
                };
                let event_end = pos(&span.end);
                match frame {
                    Frame::Seq {
                        start,
                        flow,
                        anchor,
                        items,
                    } => {
                        let end = collection_end(
                            flow,
                            event_end,
                            start,
                            items.last().map(|n| n.span.end),
                        );
                        let node = Node {
                            span: Span::new(start, end),
                            value: Value::Seq(items),
                        };
                        builder.push(node, anchor);
                    }
                    Frame::Map {
                        start,
                        flow,
                        anchor,
                        entries,
                        ..
                    } => {
                        let last = entries.last().map(|e| e.value.span.end);
                        let end = collection_end(flow, event_end, start, last);
                        let node = builder.finish_map(start, end, entries);
                        builder.push(node, anchor);
                    }
                }
            }
            Event::Alias(id) => {
                let Some(target) = builder.anchors.get(&id) else {
                    continue;
                };
                builder.alias_nodes += target.count();
                if builder.alias_nodes > builder.alias_budget {
                    builder.problems.push(LoadProblem::Syntax {
                        span: span_of(&span),
                        message: format!(
                            "aliases expand to more than {} nodes (an alias bomb?); document skipped",
                            builder.alias_budget
                        ),
                    });
                    builder.reset();
                    doc_index += 1;
                    match parser.proceed_next_document() {
                        Ok(true) => continue,
                        _ => break,
                    }
                }
                let mut node = target.clone();
                node.span = span_of(&span);
                builder.push(node, 0);
            }
            _ => {}
        }
    }
    out.problems = problems;
    out
}

/// Block collections end where their last child ends (the end event sits on
/// the next token, often lines later); flow collections end after `]` / `}`.
fn collection_end(flow: bool, event_end: Pos, start: Pos, last_child: Option<Pos>) -> Pos {
    if flow {
        event_end
    } else {
        last_child.unwrap_or(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn parse(text: &str) -> ParsedYaml {
        let f = SourceFile::new(
            0,
            "t.yaml".into(),
            "t.yaml".into(),
            FileKind::Yaml,
            text.into(),
        );
        parse_yaml(&f)
    }

    #[test]
    fn spans_are_exact_and_columns_count_characters() {
        let p = parse("a: é\nname: tenant2\n");
        let root = &p.docs[0].root;
        let v = root.get("name").unwrap();
        assert_eq!((v.span.start.line, v.span.start.col), (2, 7));
        assert_eq!((v.span.end.line, v.span.end.col), (2, 14));
        let a = root.get("a").unwrap();
        assert_eq!(a.span.end.col, 5);
    }

    #[test]
    fn syntax_error_keeps_other_documents() {
        let p = parse("a: 1\n---\nb: [1, 2\n---\nc: 3\n");
        assert_eq!(p.problems.len(), 1);
        assert!(matches!(p.problems[0], LoadProblem::Syntax { .. }));
        let keys: Vec<_> = p
            .docs
            .iter()
            .map(|d| d.root.entries()[0].key.as_str().unwrap().to_string())
            .collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(p.docs[1].index, 2);
    }

    #[test]
    fn duplicate_keys_are_reported_on_the_second_key() {
        let p = parse("a: 1\nb: 2\na: 3\n");
        match &p.problems[0] {
            LoadProblem::DuplicateKey { key, span, first } => {
                assert_eq!(key, "a");
                assert_eq!(span.start.line, 3);
                assert_eq!(first.start.line, 1);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(p.docs[0].root.get_str("a"), Some("3"));
    }

    #[test]
    fn merge_keys_and_aliases() {
        let p = parse("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n");
        let obj = p.docs[0].root.get("obj").unwrap();
        assert_eq!(obj.get_str("x"), Some("1"));
        assert_eq!(obj.get_str("y"), Some("3"));
        assert!(p.problems.is_empty());
    }

    #[test]
    fn alias_bomb_is_stopped() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let p = parse(&s);
        assert!(p.docs.is_empty());
        assert!(matches!(p.problems[0], LoadProblem::Syntax { .. }));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(100_000);
        let p = parse(&s);
        assert!(!p.problems.is_empty());
        let s = (0..5000)
            .map(|i| format!("{}- ", " ".repeat(i * 2)))
            .collect::<Vec<_>>()
            .join("\n");
        let p = parse(&s);
        assert!(!p.problems.is_empty());
    }

    #[test]
    fn crlf_and_empty_documents() {
        let p = parse("---\r\n---\r\nname: x\r\n");
        assert_eq!(p.docs.len(), 1);
        let v = p.docs[0].root.get("name").unwrap();
        assert_eq!(
            (v.span.start.line, v.span.start.col, v.span.end.col),
            (3, 7, 8)
        );
    }

    #[test]
    fn decode_detects_bad_text() {
        assert!(decode(b"\xFF\xFEa\0").1.is_some());
        assert!(decode(b"a: \0\x01").1.is_some());
        let (t, p) = decode(b"a: \xC3(\n");
        assert!(p.is_some());
        assert!(t.starts_with("a: "));
        let (t, p) = decode(b"\xEF\xBB\xBFa: 1\n");
        assert!(p.is_none());
        assert_eq!(t, "a: 1\n");
        let (t, _) = decode(b"a: 1\rb: 2\r\nc: 3\r");
        assert_eq!(t, "a: 1\nb: 2\r\nc: 3\n");
    }
}
