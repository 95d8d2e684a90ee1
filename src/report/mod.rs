//! Report: render findings in the formats of SPEC §3.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
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
}

/// Rendering options.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub format: Format,
    pub color: bool,
    /// Terminal width for wrapping the human format.
    pub width: usize,
    pub elapsed: std::time::Duration,
}

/// `path:line:col: severity[ID] message`
pub fn write_concise(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    for d in &result.diagnostics {
        writeln!(out, "{}", concise_line(file_of(result, d), d))?;
    }
    Ok(())
}

/// One finding as `path:line:col: severity[ID] message`.
pub fn concise_line(file: &SourceFile, d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}",
        file.display,
        d.span.start.line,
        d.span.start.col,
        d.severity.as_str(),
        d.rule_id,
        d.message
    )
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
        Format::Sarif => sarif::write(out, result),
        Format::Junit => junit::write(out, result),
        Format::Github => github::write(out, result, options),
    }
}

/// The file a diagnostic or related location is in.
pub fn file_of<'a>(result: &'a CheckResult, d: &Diagnostic) -> &'a SourceFile {
    &result.files[d.file as usize]
}
