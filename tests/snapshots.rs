//! Snapshot tests (insta) of the rendered human output, one per rule, over
//! the rule's `fail/` fixtures.

use std::path::PathBuf;
use std::time::Duration;

use tenantlint::engine::{CheckOptions, Selection, check};
use tenantlint::report::{Format, ReportOptions, write_report};

fn render(paths: Vec<PathBuf>, select: &str, format: Format) -> String {
    // Every rule runs (suppressions are judged as in a real run); the
    // report shows the selected rule's findings.
    let options = CheckOptions {
        paths,
        selection: Selection::default(),
        threads: 2,
        ..CheckOptions::default()
    };
    let mut result = check(&options).expect("paths exist");
    result.diagnostics.retain(|d| d.rule_id == select);
    let report = ReportOptions {
        format,
        color: false,
        width: 100,
        elapsed: Duration::from_millis(120),
        ..ReportOptions::default()
    };
    let mut out = Vec::new();
    write_report(&mut out, &result, &report).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn human_output_per_rule() {
    // cargo runs tests from the package root, so paths stay short and stable.
    for rule in tenantlint::rules::all() {
        let id = rule.meta.id;
        let dir = PathBuf::from("fixtures").join(id).join("fail");
        let output = render(vec![dir], id, Format::Human);
        insta::assert_snapshot!(format!("human_{id}"), output);
    }
}

#[test]
fn acceptance_example_in_three_formats() {
    let path = vec![PathBuf::from("fixtures/NS003/fail/namespace-in-file.yaml")];
    insta::assert_snapshot!("ns003_human", render(path.clone(), "NS003", Format::Human));
    insta::assert_snapshot!(
        "ns003_concise",
        render(path.clone(), "NS003", Format::Concise)
    );
    insta::assert_snapshot!("ns003_json", render(path, "NS003", Format::Json));
}
