//! The posture as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or
//! a pull-request comment: the matrix as a table, then a collapsible
//! `<details>` block per failing tenant with its findings.

use std::io::{self, Write};

use super::{CONTROLS, Cell, Posture, Row, code_segments, plural, printable};
use crate::diagnostic::Diagnostic;
use crate::engine::CheckResult;

/// Inline text with every character escaped that GitHub could read as
/// syntax inside a line: emphasis, code, links, HTML, table pipes, math,
/// and `@mention` / `#123` references (a line never starts with input).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '<' | '>' | '&' | '@' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A code span that holds `text` whatever backticks it contains.
fn code(text: &str) -> String {
    let text = printable(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A message: its `backticked` values as code spans, the rest escaped.
fn message(text: &str) -> String {
    code_segments(text)
        .into_iter()
        .map(|(run, is_code)| if is_code { code(&run) } else { escape(&run) })
        .collect()
}

fn symbol(cell: &Cell) -> String {
    match cell {
        Cell::Ok => "✅".to_string(),
        Cell::Failing(f) => format!("❌ {}", f.len()),
        Cell::NotApplicable => "➖".to_string(),
        Cell::NotChecked => "⏸️".to_string(),
    }
}

fn finding_line(result: &CheckResult, d: &Diagnostic) -> String {
    let file = &result.files[d.file as usize];
    format!(
        "- {} {}\\[{}\\] {}",
        code(&crate::report::position(file, d.span, d.locator.as_deref())),
        d.severity.as_str(),
        escape(&d.rule_id),
        message(&d.message)
    )
}

fn details(out: &mut dyn Write, row: &Row, result: &CheckResult) -> io::Result<()> {
    let failing = row.count("failing");
    writeln!(
        out,
        "<details><summary><strong>{}</strong>: {} failing, {}</summary>",
        crate::posture::html::escape(&row.tenant),
        plural(failing, "control"),
        plural(row.findings(), "finding")
    )?;
    writeln!(out)?;
    let groups = CONTROLS
        .iter()
        .zip(&row.cells)
        .filter_map(|(c, cell)| match cell {
            Cell::Failing(f) => Some((c.title, f.as_slice())),
            _ => None,
        })
        .chain((!row.other.is_empty()).then_some(("other findings", row.other.as_slice())));
    for (title, findings) in groups {
        writeln!(out, "**{}**", escape(title))?;
        writeln!(out)?;
        for &i in findings {
            writeln!(out, "{}", finding_line(result, &result.diagnostics[i]))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "</details>")?;
    writeln!(out)
}

pub fn write(out: &mut dyn Write, posture: &Posture, result: &CheckResult) -> io::Result<()> {
    writeln!(out, "### Tenancy posture")?;
    writeln!(out)?;
    if posture.rows.is_empty() {
        writeln!(out, "No tenant in the linted set.")?;
        writeln!(out)?;
    } else {
        let mut header = String::from("| tenant |");
        let mut rule = String::from("|:--|");
        for c in CONTROLS {
            header.push_str(&format!(" {} |", c.short));
            rule.push_str(":-:|");
        }
        writeln!(out, "{header}")?;
        writeln!(out, "{rule}")?;
        for row in &posture.rows {
            let mut line = format!("| {} |", escape(&row.tenant));
            for cell in &row.cells {
                line.push_str(&format!(" {} |", symbol(cell)));
            }
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "✅ ok · ❌ failing (number of findings) · ➖ not applicable · ⏸️ not checked"
        )?;
        writeln!(out)?;
        let columns: Vec<String> = CONTROLS
            .iter()
            .map(|c| format!("**{}** {}", c.short, escape(c.title)))
            .collect();
        writeln!(out, "<sub>{}</sub>", columns.join(" · "))?;
        writeln!(out)?;
        for row in posture.rows.iter().filter(|r| r.findings() > 0) {
            details(out, row, result)?;
        }
    }
    if !posture.platform.is_empty() {
        let list: Vec<String> = posture
            .platform
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    escape(&p.name),
                    plural(p.findings.len(), "finding")
                )
            })
            .collect();
        writeln!(
            out,
            "Platform namespaces, trusted and not rated: {}",
            list.join(", ")
        )?;
        writeln!(out)?;
    }
    if !posture.unattributed.is_empty() {
        writeln!(
            out,
            "{} belong to no tenant; `tenantlint check` lists them.",
            plural(posture.unattributed.len(), "finding")
        )?;
        writeln!(out)?;
    }
    Ok(())
}
