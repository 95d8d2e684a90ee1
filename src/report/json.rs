//! The `json` format: one document, SPEC §3.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::Severity;
use crate::engine::CheckResult;

pub fn to_value(result: &CheckResult) -> Value {
    let diagnostics: Vec<Value> = result
        .diagnostics
        .iter()
        .map(|d| {
            let file = &result.files[d.file as usize].display;
            let object = match &d.object {
                Some(o) => json!({
                    "apiVersion": o.api_version,
                    "kind": o.kind,
                    "namespace": o.namespace,
                    "name": o.name,
                }),
                None => Value::Null,
            };
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| {
                    json!({
                        "file": result.files[r.file as usize].display,
                        "line": r.span.start.line,
                        "column": r.span.start.col,
                        "end_line": r.span.end.line,
                        "end_column": r.span.end.col,
                        "message": r.message,
                    })
                })
                .collect();
            json!({
                "rule": d.rule_id,
                "name": d.rule_name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
                "file": file,
                "line": d.span.start.line,
                "column": d.span.start.col,
                "end_line": d.span.end.line,
                "end_column": d.span.end.col,
                "object": object,
                "related": related,
            })
        })
        .collect();
    json!({
        "version": 1,
        "summary": {
            "files": result.files.len(),
            "documents": result.documents,
            "objects": result.objects,
            "errors": result.count(Severity::Error),
            "warnings": result.count(Severity::Warning),
            "infos": result.count(Severity::Info),
        },
        "diagnostics": diagnostics,
    })
}

pub fn write(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(result))?;
    writeln!(out)
}
