//! The `json` format: one document, SPEC §3. Written straight from borrowed
//! data, without building a JSON tree first.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::engine::CheckResult;
use crate::source::Span;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    summary: Summary<'a>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    documents: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// The config file in effect and what it turns off.
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<crate::config::ConfigEffect>,
    /// Built-in platform namespaces the run assumed (SPEC §4).
    platform_namespaces: &'a [String],
}

#[derive(Serialize)]
struct JsonObject<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locator: Option<&'a str>,
    message: &'a str,
}

/// Line and column pairs, or all `null` in a source without lines.
fn numbers(span: Span, locator: Option<&str>) -> [Option<u32>; 4] {
    if locator.is_some() {
        return [None; 4];
    }
    [
        Some(span.start.line),
        Some(span.start.col),
        Some(span.end.line),
        Some(span.end.col),
    ]
}

/// One finding as the `json` format writes it (also used by `tenants`).
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    object: Option<JsonObject<'a>>,
    related: Vec<JsonRelated<'a>>,
}

fn object(o: &ObjectRef) -> JsonObject<'_> {
    JsonObject {
        api_version: &o.api_version,
        kind: &o.kind,
        namespace: o.namespace.as_deref(),
        name: &o.name,
    }
}

pub fn diagnostic<'a>(result: &'a CheckResult, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let [line, column, end_line, end_column] = numbers(d.span, d.locator.as_deref());
    JsonDiagnostic {
        rule: &d.rule_id,
        name: &d.rule_name,
        severity: d.severity.as_str(),
        message: &d.message,
        help: &d.help,
        file: &result.files[d.file as usize].display,
        line,
        column,
        end_line,
        end_column,
        locator: d.locator.as_deref(),
        source: d.source.as_deref(),
        object: d.object.as_ref().map(object),
        related: d
            .related
            .iter()
            .map(|r| {
                let [line, column, end_line, end_column] = numbers(r.span, r.locator.as_deref());
                JsonRelated {
                    file: &result.files[r.file as usize].display,
                    line,
                    column,
                    end_line,
                    end_column,
                    locator: r.locator.as_deref(),
                    message: &r.message,
                }
            })
            .collect(),
    }
}

fn report(result: &CheckResult) -> Report<'_> {
    Report {
        version: 1,
        summary: Summary {
            files: result.files.len(),
            documents: result.documents,
            objects: result.objects,
            errors: result.count(Severity::Error),
            warnings: result.count(Severity::Warning),
            infos: result.count(Severity::Info),
            config: result.config.clone(),
            platform_namespaces: &result.platform_namespaces,
        },
        diagnostics: result
            .diagnostics
            .iter()
            .map(|d| diagnostic(result, d))
            .collect(),
    }
}

/// The report as a JSON value (for tests and embedding).
pub fn to_value(result: &CheckResult) -> serde_json::Value {
    serde_json::to_value(report(result)).unwrap_or(serde_json::Value::Null)
}

pub fn write(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    super::write_json(out, &report(result))
}
