//! The source lines a human-format snippet shows, made safe to print.
//!
//! miette renders a snippet from whatever source it is given. Handing it the
//! whole file would print a minified manifest's one long line in full for
//! every finding on it (1 MB of input gave GBs of report), reach columns past
//! what its renderer can count (it panics past column 65,535), and copy
//! control characters and escape sequences from the file to the terminal.
//! So each snippet gets its own small source: only the lines around its
//! labels, each long line cut to a window around the label (`…` marks the
//! cut), and every unsafe character shown as a visible escape
//! ([`super::safe`]). Labels are mapped into that text, and line numbers and
//! the header's column stay those of the real file.

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::safe;
use crate::source::{Pos, SourceFile, Span};

/// A line longer than this many bytes is shown as a window around a label.
pub const MAX_LINE_BYTES: usize = 400;
/// Characters of a long line shown before the label's column.
const WINDOW_BEFORE: usize = 40;
/// Characters of a long line shown in all.
const WINDOW_CHARS: usize = 160;
const CUT: &str = "…";

/// A bounded, escaped copy of the lines around some labels of one file.
pub struct Snippet {
    name: String,
    /// The lines, each followed by `\n`.
    text: String,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
    /// The real 1-based number of the first line.
    first_line: usize,
    /// Each label's start in `text` with its real 0-based column, so that
    /// the snippet's header names the real position.
    anchors: Vec<(usize, usize)>,
}

/// One end of a label: which span, which end, where.
struct Endpoint {
    line: u32,
    rel: usize,
    label: usize,
    is_end: bool,
}

impl Snippet {
    /// The snippet of `file` for labels on `spans` with `context` lines
    /// around them, and the spans mapped into it (same order).
    pub fn new(file: &SourceFile, spans: &[Span], context: u32) -> (Snippet, Vec<SourceSpan>) {
        // The empty "line" after a final newline is shown only when a
        // label sits on it (a syntax error at the end of the file).
        let mut lines = file.line_count() as u32;
        if lines > 1 && file.text.ends_with('\n') {
            lines -= 1;
        }
        let last_start = spans.iter().map(|s| s.start.line).max().unwrap_or(1);
        let lines = lines.max(last_start);
        let first = spans
            .iter()
            .map(|s| s.start.line)
            .min()
            .unwrap_or(1)
            .saturating_sub(context)
            .max(1);
        let last = spans
            .iter()
            .map(|s| {
                // An end exactly at a line start belongs to the line before.
                if s.end.byte > s.start.byte && s.end.col == 1 && s.end.line > s.start.line {
                    s.end.line - 1
                } else {
                    s.end.line
                }
            })
            .max()
            .unwrap_or(1)
            .saturating_add(context)
            .min(lines)
            .max(first);

        let mut endpoints: Vec<Endpoint> = Vec::with_capacity(spans.len() * 2);
        for (label, span) in spans.iter().enumerate() {
            for (pos, is_end) in [(span.start, false), (span.end, true)] {
                endpoints.push(Endpoint {
                    line: pos.line,
                    rel: (pos.byte as usize).saturating_sub(file.line_start(pos.line)),
                    label,
                    is_end,
                });
            }
        }
        endpoints.sort_by_key(|e| (e.line, e.rel));

        let mut text = String::new();
        let mut line_starts = Vec::with_capacity((last - first + 1) as usize);
        let mut mapped = vec![(0usize, 0usize); spans.len()];
        let mut next = 0;
        // Endpoints before the first line map to the start of the text.
        while next < endpoints.len() && endpoints[next].line < first {
            next += 1;
        }
        for n in first..=last {
            line_starts.push(text.len());
            let raw = file.line_text(n);
            let (from, to) = window(raw, focus(spans, n, file));
            let content_start = if from > 0 {
                text.push_str(CUT);
                text.len()
            } else {
                text.len()
            };
            let mut set = |e: &Endpoint, at: usize| {
                let slot = &mut mapped[e.label];
                if e.is_end {
                    slot.1 = at;
                } else {
                    slot.0 = at;
                }
            };
            // Endpoints left of the window sit at its start.
            while next < endpoints.len() && endpoints[next].line == n && endpoints[next].rel < from
            {
                set(&endpoints[next], content_start);
                next += 1;
            }
            for (i, c) in raw[from..to].char_indices() {
                while next < endpoints.len()
                    && endpoints[next].line == n
                    && endpoints[next].rel <= from + i
                {
                    set(&endpoints[next], text.len());
                    next += 1;
                }
                if c != '\t' && safe::is_unsafe(c) {
                    safe::push_escape(&mut text, c);
                } else {
                    text.push(c);
                }
            }
            // Endpoints right of the window, or in the line terminator.
            while next < endpoints.len() && endpoints[next].line == n {
                set(&endpoints[next], text.len());
                next += 1;
            }
            if to < raw.len() {
                text.push_str(CUT);
            }
            text.push('\n');
        }
        // Endpoints after the last line map to the end of the text.
        for e in &endpoints[next..] {
            let slot = &mut mapped[e.label];
            if e.is_end {
                slot.1 = text.len();
            } else {
                slot.0 = text.len();
            }
        }
        let anchors = spans
            .iter()
            .zip(&mapped)
            .map(|(s, &(start, _))| (start, s.start.col.saturating_sub(1) as usize))
            .collect();
        let source_spans = mapped
            .iter()
            .map(|&(start, end)| (start, end.max(start) - start).into())
            .collect();
        (
            Snippet {
                name: safe::path(&file.display).into_owned(),
                text,
                line_starts,
                first_line: first as usize,
                anchors,
            },
            source_spans,
        )
    }

    /// The snippet for a single label, and the label.
    pub fn single(
        file: &SourceFile,
        span: Span,
        label: Option<String>,
        context: u32,
    ) -> (Snippet, LabeledSpan) {
        let (snippet, spans) = Snippet::new(file, &[span], context);
        (snippet, LabeledSpan::new_primary_with_span(label, spans[0]))
    }

    /// Index of the line holding `byte` of `text`.
    fn line_of(&self, byte: usize) -> usize {
        match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }
}

/// The byte a window of 1-based line `n` is centred on: the first label
/// that starts on it (labels come primary first), else the first that ends
/// on it.
fn focus(spans: &[Span], n: u32, file: &SourceFile) -> usize {
    let rel = |p: Pos| (p.byte as usize).saturating_sub(file.line_start(n));
    spans
        .iter()
        .find(|s| s.start.line == n)
        .map(|s| rel(s.start))
        .or_else(|| spans.iter().find(|s| s.end.line == n).map(|s| rel(s.end)))
        .unwrap_or(0)
}

/// The byte range of `line` to show: all of a short line; of a long one, a
/// window of [`WINDOW_CHARS`] characters starting [`WINDOW_BEFORE`]
/// characters before `focus`. Work is bounded by the window, not the line.
fn window(line: &str, focus: usize) -> (usize, usize) {
    if line.len() <= MAX_LINE_BYTES {
        return (0, line.len());
    }
    let mut focus = focus.min(line.len());
    while !line.is_char_boundary(focus) {
        focus -= 1;
    }
    let from = line[..focus]
        .char_indices()
        .rev()
        .take(WINDOW_BEFORE)
        .last()
        .map_or(focus, |(i, _)| i);
    let to = line[from..]
        .char_indices()
        .nth(WINDOW_CHARS)
        .map_or(line.len(), |(i, _)| from + i);
    (from, to)
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (offset, len) = (span.offset(), span.len());
        if offset + len > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let start_line = self.line_of(offset);
        let mut end_line = self.line_of(offset + len);
        // An end exactly at a line start belongs to the line before.
        if len > 0 && end_line > start_line && self.line_start(end_line) == offset + len {
            end_line -= 1;
        }
        let first = start_line.saturating_sub(context_lines_before);
        let last = (end_line + context_lines_after).min(self.line_starts.len() - 1);
        let start_byte = self.line_start(first);
        // Without the final `\n`: miette adds its own.
        let end_byte = self.line_start(last + 1).saturating_sub(1).max(start_byte);
        let column = self
            .anchors
            .iter()
            .find(|(at, _)| *at == offset)
            .map(|(_, col)| *col)
            .unwrap_or_else(|| {
                self.text[self.line_start(start_line)..offset]
                    .chars()
                    .count()
            });
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[start_byte..end_byte],
            (start_byte, end_byte - start_byte).into(),
            self.first_line + first - 1,
            column,
            last - first + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::test_file as file;

    fn span_of(f: &SourceFile, needle: &str) -> Span {
        let at = f.text.find(needle).unwrap();
        f.span_of_bytes(at..at + needle.len())
    }

    #[test]
    fn short_lines_are_kept_and_labels_map_to_them() {
        let f = file("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\n");
        let (s, spans) = Snippet::new(&f, &[span_of(&f, "4")], 1);
        assert_eq!(s.text, "c: 3\nd: 4\ne: 5\n");
        assert_eq!(s.first_line, 3);
        assert_eq!(&s.text[spans[0].offset()..][..spans[0].len()], "4");
        let contents = s.read_span(&spans[0], 0, 0).unwrap();
        assert_eq!((contents.line(), contents.column()), (3, 3));
    }

    #[test]
    fn long_lines_are_windowed_around_the_label() {
        let long = format!(
            "k: [{}TARGET{}]\n",
            "x, ".repeat(50_000),
            ", y".repeat(50_000)
        );
        let f = file(&long);
        let (s, spans) = Snippet::new(&f, &[span_of(&f, "TARGET")], 2);
        assert!(s.text.len() < 4 * WINDOW_CHARS, "{}", s.text.len());
        assert!(s.text.starts_with(CUT) && s.text.ends_with(&format!("{CUT}\n")));
        assert_eq!(&s.text[spans[0].offset()..][..spans[0].len()], "TARGET");
        let contents = s.read_span(&spans[0], 0, 0).unwrap();
        assert_eq!(contents.column(), 4 + 3 * 50_000);
    }

    #[test]
    fn unsafe_characters_are_escaped_and_labels_follow() {
        let f = file("a: \"\x1b[2J\u{202e}\"\nname: x\n");
        let (s, spans) = Snippet::new(&f, &[span_of(&f, "x")], 2);
        assert_eq!(s.text, "a: \"\\u{1b}[2J\\u{202e}\"\nname: x\n");
        assert_eq!(&s.text[spans[0].offset()..][..spans[0].len()], "x");
    }

    #[test]
    fn multi_line_labels_keep_their_lines() {
        let f = file("a:\n  b: 1\n  c: 2\nd: 3\n");
        let at = f.text.find("  b").unwrap();
        let end = f.text.find("d:").unwrap();
        let span = f.span_of_bytes(at..end);
        let (s, spans) = Snippet::new(&f, &[span], 0);
        assert_eq!(s.text, "  b: 1\n  c: 2\n");
        assert_eq!(spans[0].offset() + spans[0].len(), s.text.len());
    }
}
