//! The posture as one JSON document. Each failing cell carries its findings
//! exactly as `check --format json` writes them.

use std::io::{self, Write};

use serde::Serialize;

use super::{CONTROLS, Cell, Posture, Row};
use crate::diagnostic::Severity;
use crate::engine::CheckResult;
use crate::report::json::{JsonDiagnostic, diagnostic};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: Summary,
    controls: Vec<JsonControl>,
    tenants: Vec<JsonTenant<'a>>,
    platform_namespaces: Vec<JsonPlatform<'a>>,
    /// Findings that belong to no tenant and no platform namespace.
    unattributed: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Summary {
    tenants: usize,
    /// Tenants with no failing cell.
    tenants_ok: usize,
    failing_cells: usize,
    files: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct JsonControl {
    id: &'static str,
    header: &'static str,
    title: &'static str,
    rules: &'static [&'static str],
    /// When the control applies to a tenant at all.
    applies_when: &'static str,
}

#[derive(Serialize)]
struct JsonTenant<'a> {
    name: &'a str,
    namespaces: &'a [String],
    summary: TenantSummary,
    /// Keyed by control id, in column order.
    cells: serde_json::Map<String, serde_json::Value>,
    other_findings: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct TenantSummary {
    ok: usize,
    failing: usize,
    not_applicable: usize,
    not_checked: usize,
    findings: usize,
}

#[derive(Serialize)]
struct JsonCell<'a> {
    state: &'static str,
    count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonPlatform<'a> {
    name: &'a str,
    objects: usize,
    findings: Vec<JsonDiagnostic<'a>>,
}

fn findings<'a>(result: &'a CheckResult, ids: &[usize]) -> Vec<JsonDiagnostic<'a>> {
    ids.iter()
        .map(|&i| diagnostic(result, &result.diagnostics[i]))
        .collect()
}

fn tenant<'a>(result: &'a CheckResult, row: &'a Row) -> JsonTenant<'a> {
    let cells = CONTROLS
        .iter()
        .zip(&row.cells)
        .map(|(control, cell)| {
            let json = JsonCell {
                state: cell.state(),
                count: cell.findings().len(),
                findings: findings(result, cell.findings()),
            };
            (
                control.id.to_string(),
                serde_json::to_value(json).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    JsonTenant {
        name: &row.tenant,
        namespaces: &row.namespaces,
        summary: TenantSummary {
            ok: row.count("ok"),
            failing: row.count("failing"),
            not_applicable: row.count("not_applicable"),
            not_checked: row.count("not_checked"),
            findings: row.findings(),
        },
        cells,
        other_findings: findings(result, &row.other),
    }
}

fn document<'a>(posture: &'a Posture, result: &'a CheckResult) -> Document<'a> {
    let failing = |r: &Row| {
        r.cells
            .iter()
            .filter(|c| matches!(c, Cell::Failing(_)))
            .count()
    };
    Document {
        version: 1,
        summary: Summary {
            tenants: posture.rows.len(),
            tenants_ok: posture.rows.iter().filter(|r| failing(r) == 0).count(),
            failing_cells: posture.rows.iter().map(failing).sum(),
            files: result.files.len(),
            objects: result.objects,
            errors: result.count(Severity::Error),
            warnings: result.count(Severity::Warning),
            infos: result.count(Severity::Info),
        },
        controls: CONTROLS
            .iter()
            .map(|c| JsonControl {
                id: c.id,
                header: c.short,
                title: c.title,
                rules: c.rules,
                applies_when: c.needs.applies_when(),
            })
            .collect(),
        tenants: posture.rows.iter().map(|r| tenant(result, r)).collect(),
        platform_namespaces: posture
            .platform
            .iter()
            .map(|p| JsonPlatform {
                name: &p.name,
                objects: p.objects,
                findings: findings(result, &p.findings),
            })
            .collect(),
        unattributed: findings(result, &posture.unattributed),
    }
}

/// The posture as a JSON value (for tests and embedding).
pub fn to_value(posture: &Posture, result: &CheckResult) -> serde_json::Value {
    serde_json::to_value(document(posture, result)).unwrap_or(serde_json::Value::Null)
}

pub fn write(out: &mut dyn Write, posture: &Posture, result: &CheckResult) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(posture, result))?;
    writeln!(out)
}
