//! The `human` format: miette diagnostics with snippets and labels.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::ReportOptions;
use super::safe;
use super::snippet::Snippet;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CheckResult;
use crate::rules;

/// One finding, as miette sees it. Every text from the input is escaped
/// ([`safe`]) and the snippet is bounded ([`Snippet`]).
struct Rendered {
    message: String,
    severity: miette::Severity,
    help: String,
    snippet: Snippet,
    labels: Vec<LabeledSpan>,
    /// Related locations in other files, each rendered as its own snippet.
    others: Vec<RelatedElsewhere>,
    header: String,
    url: Option<String>,
}

struct RelatedElsewhere {
    /// `None` for a row of a store without lines: the message names it.
    snippet: Option<(Snippet, LabeledSpan)>,
    message: String,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.header))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.help.is_empty() {
            None
        } else {
            Some(Box::new(&self.help))
        }
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
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
    r.file == d.file
        && r.locator.is_none()
        && r.span.start.line.abs_diff(d.span.start.line) <= CONTEXT_LINES
}

impl fmt::Debug for RelatedElsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for RelatedElsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedElsewhere {}

impl miette::Diagnostic for RelatedElsewhere {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, label) = self.snippet.as_ref()?;
        Some(Box::new(std::iter::once(label.clone())))
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
    let url = rules::find(&d.rule_id).map(|r| r.meta.doc_url());
    if let Some(locator) = &d.locator {
        return render_row(result, d, locator, url.as_deref());
    }
    let others = d
        .related
        .iter()
        .filter(|r| !shares_snippet(d, r))
        .map(|r| {
            let related_file = &result.files[r.file as usize];
            match &r.locator {
                Some(l) => RelatedElsewhere {
                    snippet: None,
                    message: format!(
                        "{} ({})",
                        safe::text(&r.message),
                        super::position(related_file, r.span, Some(l))
                    ),
                },
                None => RelatedElsewhere {
                    snippet: Some(Snippet::single(related_file, r.span, None, CONTEXT_LINES)),
                    message: safe::text(&r.message).into_owned(),
                },
            }
        })
        .collect();
    // The finding's own labels: the offending node first, then the related
    // locations close enough to share its snippet.
    let nearby: Vec<_> = d.related.iter().filter(|r| shares_snippet(d, r)).collect();
    let spans: Vec<_> = std::iter::once(d.span)
        .chain(nearby.iter().map(|r| r.span))
        .collect();
    let (snippet, spans) = Snippet::new(file, &spans, CONTEXT_LINES);
    let labels = spans
        .into_iter()
        .enumerate()
        .map(|(i, span)| {
            if i == 0 {
                LabeledSpan::new_primary_with_span(Some(d.rule_name.to_string()), span)
            } else {
                LabeledSpan::new_with_span(
                    Some(safe::text(&nearby[i - 1].message).into_owned()),
                    span,
                )
            }
        })
        .collect();
    let rendered = Rendered {
        message: safe::text(&d.shown_message()).into_owned(),
        help: safe::text(&d.help).into_owned(),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        snippet,
        labels,
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

/// A finding in a row of an SQLite store: the row's values in place of a
/// snippet, the offending column marked.
fn render_row(result: &CheckResult, d: &Diagnostic, locator: &str, url: Option<&str>) -> String {
    use std::fmt::Write as _;
    let file = &*result.files[d.file as usize];
    let mut out = format!("{}[{}] {}", d.severity.as_str(), d.rule_id, d.rule_name);
    if let Some(url) = url {
        let _ = write!(out, " ({url})");
    }
    let mark = match d.severity {
        Severity::Error => "×",
        Severity::Warning => "⚠",
        Severity::Info => "☞",
    };
    let _ = write!(out, "\n\n  {mark} {}\n", safe::text(&d.shown_message()));
    let _ = writeln!(
        out,
        "   ╭─[{}]",
        super::position(file, d.span, Some(locator))
    );
    let fields = crate::model::sqlite_store::row_fields(&file.text, d.span);
    let width = fields
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0);
    let column = locator.rsplit('/').next().unwrap_or("");
    for (c, v) in &fields {
        let _ = write!(out, "   │ {:width$}  {}", safe::text(c), safe::text(v));
        if *c == column {
            let _ = write!(out, "  ◀ {}", d.rule_name);
        }
        out.push('\n');
    }
    out.push_str("   ╰────\n");
    if !d.help.is_empty() {
        let _ = writeln!(out, "  help: {}", safe::text(&d.help));
    }
    for r in &d.related {
        let at = super::position(&result.files[r.file as usize], r.span, r.locator.as_deref());
        let _ = writeln!(out, "  ☞ {}\n    at {at}", safe::text(&r.message));
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

/// The built-in platform namespaces the run assumed (SPEC §4), so that a
/// user sees why they got no tenant findings and how to claim one back.
pub fn platform_line(result: &CheckResult) -> Option<String> {
    if result.platform_namespaces.is_empty() {
        return None;
    }
    let names: Vec<String> = result
        .platform_namespaces
        .iter()
        .map(|n| format!("`{n}`"))
        .collect();
    Some(format!(
        "assumed platform namespaces (no tenant's): {}; list the ones that are tenants under `tenant-namespaces` in the config",
        names.join(", ")
    ))
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
    writeln!(out, "{}", summary_line(result, options.elapsed))?;
    if let Some(effect) = &result.config {
        writeln!(out, "{}", config_line(effect))?;
    }
    if let Some(line) = platform_line(result) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// One line for the human summary: what the config file turns off.
fn config_line(effect: &crate::config::ConfigEffect) -> String {
    let mut parts = Vec::new();
    let total = crate::rules::all().count();
    match effect.rules_off.len() {
        0 => {}
        n if n == total => parts.push(format!("turns off all {n} rules")),
        1 => parts.push(format!("turns off {}", effect.rules_off[0])),
        n => parts.push(format!(
            "turns off {n} rules: {}",
            effect.rules_off.join(", ")
        )),
    }
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|p| format!("`{}`", safe::text(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !effect.exclude.is_empty() {
        parts.push(format!("excludes {}", quoted(&effect.exclude)));
    }
    for (glob, rules) in &effect.per_path_ignores {
        parts.push(format!(
            "ignores {} in `{}`",
            quoted(rules),
            safe::text(glob)
        ));
    }
    let file = safe::path(&effect.file);
    if parts.is_empty() {
        format!("config: {file}")
    } else {
        format!("config: {file} {}", parts.join("; "))
    }
}
