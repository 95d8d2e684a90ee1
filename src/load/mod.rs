//! Load: bytes → text → YAML documents (span-carrying trees).
//!
//! The tree is built straight from granit-parser events (the parser that
//! serde-saphyr ships), so every key and value keeps its span, comments are
//! kept for suppressions, and a syntax error in one document does not lose the
//! others: the parser resumes at the next `---`.

pub mod tree;

use std::collections::{HashMap, HashSet};

use granit_parser::{Event, Marker, Options, Parser, StructureStyle};

use crate::source::{Pos, SourceFile, Span};
pub use tree::{Entry, Node, ScalarStyle, Value};

/// One YAML document of a file.
#[derive(Debug)]
pub struct Document {
    /// 0-based position of the document in its file.
    pub index: u32,
    pub root: Node,
    /// The bytes of the file that hold the document, from the start of the
    /// line it starts on: [`reparse_document`] reads them again.
    pub region: std::ops::Range<u32>,
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
    decode_owned(bytes.to_vec())
}

/// [`decode`], reusing the buffer: valid UTF-8 (nearly every file) becomes
/// the text in place, so a file is never held twice while it is parsed.
pub fn decode_owned(mut bytes: Vec<u8>) -> (String, Option<(usize, String)>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return (
            String::new(),
            Some((
                0,
                "file is UTF-16 encoded; tenantlint reads UTF-8 YAML".into(),
            )),
        );
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
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
    match String::from_utf8(bytes) {
        Ok(s) => (normalize_lone_cr(s), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
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
fn normalize_lone_cr(s: String) -> String {
    if !s.as_bytes().contains(&b'\r') {
        return s;
    }
    let mut out = s.into_bytes();
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

/// An open collection. Its children wait on the builder's shared `nodes` /
/// `entries` stacks from index `first` on, and move into a vector of exactly
/// their number when it closes: no growth reallocations, and no spare
/// capacity kept for the whole run (that was a third of the tree's memory).
enum Frame {
    Seq {
        start: Pos,
        flow: bool,
        anchor: usize,
        first: usize,
    },
    Map {
        start: Pos,
        flow: bool,
        anchor: usize,
        first: usize,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    stack: Vec<Frame>,
    nodes: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, Node>,
    /// Bytes copied for anchors and aliases so far in this file (nodes and
    /// their text, [`Node::weight`]); bounded against alias bombs, nested-
    /// anchor bombs and long scalars aliased many times.
    copied_bytes: usize,
    copy_budget: usize,
    /// Where the budget ran out, to report and skip the document.
    over_budget: Option<Span>,
    problems: &'a mut Vec<LoadProblem>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn reset(&mut self) {
        self.stack.clear();
        self.nodes.clear();
        self.entries.clear();
        self.anchors.clear();
        self.root = None;
    }

    /// Count `n` copied bytes against the budget; false once it is spent.
    fn charge(&mut self, n: usize, at: Span) -> bool {
        self.copied_bytes = self.copied_bytes.saturating_add(n);
        if self.copied_bytes > self.copy_budget {
            self.over_budget = Some(at);
            return false;
        }
        true
    }

    /// Attach a finished node to its parent (or make it the document root).
    fn push(&mut self, node: Node, anchor: usize) {
        // An anchored node is copied so that aliases can repeat it; nested
        // anchors copy the same subtree again at every level, so the copies
        // count against the same budget as alias expansion.
        if anchor != 0 && self.charge(node.weight(), node.span) {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { .. }) => self.nodes.push(node),
            Some(Frame::Map { key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => self.entries.push(Entry {
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
/// Linear in the number of keys (a hash set, not a scan per merged key,
/// which made two 60,000-key maps take minutes).
fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    let (merges, mut out): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge_key);
    // Keys are compared as scalars; every non-scalar key counts as one key.
    let mut present: HashSet<Option<Box<str>>> = out
        .iter()
        .map(|e| e.key.as_scalar().map(Box::from))
        .collect();
    for m in merges {
        let sources: Vec<Node> = match m.value.value {
            Value::Map(_) => vec![m.value],
            Value::Seq(items) => items,
            Value::Scalar(..) => Vec::new(),
        };
        for src in sources {
            if let Value::Map(src_entries) = src.value {
                for e in src_entries {
                    if present.insert(e.key.as_scalar().map(Box::from)) {
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

/// Bytes anchors and aliases may copy in any file, on top of four times
/// its size.
const COPY_BUDGET_BASE: usize = 16 << 20;

/// Parse every document of a YAML file. Never fails: problems are returned.
pub fn parse_yaml(file: &SourceFile) -> ParsedYaml {
    let mut docs = Vec::new();
    let (problems, comments) = parse_yaml_each(file, |doc| docs.push(doc));
    ParsedYaml {
        docs,
        problems,
        comments,
    }
}

/// [`parse_yaml`], handing each document to `each` as soon as it is read:
/// a big file's documents need not all be in memory at once. Returns the
/// problems and the comments.
pub fn parse_yaml_each(
    file: &SourceFile,
    mut each: impl FnMut(Document),
) -> (Vec<LoadProblem>, Vec<Comment>) {
    let mut comments = Vec::new();
    let problems = parse_text(file, None, copy_budget(file), &mut each, &mut comments);
    (problems, comments)
}

fn copy_budget(file: &SourceFile) -> usize {
    // Real manifests copy little; the budget bounds the memory anchors
    // and aliases can add to what the file's own nodes take.
    COPY_BUDGET_BASE + 4 * file.text.len()
}

/// The root of the document held by `region` of `file` (a
/// [`Document::region`]), read again, with the spans and anchor budget of
/// the first reading. `None` when the bytes hold no document.
pub fn reparse_document(file: &SourceFile, region: std::ops::Range<u32>) -> Option<Node> {
    let mut root = None;
    parse_text(
        file,
        Some(region.start as usize..region.end as usize),
        copy_budget(file),
        |doc: Document| {
            if root.is_none() {
                root = Some(doc.root);
            }
        },
        &mut Vec::new(),
    );
    root
}

/// Parse `file.text[range]` (a whole file, or whole lines of it), with
/// positions in the whole file.
fn parse_text(
    file: &SourceFile,
    range: Option<std::ops::Range<usize>>,
    budget: usize,
    mut each: impl FnMut(Document),
    comments: &mut Vec<Comment>,
) -> Vec<LoadProblem> {
    let full = file.text.as_str();
    let range = range.unwrap_or(0..full.len());
    let base = range.start;
    let text = full.get(range).unwrap_or("");
    // Lines before the range: the parser counts lines from 1 in it.
    let line_offset = if base == 0 {
        0
    } else {
        file.pos_of_byte(base).line - 1
    };
    let shift = |p: Pos| Pos {
        byte: p.byte + base as u32,
        line: p.line + line_offset,
        col: p.col,
    };
    let shift_span = |s: Span| Span::new(shift(s.start), shift(s.end));
    let mut doc_start: u32 = base as u32;
    let mut parser = Parser::new_from_str_with_options(text, parser_options());
    let mut problems = Vec::new();
    let mut builder = Builder {
        stack: Vec::new(),
        nodes: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        copied_bytes: 0,
        copy_budget: budget,
        over_budget: None,
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
                    span: Span::point(shift(at)),
                    message: format!("invalid YAML: {}", err.info()),
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
            Event::DocumentStart(..) => {
                builder.reset();
                // From the start of its line (columns stay the same when the
                // region is read again).
                let line = shift(pos(&span.start)).line;
                doc_start = file.line_start(line) as u32;
            }
            Event::DocumentEnd => {
                if let Some(mut root) = builder.root.take()
                    && !root.is_null()
                {
                    // Through the end of the line the document ends on:
                    // the `---` or `...` that ended it is read again too
                    // (an empty block scalar's span depends on what
                    // follows it).
                    let end_line = shift(pos(&span.end)).line;
                    let end = file.line_start(end_line + 1).min(full.len()) as u32;
                    root.relocate(file.id, base as u32, line_offset);
                    each(Document {
                        index: doc_index,
                        root,
                        region: doc_start..end.max(doc_start),
                    });
                }
                doc_index += 1;
                builder.reset();
            }
            Event::Comment(text, _) if text.contains("tenantlint") || is_template_source(&text) => {
                comments.push(Comment {
                    line: span.start.line() as u32 + line_offset,
                    span: shift_span(span_of(&span)),
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
                first: builder.nodes.len(),
            }),
            Event::MappingStart(style, anchor, _) => builder.stack.push(Frame::Map {
                start: pos(&span.start),
                flow: style == StructureStyle::Flow,
                anchor,
                first: builder.entries.len(),
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
                        first,
                    } => {
                        let items: Vec<Node> = builder.nodes.drain(first..).collect();
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
                        first,
                        ..
                    } => {
                        let entries: Vec<Entry> = builder.entries.drain(first..).collect();
                        let last = entries.last().map(|e| e.value.span.end);
                        let end = collection_end(flow, event_end, start, last);
                        let node = builder.finish_map(start, end, entries);
                        builder.push(node, anchor);
                    }
                }
            }
            Event::Alias(id) => {
                let Some(count) = builder.anchors.get(&id).map(Node::weight) else {
                    continue;
                };
                if builder.charge(count, span_of(&span))
                    && let Some(target) = builder.anchors.get(&id)
                {
                    let mut node = target.clone();
                    node.span = span_of(&span);
                    builder.push(node, 0);
                }
            }
            _ => {}
        }
        if let Some(at) = builder.over_budget.take() {
            builder.problems.push(LoadProblem::Syntax {
                span: Span::point(shift(at.start)),
                message: format!(
                    "anchors and aliases copy more than {} MB (an alias bomb?); document skipped",
                    builder.copy_budget.div_ceil(1_000_000)
                ),
            });
            builder.reset();
            doc_index += 1;
            // The budget stays spent for the rest of the file (a fresh one
            // per document would let many small bombs add up): later
            // documents load as long as they copy nothing.
            match parser.proceed_next_document() {
                Ok(true) => continue,
                _ => break,
            }
        }
    }
    // Positions inside a region are the region's: duplicate keys too.
    if base != 0 {
        for p in &mut problems {
            match p {
                LoadProblem::Syntax { .. } => {}
                LoadProblem::DuplicateKey { span, first, .. } => {
                    *span = shift_span(*span);
                    *first = shift_span(*first);
                }
            }
        }
    }
    problems
}

/// Helm's `# Source: chart/templates/x.yaml`, written above each rendered
/// document.
pub fn is_template_source(comment: &str) -> bool {
    comment.trim_start().starts_with("Source: ")
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
    fn a_long_scalar_aliased_many_times_is_stopped() {
        // 1 MB anchored once, aliased 3,000 times: 3 GB if copied.
        let mut s = format!("a: &big \"{}\"\nb: [", "x".repeat(1 << 20));
        s.push_str(&vec!["*big"; 3000].join(", "));
        s.push_str("]\n---\nafter: 1\n");
        let p = parse(&s);
        assert!(
            matches!(&p.problems[0], LoadProblem::Syntax { message, .. } if message.contains("alias bomb"))
        );
        assert_eq!(p.docs.len(), 1);
    }

    #[test]
    fn merged_keys_keep_the_first_source_and_explicit_keys_win() {
        let p = parse("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {<<: [*a, *b], x: 0}\n");
        let c = p.docs[0].root.get("c").unwrap();
        let got: Vec<_> = c
            .entries()
            .iter()
            .map(|e| (e.key.as_str().unwrap(), e.value.as_str().unwrap()))
            .collect();
        assert_eq!(got, [("x", "0"), ("y", "1"), ("z", "2")]);
    }

    #[test]
    fn collections_hold_no_spare_capacity() {
        let p = parse("a: {b: 1}\nc: [1, 2, 3]\nd:\n  - e: 1\n    f: 2\n");
        fn check(n: &Node) {
            match &n.value {
                Value::Seq(items) => {
                    assert_eq!(items.capacity(), items.len());
                    items.iter().for_each(check);
                }
                Value::Map(entries) => {
                    assert_eq!(entries.capacity(), entries.len());
                    entries.iter().for_each(|e| check(&e.value));
                }
                Value::Scalar(..) => {}
            }
        }
        check(&p.docs[0].root);
        assert_eq!(
            p.docs[0].root.path(&["d"]).unwrap().items()[0].get_str("f"),
            Some("2")
        );
    }

    #[test]
    fn nested_anchors_count_against_the_copy_budget() {
        let depth = 50;
        let mut s = String::from("a: ");
        for i in 0..depth {
            s.push_str(&format!("&a{i} ["));
        }
        s.push_str(&vec!["x"; 20_000].join(", "));
        s.push_str(&"]".repeat(depth));
        s.push_str("\n---\nafter: 1\n");
        let p = parse(&s);
        assert!(
            matches!(&p.problems[0], LoadProblem::Syntax { message, .. } if message.contains("alias bomb"))
        );
        assert_eq!(p.docs.len(), 1);
        assert_eq!(p.docs[0].root.get_str("after"), Some("1"));
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
