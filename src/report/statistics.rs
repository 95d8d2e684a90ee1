//! `--statistics`: one line per rule — count, id, name — instead of the
//! findings, most frequent first (ties by id), as ruff prints them. With
//! `--format json`, the same rows as a JSON array.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Format, ReportOptions};
use crate::engine::CheckResult;

/// One rule's count.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct RuleCount<'a> {
    pub count: usize,
    pub rule: &'a str,
    pub name: &'a str,
}

/// The rows, most frequent rule first, then by id.
pub fn counts(result: &CheckResult) -> Vec<RuleCount<'_>> {
    let mut by_rule: BTreeMap<&str, RuleCount<'_>> = BTreeMap::new();
    for d in &result.diagnostics {
        by_rule
            .entry(&d.rule_id)
            .or_insert(RuleCount {
                count: 0,
                rule: &d.rule_id,
                name: &d.rule_name,
            })
            .count += 1;
    }
    let mut rows: Vec<RuleCount<'_>> = by_rule.into_values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    rows
}

pub fn write(out: &mut dyn Write, result: &CheckResult, options: &ReportOptions) -> io::Result<()> {
    let rows = counts(result);
    if options.format == Format::Json {
        return super::write_json(out, &rows);
    }
    let count_width = rows.iter().map(|r| r.count.to_string().len()).max();
    let id_width = rows.iter().map(|r| r.rule.len()).max();
    for r in &rows {
        writeln!(
            out,
            "{:>cw$}  {:<iw$}  {}",
            r.count,
            r.rule,
            r.name,
            cw = count_width.unwrap_or(0),
            iw = id_width.unwrap_or(0),
        )?;
    }
    if !options.quiet {
        writeln!(
            out,
            "{}",
            super::human::summary_line(result, options.elapsed)
        )?;
    }
    Ok(())
}
