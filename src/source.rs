//! Source files, positions and spans.
//!
//! Every node keeps a [`Span`] with both byte offsets (for slicing and for
//! miette labels) and 1-based line / character-column pairs (what users see).
//! The parser gives us characters-based columns directly; byte offsets come
//! from the same markers, so no position is ever recomputed by rescanning.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in the run's file table.
pub type FileId = u32;

/// A position in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Byte offset into the (BOM-stripped) text.
    pub byte: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode characters.
    pub col: u32,
}

/// A span whose file is the one of the object or finding it belongs to.
pub const NO_FILE: FileId = FileId::MAX;

/// A half-open range of source text: `end` is the position just past the node.
///
/// Nodes of loaded YAML also name their file: a kustomize build puts a
/// patch's nodes into a base's object, and a finding on them must point
/// into the patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
    /// The file the text is in, or [`NO_FILE`]: the file of whatever the
    /// span is reported with.
    pub file: FileId,
}

impl Default for Span {
    fn default() -> Self {
        Span::new(Pos::default(), Pos::default())
    }
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span {
            start,
            end,
            file: NO_FILE,
        }
    }

    /// An empty span at `pos`.
    pub fn point(pos: Pos) -> Self {
        Span::new(pos, pos)
    }

    /// The same range, in `file`.
    pub fn in_file(self, file: FileId) -> Self {
        Span { file, ..self }
    }

    /// The file of the span, or `default` when it names none.
    pub fn file_or(&self, default: FileId) -> FileId {
        if self.file == NO_FILE {
            default
        } else {
            self.file
        }
    }

    /// An empty span at the start of this one (same file).
    pub fn start_point(self) -> Self {
        Span {
            end: self.start,
            ..self
        }
    }

    pub fn byte_range(&self) -> std::ops::Range<usize> {
        self.start.byte as usize..self.end.byte as usize
    }

    pub fn len(&self) -> usize {
        (self.end.byte - self.start.byte) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end.byte == self.start.byte
    }
}

/// A value together with the span of the node it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// What kind of content a file was discovered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// Kubernetes manifests, kustomizations, MLflow YAML files.
    Yaml,
    /// An MLflow `basic_auth.ini`.
    AuthIni,
    /// An MLflow tracking store in SQLite: its text is the rows the model
    /// read, one field per line (see `model::sqlite_store`), never shown
    /// as lines.
    SqliteStore,
    /// A Dockerfile: its image's command and environment.
    Dockerfile,
    /// A shell script: its commands and variables.
    Shell,
}

/// One input file, read once and kept for the whole run (snippets need it).
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path on disk (or the stdin file name).
    pub path: PathBuf,
    /// The path as shown in reports: relative to the current directory when
    /// possible, always with `/` separators.
    pub display: String,
    pub kind: FileKind,
    /// The text, without a UTF-8 BOM. Invalid UTF-8 sequences were replaced.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, display: String, kind: FileKind, text: String) -> Self {
        // Counted first, so that the index holds no spare capacity.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
        SourceFile {
            id,
            path,
            display,
            kind,
            text,
            line_starts,
        }
    }

    /// The file name without directories.
    pub fn file_name(&self) -> &str {
        self.display.rsplit('/').next().unwrap_or(&self.display)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) - 1) as usize;
        self.line_starts
            .get(idx)
            .copied()
            .unwrap_or(self.text.len() as u32) as usize
    }

    /// The text of 1-based `line`, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let start = self.line_start(line);
        let end = self.line_start(line + 1).min(self.text.len());
        let raw = self.text.get(start..end).unwrap_or("");
        raw.trim_end_matches(['\n', '\r'])
    }

    /// Position of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn pos_of_byte(&self, byte: usize) -> Pos {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line_idx = match self.line_starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_idx] as usize;
        let col = self.text[line_start..byte].chars().count() + 1;
        Pos {
            byte: byte as u32,
            line: line_idx as u32 + 1,
            col: col as u32,
        }
    }

    /// Position of `byte` counted on from an earlier position `from`: only
    /// the characters between them are counted, so ascending lookups along
    /// one long line cost its length once, not once per lookup.
    pub fn pos_from(&self, from: Pos, byte: usize) -> Pos {
        let start = from.byte as usize;
        match self.text.get(start..byte) {
            Some(between) if !between.contains('\n') => Pos {
                byte: byte as u32,
                line: from.line,
                col: from.col + between.chars().count() as u32,
            },
            _ => self.pos_of_byte(byte),
        }
    }

    /// Span of a byte range.
    pub fn span_of_bytes(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.pos_of_byte(range.start), self.pos_of_byte(range.end)).in_file(self.id)
    }

    /// The source text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.byte_range()).unwrap_or("")
    }
}

/// Intervals (of lines or bytes of one file) sorted by start, with the
/// largest end so far, to find those that contain a range without scanning
/// them all: one finding looked up among N suppressions or objects costs
/// a binary search and a short walk, not N comparisons.
#[derive(Default)]
pub struct Intervals {
    /// (start, end, value), sorted; `end` inclusive.
    items: Vec<(u64, u64, usize)>,
    max_end: Vec<u64>,
}

impl Intervals {
    pub fn push(&mut self, item: (u64, u64, usize)) {
        self.items.push(item);
    }

    /// Sort; call once after the last [`Intervals::push`].
    pub fn finish(&mut self) {
        self.items.sort_unstable();
        let mut max = 0;
        self.max_end = self
            .items
            .iter()
            .map(|&(_, end, _)| {
                max = max.max(end);
                max
            })
            .collect();
    }

    /// The values of the intervals that contain `[start, end]`, appended
    /// to `out` (unordered). The walk back from the last interval starting
    /// at or before `start` stops where no earlier interval reaches `end`.
    pub fn around(&self, start: u64, end: u64, out: &mut Vec<usize>) {
        let mut k = self.items.partition_point(|&(s, _, _)| s <= start);
        while k > 0 && self.max_end[k - 1] >= end {
            k -= 1;
            let (_, e, value) = self.items[k];
            if e >= end {
                out.push(value);
            }
        }
    }
}

/// The run's file table. Files are shared with the report through `Arc`.
pub type Files = Vec<Arc<SourceFile>>;

/// A file `t.yaml` holding `text`, for unit tests.
/// The first 16 bytes of every SQLite 3 database.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `bytes` start like an SQLite 3 database (an MLflow tracking
/// store): discovery sniffs files with it, the model reads them.
pub fn has_sqlite_header(bytes: &[u8]) -> bool {
    bytes.starts_with(SQLITE_HEADER)
}

#[cfg(test)]
pub(crate) fn test_file(text: &str) -> SourceFile {
    SourceFile::new(
        0,
        "t.yaml".into(),
        "t.yaml".into(),
        FileKind::Yaml,
        text.into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        test_file(text)
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let f = file("a: é\nbé: x\n");
        let x = f.text.find('x').unwrap();
        assert_eq!(
            f.pos_of_byte(x),
            Pos {
                byte: x as u32,
                line: 2,
                col: 5
            }
        );
        assert_eq!(f.line_text(2), "bé: x");
    }

    #[test]
    fn positions_counted_on_from_an_earlier_one() {
        let f = file("a: é\nbé: x y\n");
        let b = f.text.find('b').unwrap();
        let from = f.pos_of_byte(b);
        for at in [b, b + 3, f.text.find('y').unwrap(), f.text.len()] {
            assert_eq!(f.pos_from(from, at), f.pos_of_byte(at), "{at}");
        }
        assert_eq!(f.pos_from(f.pos_of_byte(0), b), f.pos_of_byte(b));
    }

    #[test]
    fn crlf_lines() {
        let f = file("a: 1\r\nb: 2\r\n");
        assert_eq!(f.line_text(1), "a: 1");
        assert_eq!(f.pos_of_byte(6).line, 2);
    }
}
