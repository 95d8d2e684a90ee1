//! Report: render findings in the formats of SPEC §3.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod safe;
pub mod sarif;
pub mod snippet;
pub mod statistics;

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CheckResult;
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Junit,
    Github,
    Gitlab,
}

/// Rendering options.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub format: Format,
    pub color: bool,
    /// Terminal width for wrapping the human format.
    pub width: usize,
    pub elapsed: std::time::Duration,
    /// `-q`: findings only, no summary line.
    pub quiet: bool,
    /// `--fail-on`: the lowest severity that fails the run (`None`: never).
    pub fail_on: Option<Severity>,
    /// The PATHs of the command line (SARIF's analysis category).
    pub linted: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            format: Format::Human,
            color: false,
            width: 10_000,
            elapsed: std::time::Duration::ZERO,
            quiet: false,
            fail_on: Some(Severity::Error),
            linted: Vec::new(),
        }
    }
}

impl ReportOptions {
    /// Does this finding fail the run (`--fail-on`)?
    pub fn fails(&self, d: &Diagnostic) -> bool {
        self.fail_on.is_some_and(|t| d.severity >= t)
    }
}

/// The exit code of a run whose report is `result` (SPEC §2): 1 when a
/// finding is at or above `--fail-on`, else 0.
pub fn exit_code(result: &CheckResult, options: &ReportOptions) -> i32 {
    if result.diagnostics.iter().any(|d| options.fails(d)) {
        1
    } else {
        0
    }
}

/// `path:line:col: severity[ID] message`
pub fn write_concise(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    for d in &result.diagnostics {
        writeln!(out, "{}", concise_line(file_of(result, d), d))?;
    }
    Ok(())
}

/// One finding as `path:line:col: severity[ID] message`, or
/// `path[locator]: severity[ID] message` in a source without lines.
pub fn concise_line(file: &SourceFile, d: &Diagnostic) -> String {
    format!(
        "{}: {}[{}] {}",
        position(file, d.span, d.locator.as_deref()),
        d.severity.as_str(),
        d.rule_id,
        safe::text(&d.shown_message())
    )
}

/// Write a JSON document (pretty, then a newline), with the characters
/// `serde_json` leaves raw escaped ([`safe::JsonWriter`]).
pub fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    // Written as it is serialised, escaped on the way (`safe::JsonWriter`):
    // a big report is never held whole in memory as text.
    let mut w = safe::JsonWriter::new(io::BufWriter::with_capacity(1 << 16, &mut *out));
    serde_json::to_writer_pretty(&mut w, value).map_err(io::Error::other)?;
    w.finish()?.flush()?;
    writeln!(out)
}

/// Where a finding or related location is, for one-line formats:
/// `path:line:col`, or `path[locator]` for a row of an SQLite store.
pub fn position(file: &SourceFile, span: crate::source::Span, locator: Option<&str>) -> String {
    match locator {
        Some(l) => format!("{}[{}]", safe::path(&file.display), safe::text(l)),
        None => format!(
            "{}:{}:{}",
            safe::path(&file.display),
            span.start.line,
            span.start.col
        ),
    }
}

/// Write the report for `result` in the chosen format.
pub fn write_report(
    out: &mut dyn Write,
    result: &CheckResult,
    options: &ReportOptions,
) -> io::Result<()> {
    match options.format {
        Format::Human => human::write(out, result, options),
        Format::Concise => write_concise(out, result),
        Format::Json => json::write(out, result),
        Format::Sarif => sarif::write(out, result, options),
        Format::Junit => junit::write(out, result, options),
        Format::Github => github::write(out, result, options),
        Format::Gitlab => gitlab::write(out, result),
    }
}

/// A fingerprint per finding that survives edits elsewhere in the file
/// ([`sarif::fingerprint_base`]: rule, file, object, message — no line),
/// with findings that hash alike told apart by their order (`…:1`, `…:2`),
/// as GitHub's own `primaryLocationLineHash` does.
pub fn numbered_fingerprints<'a>(
    result: &CheckResult,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    diagnostics
        .into_iter()
        .map(|d| {
            let base = sarif::fingerprint_base(d, &file_of(result, d).display);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            format!("{base}:{n}")
        })
        .collect()
}

/// The file a diagnostic or related location is in.
pub fn file_of<'a>(result: &'a CheckResult, d: &Diagnostic) -> &'a SourceFile {
    &result.files[d.file as usize]
}
