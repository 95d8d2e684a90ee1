//! Fuzz long lines and large scalars: libFuzzer's inputs stay small (its
//! `-max_len`), so this target grows them. The input is split at 0xFE
//! bytes; the first part is copied as it is, and each later part is a
//! repeat count (its first byte `b`: 2^(b mod 18) times) and a unit (the
//! rest) repeated that many times, the whole at most 4 MB (a count of 1
//! copies the rest of a seed as it is). So a few bytes make a name of a megabyte, a flow mapping of
//! 100,000 entries on one line, a label past column 65,535 or a block
//! scalar of a million lines. The result is checked as one manifest and
//! rendered in every format, as the `check` target does.

#![cfg_attr(not(feature = "replay"), no_main)]

#[path = "common.rs"]
mod common;

use std::time::Duration;

use tenantlint::engine::{CheckOptions, check_sources};
use tenantlint::report::{Format, ReportOptions, write_report};

const LIMIT: usize = 4 << 20;

/// The input with each repeated part expanded (see the module comment).
pub fn expand(data: &[u8]) -> Vec<u8> {
    let mut parts = data.split(|b| *b == 0xFE);
    let mut out = parts.next().unwrap_or_default().to_vec();
    for part in parts {
        let Some((&b, unit)) = part.split_first() else {
            continue;
        };
        if unit.is_empty() {
            continue;
        }
        let times = 1usize << (b % 18);
        let times = times.min(LIMIT.saturating_sub(out.len()) / unit.len());
        for _ in 0..times {
            out.extend_from_slice(unit);
        }
    }
    out
}

fn target(data: &[u8]) {
    let text = String::from_utf8_lossy(&expand(data)).into_owned();
    let options = CheckOptions {
        threads: 1,
        ..CheckOptions::default()
    };
    let result = check_sources(&[("team-a/app.yaml", text.as_str())], &options);
    // Spans of the first thousand findings: checking a position counts the
    // characters of its line, so checking all 65,536 findings on one line
    // of 400 KB would be the harness's own quadratic work.
    for d in result.diagnostics.iter().take(1000) {
        let file = &result.files[d.file as usize];
        common::assert_span_in(file, d.span, &d.rule_id);
        for r in &d.related {
            common::assert_span_in(&result.files[r.file as usize], r.span, "related");
        }
    }
    // What the findings themselves say (messages quote names from the
    // input, which may be long): the report may repeat and escape it, but
    // never grow with the length of the lines the findings sit on.
    let said: usize = result
        .diagnostics
        .iter()
        .map(|d| {
            d.message.len()
                + d.help.len()
                + d.related.iter().map(|r| r.message.len()).sum::<usize>()
                + d.object.as_ref().map_or(0, |o| {
                    o.api_version.len()
                        + o.kind.len()
                        + o.name.len()
                        + o.namespace.as_ref().map_or(0, String::len)
                })
        })
        .sum();
    for (i, format) in FORMATS.into_iter().enumerate() {
        let out = render(&result, format);
        // Per format, what any report holds (SARIF lists every rule), then
        // a bounded window per finding and related location (SPEC §3) and
        // what the findings say, escaped.
        let windows: usize = result.diagnostics.iter().map(|d| 1 + d.related.len()).sum();
        let bound = empty_report_sizes()[i] + 16 * 1024 * (windows + 1) + 16 * said;
        assert!(
            out.len() <= bound,
            "{format:?}: {} bytes of report for {} findings ({said} bytes of messages)",
            out.len(),
            result.diagnostics.len()
        );
    }
}

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::Github,
];

fn render(result: &tenantlint::engine::CheckResult, format: Format) -> Vec<u8> {
    let options = ReportOptions {
        format,
        color: true,
        width: 80,
        elapsed: Duration::ZERO,
        ..ReportOptions::default()
    };
    let mut out = Vec::new();
    write_report(&mut out, result, &options).expect("a Vec never fails");
    out
}

/// The size of each format's report when there is nothing to report.
fn empty_report_sizes() -> &'static [usize; 6] {
    static SIZES: std::sync::OnceLock<[usize; 6]> = std::sync::OnceLock::new();
    SIZES.get_or_init(|| {
        let options = CheckOptions {
            threads: 1,
            ..CheckOptions::default()
        };
        let empty = check_sources(&[("team-a/app.yaml", "")], &options);
        FORMATS.map(|f| render(&empty, f).len())
    })
}

#[cfg(not(feature = "replay"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

#[cfg(feature = "replay")]
fn main() {
    common::replay(target);
}
