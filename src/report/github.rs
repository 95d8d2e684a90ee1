//! The `github` format: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request (SPEC §3).
//!
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=ID name::message`
//!
//! GitHub shows only the first 10 annotations of each level per step, so
//! errors come first, then warnings, then notices (our `info`); within a
//! level, the usual file/line/column order. A plain summary line ends the
//! output.

use std::io::{self, Write};

use super::ReportOptions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CheckResult;

/// Escape a command's data (the message), as `@actions/core` does, after
/// making every other unsafe character a visible escape (SPEC §3): a line
/// break becomes `%0A`, so no input can start a line of its own.
pub fn escape_data(s: &str) -> String {
    super::safe::escape_except(s, |c| c == '\r' || c == '\n')
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: also `:` and `,`, which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command, without the line terminator.
pub fn annotation(file: &str, d: &Diagnostic) -> String {
    // A row of an SQLite store: the file, no line, and the row in the message.
    if let Some(locator) = &d.locator {
        return format!(
            "::{} file={},title={}::{}",
            command(d.severity),
            escape_property(file),
            escape_property(&format!("{} {}", d.rule_id, d.rule_name)),
            escape_data(&format!("{locator}: {}", d.shown_message()))
        );
    }
    let (start, end) = (d.span.start, d.span.end);
    let line = start.line.max(1);
    let end_line = end.line.max(line);
    // The runner drops `col` and `endColumn` unless the annotation sits on
    // one line (annotations cannot carry columns across lines), so a
    // multi-line node is given as its line range only.
    let position = if end_line == line {
        format!(
            "line={line},col={},endLine={end_line},endColumn={}",
            start.col.max(1),
            end.col.max(start.col.max(1))
        )
    } else {
        format!("line={line},endLine={end_line}")
    };
    format!(
        "::{} file={},{position},title={}::{}",
        command(d.severity),
        escape_property(file),
        escape_property(&format!("{} {}", d.rule_id, d.rule_name)),
        escape_data(&d.shown_message())
    )
}

pub fn write(out: &mut dyn Write, result: &CheckResult, options: &ReportOptions) -> io::Result<()> {
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        for d in result.diagnostics.iter().filter(|d| d.severity == severity) {
            let file = &result.files[d.file as usize].display;
            writeln!(out, "{}", annotation(file, d))?;
        }
    }
    if options.quiet {
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        super::human::summary_line(result, options.elapsed)
    )
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use super::*;
    use crate::report::Format;
    use crate::source::{FileKind, Pos, SourceFile, Span};

    fn pos(line: u32, col: u32) -> Pos {
        Pos { byte: 0, line, col }
    }

    fn diag(severity: Severity, id: &'static str, message: &str, span: Span) -> Diagnostic {
        Diagnostic {
            rule_id: Cow::Borrowed(id),
            rule_name: Cow::Borrowed("some-rule"),
            severity,
            message: message.to_string(),
            help: String::new(),
            file: 0,
            span,
            object: None,
            related: Vec::new(),
            suppressed_by: None,
            locator: None,
            source: None,
        }
    }

    fn result(display: &str, diagnostics: Vec<Diagnostic>) -> CheckResult {
        let file = SourceFile::new(
            0,
            display.into(),
            display.into(),
            FileKind::Yaml,
            String::new(),
        );
        CheckResult {
            files: vec![Arc::new(file)],
            diagnostics,
            suppressed: Vec::new(),
            fingerprints: Vec::new(),
            documents: 1,
            objects: 1,
            warnings: Vec::new(),
            config: None,
            index: None,
            platform_namespaces: Vec::new(),
        }
    }

    fn render(r: &CheckResult) -> String {
        let options = ReportOptions {
            format: Format::Github,
            color: false,
            width: 80,
            elapsed: std::time::Duration::ZERO,
            ..ReportOptions::default()
        };
        let mut out = Vec::new();
        write(&mut out, r, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(
            escape_property("100% a:b,c\r\nd"),
            "100%25 a%3Ab%2Cc%0D%0Ad"
        );
        // `%` first, so an already-escaped-looking input stays literal.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(
            escape_data("a\x1b[2J\u{202e}\n::stop-commands::x"),
            "a\\u{1b}[2J\\u{202e}%0A::stop-commands::x"
        );
    }

    #[test]
    fn every_line_is_one_escaped_command() {
        let span = Span::new(pos(3, 5), pos(3, 12));
        let r = result(
            "dir,with:odd %chars/a b.yaml",
            vec![
                diag(
                    Severity::Warning,
                    "NS002",
                    "50% of `a: b, c`\nsecond line\r\nthird",
                    span,
                ),
                diag(Severity::Info, "MLF003", "note: x, y", span),
                diag(Severity::Error, "NS003", "bad: `x`, `y` at 100%", span),
            ],
        );
        let text = render(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        let file = "dir%2Cwith%3Aodd %25chars/a b.yaml";
        assert_eq!(
            lines[0],
            format!(
                "::error file={file},line=3,col=5,endLine=3,endColumn=12,title=NS003 some-rule::bad: `x`, `y` at 100%25"
            )
        );
        assert_eq!(
            lines[1],
            format!(
                "::warning file={file},line=3,col=5,endLine=3,endColumn=12,title=NS002 some-rule::50%25 of `a: b, c`%0Asecond line%0D%0Athird"
            )
        );
        assert_eq!(
            lines[2],
            format!(
                "::notice file={file},line=3,col=5,endLine=3,endColumn=12,title=MLF003 some-rule::note: x, y"
            )
        );
        assert!(lines[3].starts_with("1 error, 1 warning, 1 info in 1 file"));
        assert!(!text.contains('\r'));
        for line in &lines[..3] {
            let (props, _message) = line[2..].split_once("::").unwrap();
            let (_cmd, props) = props.split_once(' ').unwrap();
            // Every property splits cleanly on `,` and its first `=`.
            let keys: Vec<&str> = props
                .split(',')
                .map(|p| p.split_once('=').unwrap().0)
                .collect();
            assert_eq!(
                keys,
                ["file", "line", "col", "endLine", "endColumn", "title"]
            );
        }
    }

    #[test]
    fn multi_line_nodes_give_a_line_range() {
        let d = diag(
            Severity::Error,
            "NS003",
            "m",
            Span::new(pos(3, 5), pos(6, 2)),
        );
        assert_eq!(
            annotation("a.yaml", &d),
            "::error file=a.yaml,line=3,endLine=6,title=NS003 some-rule::m"
        );
    }

    #[test]
    fn errors_come_first_in_file_order() {
        let at = |l| Span::new(pos(l, 1), pos(l, 2));
        let r = result(
            "a.yaml",
            vec![
                diag(Severity::Info, "A001", "i", at(1)),
                diag(Severity::Warning, "A002", "w", at(2)),
                diag(Severity::Error, "A003", "e1", at(3)),
                diag(Severity::Error, "A004", "e2", at(4)),
            ],
        );
        let text = render(&r);
        let kinds: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("::")?.split(' ').next())
            .collect();
        assert_eq!(kinds, ["error", "error", "warning", "notice"]);
        assert!(text.find("line=3").unwrap() < text.find("line=4").unwrap());
    }
}
