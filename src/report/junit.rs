//! The `junit` format: JUnit XML for CI test reports (GitLab, Jenkins, …).
//!
//! One testsuite per linted file, one testcase per finding, and a passing
//! testcase for a file with no finding, so that the counts a CI shows
//! ("12 tests, 3 failures") mean files and findings. A finding below
//! `--fail-on` is a passing testcase with a note in `system-out`: a green
//! pipeline shows no red tests. Testcases carry `file` and `line`
//! attributes (GitLab links them to the file) and a `time` of zero, as do
//! suites: the report is the same on every run.

use std::collections::HashMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::ReportOptions;
use super::safe;
use crate::diagnostic::Diagnostic;
use crate::engine::CheckResult;
use crate::rules;

/// The name of the passing testcase of a clean file.
pub const PASSING_CASE: &str = "no findings";

/// `NS003 Pod/tenant1-pod`, or `YAML001 line 3` outside an object. No line
/// for objects: CI test histories follow a case by name across commits.
pub fn case_name(d: &Diagnostic) -> String {
    match (&d.object, &d.locator) {
        (Some(o), _) => format!(
            "{} {}/{}",
            d.rule_id,
            safe::text(&o.kind),
            safe::text(&o.name)
        ),
        (None, Some(locator)) => format!("{} {}", d.rule_id, safe::text(locator)),
        (None, None) => format!("{} line {}", d.rule_id, d.span.start.line),
    }
}

fn failure_text(result: &CheckResult, d: &Diagnostic) -> String {
    let file = &result.files[d.file as usize];
    let mut s = format!(
        "{}: {}[{}] {}: {}",
        super::position(file, d.span, d.locator.as_deref()),
        d.severity.as_str(),
        d.rule_id,
        d.rule_name,
        safe::text(&d.shown_message())
    );
    if let Some(o) = &d.object {
        let name = match &o.namespace {
            Some(ns) => format!("{ns}/{}", o.name),
            None => o.name.clone(),
        };
        s.push_str(&format!(
            "\nobject: {} {} {}",
            safe::text(&o.api_version),
            safe::text(&o.kind),
            safe::text(&name)
        ));
    }
    for r in &d.related {
        s.push_str(&format!(
            "\nrelated: {}: {}",
            super::position(&result.files[r.file as usize], r.span, r.locator.as_deref()),
            safe::text(&r.message)
        ));
    }
    if !d.help.is_empty() {
        s.push_str(&format!("\nhelp: {}", safe::text(&d.help)));
    }
    if let Some(rule) = rules::find(&d.rule_id) {
        s.push_str(&format!("\ndocs: {}", rule.meta.doc_url()));
    }
    s
}

/// `file` and `line` attributes, which GitLab and Jenkins read.
fn set_location(case: &mut TestCase, file: &str, line: Option<u32>) {
    case.extra.insert("file".into(), file.into());
    if let Some(line) = line {
        case.extra.insert("line".into(), line.to_string().into());
    }
    // Findings are not timed one by one; a zero keeps the report identical
    // from run to run (GitLab shows it as the case's execution time).
    case.set_time(std::time::Duration::ZERO);
}

pub fn to_report(result: &CheckResult, options: &ReportOptions) -> Report {
    let mut by_file: Vec<Vec<&Diagnostic>> = vec![Vec::new(); result.files.len()];
    for d in &result.diagnostics {
        by_file[d.file as usize].push(d);
    }
    let mut report = Report::new("tenantlint");
    for (file, findings) in result.files.iter().zip(by_file) {
        let display = safe::path(&file.display);
        let mut suite = TestSuite::new(display.as_ref());
        suite.set_time(std::time::Duration::ZERO);
        if findings.is_empty() {
            let mut case = TestCase::new(PASSING_CASE, TestCaseStatus::success());
            case.set_classname(display.as_ref());
            set_location(&mut case, &display, None);
            suite.add_test_case(case);
        }
        // Two findings of one rule on one object get `#2`, `#3`, … so that
        // every case name in a suite is unique.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in findings {
            let base = case_name(d);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            };
            let mut case = if options.fails(d) {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(safe::text(&d.shown_message()).as_ref())
                    .set_type(d.severity.as_str())
                    .set_description(failure_text(result, d));
                TestCase::new(name, status)
            } else {
                let mut case = TestCase::new(name, TestCaseStatus::success());
                case.set_system_out(format!(
                    "{}\nnot failing: {} is below --fail-on {}",
                    failure_text(result, d),
                    d.severity.as_str(),
                    options.fail_on.map_or("never", |s| s.as_str())
                ));
                case
            };
            case.set_classname(display.as_ref());
            let line = d.locator.is_none().then_some(d.span.start.line);
            set_location(&mut case, &display, line);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
}

pub fn write(out: &mut dyn Write, result: &CheckResult, options: &ReportOptions) -> io::Result<()> {
    // The serializer ends the document with a newline itself.
    to_report(result, options)
        .serialize(&mut *out)
        .map_err(|e| io::Error::other(e.to_string()))
}
