//! Fuzz the whole check: the input is split at 0xFF bytes (never valid in
//! UTF-8) into up to five files with names that trigger every model and
//! rule (a manifest, a kustomization, an MLflow experiment, an auth config,
//! an MLproject); then every rule runs and every report format is rendered.
//! The findings are the same when objects keep no trees (a big set).

#![cfg_attr(not(feature = "replay"), no_main)]

#[path = "common.rs"]
mod common;

use std::time::Duration;

use tenantlint::engine::{CheckOptions, check_sources};
use tenantlint::report::{Format, ReportOptions, write_report};

const NAMES: [&str; 5] = [
    "team-a/app.yaml",
    "team-a/kustomization.yaml",
    "mlruns/1/meta.yaml",
    "basic_auth.ini",
    "team-b/MLproject",
];

fn target(data: &[u8]) {
    let texts: Vec<String> = data
        .split(|b| *b == 0xFF)
        .take(NAMES.len())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    let sources: Vec<(&str, &str)> = NAMES
        .iter()
        .zip(&texts)
        .map(|(n, t)| (*n, t.as_str()))
        .collect();
    let options = CheckOptions {
        threads: 1,
        ..CheckOptions::default()
    };
    let result = check_sources(&sources, &options);
    // As in a set too big to keep the trees: the same findings.
    let stored = check_sources(
        &sources,
        &CheckOptions {
            keep_trees_up_to: Some(0),
            ..options.clone()
        },
    );
    assert_eq!(
        stored.diagnostics, result.diagnostics,
        "findings differ when the trees are parsed again"
    );
    for d in &result.diagnostics {
        let file = &result.files[d.file as usize];
        common::assert_span_in(file, d.span, &d.rule_id);
        for r in &d.related {
            common::assert_span_in(&result.files[r.file as usize], r.span, "related");
        }
    }
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ] {
        let options = ReportOptions {
            format,
            color: true,
            width: 80,
            elapsed: Duration::ZERO,
            ..ReportOptions::default()
        };
        write_report(&mut std::io::sink(), &result, &options).expect("sink never fails");
    }
}

#[cfg(not(feature = "replay"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

#[cfg(feature = "replay")]
fn main() {
    common::replay(target);
}
