//! The `human` format: miette diagnostics with snippets and labels.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::ReportOptions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CheckResult;
use crate::rules;
use crate::source::{SourceFile, Span};

fn source_span(span: Span) -> miette::SourceSpan {
    (span.start.byte as usize, span.len()).into()
}

/// One finding, as miette sees it.
struct Rendered<'a> {
    d: &'a Diagnostic,
    file: &'a SourceFile,
    /// Related locations in other files, each rendered as its own snippet.
    others: Vec<RelatedElsewhere<'a>>,
    header: String,
    url: Option<String>,
}

struct RelatedElsewhere<'a> {
    file: &'a SourceFile,
    span: Span,
    message: String,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.header))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.d.help.is_empty() {
            None
        } else {
            Some(Box::new(&self.d.help))
        }
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(Some(label_text(self.d)), source_span(self.d.span));
        let related = self
            .d
            .related
            .iter()
            .filter(|r| shares_snippet(self.d, r))
            .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), source_span(r.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.others.is_empty() {
            None
        } else {
            Some(Box::new(
                self.others.iter().map(|o| o as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// Lines of context miette shows around a label.
const CONTEXT_LINES: u32 = 2;

/// A related location close enough to the finding to be a second label in
/// the same snippet. Others get a snippet of their own after the finding's,
/// so the first location a reader sees is always the offending node.
fn shares_snippet(d: &Diagnostic, r: &crate::diagnostic::Related) -> bool {
    r.file == d.file && r.span.start.line.abs_diff(d.span.start.line) <= CONTEXT_LINES
}

fn label_text(d: &Diagnostic) -> String {
    format!("{}", d.rule_name)
}

impl fmt::Debug for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for RelatedElsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedElsewhere<'_> {}

impl miette::Diagnostic for RelatedElsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, source_span(self.span)),
        )))
    }
}

pub fn handler(options: &ReportOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES as usize)
        .with_show_related_as_nested(true)
}

/// Render one finding to a string.
pub fn render(handler: &GraphicalReportHandler, result: &CheckResult, d: &Diagnostic) -> String {
    let file = &*result.files[d.file as usize];
    let others = d
        .related
        .iter()
        .filter(|r| !shares_snippet(d, r))
        .map(|r| RelatedElsewhere {
            file: &result.files[r.file as usize],
            span: r.span,
            message: r.message.clone(),
        })
        .collect();
    let url = rules::find(&d.rule_id).map(|r| r.meta.doc_url());
    let rendered = Rendered {
        d,
        file,
        others,
        header: format!("{}[{}] {}", d.severity.as_str(), d.rule_id, d.rule_name),
        url,
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &rendered).is_err() {
        out = super::concise_line(file, d) + "\n";
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn summary_line(result: &CheckResult, elapsed: std::time::Duration) -> String {
    let mut parts = vec![
        plural(result.count(Severity::Error), "error"),
        plural(result.count(Severity::Warning), "warning"),
    ];
    let infos = result.count(Severity::Info);
    if infos > 0 {
        parts.push(plural(infos, "info"));
    }
    format!(
        "{} in {} ({}) in {:.2}s",
        parts.join(", "),
        plural(result.files.len(), "file"),
        plural(result.objects, "object"),
        elapsed.as_secs_f64()
    )
}

pub fn write(out: &mut dyn Write, result: &CheckResult, options: &ReportOptions) -> io::Result<()> {
    use rayon::prelude::*;
    let handler = handler(options);
    let rendered: Vec<String> = result
        .diagnostics
        .par_iter()
        .map(|d| render(&handler, result, d))
        .collect();
    for r in rendered {
        out.write_all(r.as_bytes())?;
        writeln!(out)?;
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(out, "{}", summary_line(result, options.elapsed))
}
