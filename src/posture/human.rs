//! The posture as a terminal table, then each failing tenant in words.
//! Every state has its own symbol (`✓`, `✗`, `–`, `off`), so colour only
//! adds to what the text says.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{CONTROLS, Cell, Options, Posture, Row, plural, printable};
use crate::diagnostic::Severity;
use crate::engine::CheckResult;

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The widest tenant column; longer names are cut with `…` in the table
/// (the lines below the table name them in full).
const MAX_TENANT_WIDTH: usize = 32;

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

fn cell_text(cell: &Cell) -> (String, &'static str) {
    match cell {
        Cell::Ok => ("✓".to_string(), GREEN),
        Cell::Failing(f) => (format!("✗ {}", f.len()), RED),
        Cell::NotApplicable => ("–".to_string(), DIM),
        Cell::NotChecked => ("off".to_string(), DIM),
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// `SA001 ×2, SA002 ×1`: the rules behind some findings.
fn rule_counts(result: &CheckResult, findings: &[usize]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in findings {
        *counts.entry(&result.diagnostics[i].rule_id).or_default() += 1;
    }
    counts
        .iter()
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(out: &mut dyn Write, posture: &Posture, paint: &Paint) -> io::Result<()> {
    let tenant_width = posture
        .rows
        .iter()
        .map(|r| printable(&r.tenant).chars().count())
        .max()
        .unwrap_or(0)
        .clamp("tenant".len(), MAX_TENANT_WIDTH);
    let widths: Vec<usize> = CONTROLS.iter().map(|c| c.short.len().max(4)).collect();
    let mut header = pad("tenant", tenant_width);
    for (c, w) in CONTROLS.iter().zip(&widths) {
        header.push_str("  ");
        header.push_str(&pad(c.short, *w));
    }
    writeln!(out, "{}", paint.paint(BOLD, header.trim_end()))?;
    for row in &posture.rows {
        let mut line = pad(&cut(&printable(&row.tenant), tenant_width), tenant_width);
        for (cell, w) in row.cells.iter().zip(&widths) {
            let (text, style) = cell_text(cell);
            line.push_str("  ");
            let padding = " ".repeat(w.saturating_sub(text.chars().count()));
            line.push_str(&paint.paint(style, &text));
            line.push_str(&padding);
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `ns namespaces declared · quota ResourceQuota, capping GPUs · …`, wrapped.
fn legend(out: &mut dyn Write, paint: &Paint) -> io::Result<()> {
    writeln!(
        out,
        "{} ok   {} failing (N findings)   {} not applicable   {} not checked",
        paint.paint(GREEN, "✓"),
        paint.paint(RED, "✗ N"),
        paint.paint(DIM, "–"),
        paint.paint(DIM, "off")
    )?;
    let mut line = String::new();
    for c in CONTROLS {
        let entry = format!("{} {}", c.short, c.title);
        if !line.is_empty() && line.chars().count() + entry.chars().count() + 3 > 96 {
            writeln!(out, "{line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&entry);
    }
    if !line.is_empty() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn tenant_lines(
    out: &mut dyn Write,
    row: &Row,
    result: &CheckResult,
    paint: &Paint,
) -> io::Result<()> {
    let failing = row.count("failing");
    let applicable = row.count("ok") + failing;
    let namespaces = if row.namespaces.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = row.namespaces.iter().map(|n| printable(n).into()).collect();
        format!(
            " ({} {})",
            if list.len() == 1 {
                "namespace"
            } else {
                "namespaces"
            },
            list.join(", ")
        )
    };
    let name = paint.paint(BOLD, &printable(&row.tenant));
    if failing == 0 {
        writeln!(
            out,
            "{name}{namespaces}: {} every applicable control ok ({applicable} of {})",
            paint.paint(GREEN, "✓"),
            CONTROLS.len()
        )?;
    } else {
        writeln!(
            out,
            "{name}{namespaces}: {} of {applicable} applicable controls failing",
            failing
        )?;
        for (control, cell) in CONTROLS.iter().zip(&row.cells) {
            if let Cell::Failing(f) = cell {
                writeln!(
                    out,
                    "  {} {}: {} ({})",
                    paint.paint(RED, "✗"),
                    control.title,
                    plural(f.len(), "finding"),
                    rule_counts(result, f)
                )?;
            }
        }
    }
    if !row.other.is_empty() {
        writeln!(
            out,
            "  other findings: {} ({})",
            row.other.len(),
            rule_counts(result, &row.other)
        )?;
    }
    Ok(())
}

pub fn write(
    out: &mut dyn Write,
    posture: &Posture,
    result: &CheckResult,
    options: &Options,
) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    if posture.rows.is_empty() {
        writeln!(out, "no tenant in the linted set")?;
    } else {
        table(out, posture, &paint)?;
        writeln!(out)?;
        legend(out, &paint)?;
        writeln!(out)?;
        for row in &posture.rows {
            tenant_lines(out, row, result, &paint)?;
        }
    }
    if !posture.platform.is_empty() {
        let list: Vec<String> = posture
            .platform
            .iter()
            .map(|p| {
                let mut s = format!("{} ({}", printable(&p.name), plural(p.objects, "object"));
                if !p.findings.is_empty() {
                    s.push_str(&format!(", {}", plural(p.findings.len(), "finding")));
                }
                s.push(')');
                s
            })
            .collect();
        writeln!(
            out,
            "platform namespaces, trusted and not rated: {}",
            list.join(", ")
        )?;
    }
    if !posture.unattributed.is_empty() {
        writeln!(
            out,
            "{} no tenant ({}); `tenantlint check` lists them",
            if posture.unattributed.len() == 1 {
                "1 finding belongs to".to_string()
            } else {
                format!("{} findings belong to", posture.unattributed.len())
            },
            rule_counts(result, &posture.unattributed)
        )?;
    }
    let failing_tenants = posture
        .rows
        .iter()
        .filter(|r| r.count("failing") > 0)
        .count();
    let failing_cells: usize = posture.rows.iter().map(|r| r.count("failing")).sum();
    writeln!(
        out,
        "{}: {} ok, {} failing {}; {}, {} in {} in {:.2}s",
        plural(posture.rows.len(), "tenant"),
        posture.rows.len() - failing_tenants,
        failing_tenants,
        plural(failing_cells, "control"),
        plural(result.count(Severity::Error), "error"),
        plural(result.count(Severity::Warning), "warning"),
        plural(result.files.len(), "file"),
        options.elapsed.as_secs_f64()
    )
}
