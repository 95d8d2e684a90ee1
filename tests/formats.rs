//! The CI formats, each checked against what its consumer reads: SARIF
//! against the official 2.1.0 schema, JUnit with an XML parser, GitHub
//! workflow commands line by line, and all of them against `json` for the
//! same run. Also: shell completions parse.
//!
//! Inputs: `examples/` when it exists, and always a small set written here
//! (findings in several files, related locations, a syntax error, a clean
//! file, and file names with spaces, commas, colons and `%`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

mod common;

use common::{NAMESPACE_MISMATCH, SHARED_SA};

/// (rule, file, position) of one finding: `line:column`, or `[locator]`
/// for a row of an SQLite store (which has no lines).
type Finding = (String, String, String);

fn at(line: u64, col: u64) -> String {
    format!("{line}:{col}")
}

/// A directory to lint and the working directory to lint it from, so that
/// reported paths are relative as in a CI checkout.
struct Input {
    cwd: PathBuf,
    path: String,
    _keep: Option<TempDir>,
}

const CLEAN: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: kube-system
data:
  lr: \"0.01\"
";

fn written_input() -> Input {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("manifests");
    std::fs::create_dir_all(root.join("team a")).unwrap();
    std::fs::write(root.join("bad.yaml"), NAMESPACE_MISMATCH).unwrap();
    std::fs::write(root.join("team a/shared sa.yaml"), SHARED_SA).unwrap();
    std::fs::write(root.join("clean.yaml"), CLEAN).unwrap();
    // A syntax error whose message has `:` and `,` in a file whose name has
    // every character a workflow-command property must escape.
    std::fs::write(root.join("odd,name:100%.yaml"), "a: 1\nb: {c: 1\n").unwrap();
    // A tracking store: findings on rows, with locators and no lines.
    let store = rusqlite::Connection::open(root.join("mlflow.db")).unwrap();
    store
        .execute_batch(include_str!("data/mlflow_schema.sql"))
        .unwrap();
    store
        .execute_batch(
            "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES
               (0, 'Default', 's3://ml/0', 'active'), (1, 'a', 's3://ml/x', 'active'), (2, 'b', 's3://ml/x/', 'active');
             INSERT INTO runs (run_uuid, experiment_id, artifact_uri, lifecycle_stage) VALUES ('r1', 0, 's3://ml/0/r1', 'active');",
        )
        .unwrap();
    drop(store);
    Input {
        cwd: dir.path().to_path_buf(),
        path: "manifests".to_string(),
        _keep: Some(dir),
    }
}

fn inputs() -> Vec<Input> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![written_input()];
    if manifest_dir.join("examples").is_dir() {
        out.push(Input {
            cwd: manifest_dir.to_path_buf(),
            path: "examples".to_string(),
            _keep: None,
        });
    } else {
        eprintln!("note: examples/ does not exist; only the written inputs are checked");
    }
    out
}

fn run(input: &Input, format: &str) -> String {
    let output = Command::cargo_bin("tenantlint")
        .unwrap()
        .current_dir(&input.cwd)
        .args(["check", "--color", "never", "--format", format, &input.path])
        .output()
        .unwrap();
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json_of(input: &Input) -> Value {
    serde_json::from_str(&run(input, "json")).unwrap()
}

fn json_findings(json: &Value) -> Vec<Finding> {
    let mut v: Vec<Finding> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let position = match d["locator"].as_str() {
                Some(l) => {
                    assert!(d["line"].is_null() && d["column"].is_null(), "{d}");
                    format!("[{l}]")
                }
                None => at(d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()),
            };
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                position,
            )
        })
        .collect();
    v.sort();
    v
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------- SARIF

fn sarif_schema() -> Option<jsonschema::Validator> {
    // Absent: validation is skipped with a note (a failure under `CI`).
    let path = common::shared("schemas/sarif-2.1.0.json")?;
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles"),
    )
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_and_every_result_sits_on_the_finding_line() {
    let validator = sarif_schema();
    for input in inputs() {
        let sarif: Value = serde_json::from_str(&run(&input, "sarif")).unwrap();
        if let Some(v) = &validator {
            assert_valid_sarif(v, &sarif);
        }
        let json = json_of(&input);
        let diagnostics = json["diagnostics"].as_array().unwrap();
        let run = &sarif["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "tenantlint");
        assert!(driver["version"].is_string());
        assert!(driver["informationUri"].is_string());
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), tenantlint::rules::all().count());
        for (rule, meta) in rules.iter().zip(tenantlint::rules::all()) {
            let m = &meta.meta;
            assert_eq!(rule["id"], m.id);
            assert_eq!(rule["name"], m.name);
            assert_eq!(rule["shortDescription"]["text"], m.summary);
            assert_eq!(rule["fullDescription"]["text"], m.docs.what);
            assert_eq!(rule["helpUri"], m.doc_url());
            assert!(rule["defaultConfiguration"]["level"].is_string());
        }
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), diagnostics.len(), "{}", input.path);
        assert!(!results.is_empty(), "{} gave no findings", input.path);
        for (r, d) in results.iter().zip(diagnostics) {
            assert_eq!(r["ruleId"], d["rule"]);
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], d["rule"]);
            let level = match d["severity"].as_str().unwrap() {
                "info" => "note",
                s => s,
            };
            assert_eq!(r["level"], level);
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert_eq!(percent_decode(uri), d["file"].as_str().unwrap());
            assert!(!uri.contains(' '), "unencoded URI {uri}");
            // Reported paths are relative to the working directory: %SRCROOT%.
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &loc["region"];
            if let Some(locator) = d["locator"].as_str() {
                // A row of a store: no region, the row as a logical location.
                assert!(region.is_null(), "{r}");
                let logical = &r["locations"][0]["logicalLocations"][0];
                assert_eq!(logical["name"], locator, "{r}");
            } else {
                assert_eq!(region["startLine"], d["line"], "{r}");
                assert_eq!(region["startColumn"], d["column"], "{r}");
                assert_eq!(region["endLine"], d["end_line"], "{r}");
                assert_eq!(region["endColumn"], d["end_column"], "{r}");
            }
            let related = d["related"].as_array().unwrap();
            let message = r["message"]["text"].as_str().unwrap();
            if related.is_empty() {
                assert_eq!(message, d["message"]);
                assert!(r.get("relatedLocations").is_none());
            } else {
                // The message links every related location by its id, so
                // that code-scanning UIs show them.
                let rl = r["relatedLocations"].as_array().unwrap();
                assert_eq!(rl.len(), related.len());
                assert_eq!(
                    sarif_link_targets(message).len(),
                    related.len(),
                    "{message}"
                );
                for ((s, j), (text, id)) in rl.iter().zip(related).zip(sarif_link_targets(message))
                {
                    assert_eq!(s["id"].as_u64(), Some(id), "{message}");
                    assert_eq!(s["physicalLocation"]["region"]["startLine"], j["line"]);
                    assert_eq!(
                        s["physicalLocation"]["artifactLocation"]["uriBaseId"],
                        "%SRCROOT%"
                    );
                    assert_eq!(s["message"]["text"], j["message"]);
                    assert_eq!(sarif_unescape(&text), j["message"].as_str().unwrap());
                }
                let plain = sarif_unescape(message.split(" (see [").next().unwrap());
                assert_eq!(plain, d["message"].as_str().unwrap());
            }
            let fp = r["partialFingerprints"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap();
            assert!(fp.as_str().is_some_and(|s| !s.is_empty()));
        }
    }
}

/// The `[text](id)` links of a SARIF message, in order (SARIF §3.11.6:
/// `\\`, `[` and `]` are escaped outside links).
fn sarif_link_targets(message: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut chars = message.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                let mut text = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            text.push(c);
                            if let Some((_, n)) = chars.next() {
                                text.push(n);
                            }
                        }
                        ']' => break,
                        c => text.push(c),
                    }
                }
                assert_eq!(chars.next().map(|(_, c)| c), Some('('), "{message}");
                let id: String = chars
                    .by_ref()
                    .map(|(_, c)| c)
                    .take_while(|&c| c != ')')
                    .collect();
                out.push((text, id.parse().unwrap()));
            }
            _ => {}
        }
    }
    out
}

fn sarif_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn sarif_has_code_scanning_fields() {
    let input = written_input();
    let sarif: Value = serde_json::from_str(&run(&input, "sarif")).unwrap();
    let run = &sarif["runs"][0];
    // Rules rank by `security-severity` and carry tags.
    for (rule, meta) in run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .zip(tenantlint::rules::all())
    {
        let props = &rule["properties"];
        let score: f64 = props["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let expected = match meta.meta.severity {
            tenantlint::diagnostic::Severity::Error => 7.0..9.0,
            tenantlint::diagnostic::Severity::Warning => 4.0..7.0,
            tenantlint::diagnostic::Severity::Info => 0.1..4.0,
        };
        assert!(expected.contains(&score), "{}: {score}", meta.meta.id);
        let tags = props["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"), "{tags:?}");
        assert!(
            tags.iter().any(|t| t == meta.meta.category.as_str()),
            "{tags:?}"
        );
    }
    // %SRCROOT% is the working directory, as an absolute URI ending in `/`.
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let cwd = input.cwd.canonicalize().unwrap();
    assert_eq!(
        percent_decode(root.strip_prefix("file://").unwrap()).trim_end_matches('/'),
        cwd.to_string_lossy()
    );
    // The category names what was linted (`check manifests`).
    assert_eq!(run["automationDetails"]["id"], "tenantlint/manifests/");
    // The invocation says how the run ended: findings are exit code 1.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["exitCode"], 1);
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("clean.yaml"), CLEAN).unwrap();
    let out = Command::cargo_bin("tenantlint")
        .unwrap()
        .current_dir(clean.path())
        .args([
            "check",
            "--format",
            "sarif",
            "clean.yaml",
            "Makefile.missing",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a missing path fails the run");
    std::fs::write(clean.path().join("Makefile"), "all:\n").unwrap();
    let out = Command::cargo_bin("tenantlint")
        .unwrap()
        .current_dir(clean.path())
        .args(["check", "--format", "sarif", "clean.yaml", "Makefile"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["exitCode"], 0);
    // A file skipped on the way is a notification of the run.
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["level"], "note");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Makefile: skipped")
    );
    if let Some(v) = sarif_schema() {
        assert_valid_sarif(&v, &sarif);
    }
}

/// The whole point of `partialFingerprints`: a finding keeps its fingerprint
/// when lines are added above it.
#[test]
fn sarif_fingerprints_survive_shifted_lines() {
    let input = written_input();
    let fingerprints = |input: &Input| -> Vec<(String, String)> {
        let sarif: Value = serde_json::from_str(&run(input, "sarif")).unwrap();
        let mut v: Vec<(String, String)> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["tenantlintFingerprint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = fingerprints(&input);
    let mut unique = before.clone();
    unique.dedup();
    assert_eq!(unique.len(), before.len(), "fingerprints collide");
    let bad = input.cwd.join("manifests/bad.yaml");
    std::fs::write(
        &bad,
        format!("# a comment\n\n# another\n{NAMESPACE_MISMATCH}"),
    )
    .unwrap();
    assert_eq!(fingerprints(&input), before);
}

/// A finding whose rule is not built in (a user policy) has no `ruleIndex`
/// and is still valid SARIF.
#[test]
fn sarif_accepts_rules_that_are_not_built_in() {
    use std::borrow::Cow;
    use std::sync::Arc;
    use tenantlint::diagnostic::{Diagnostic, Severity};
    use tenantlint::engine::CheckResult;
    use tenantlint::source::{FileKind, Pos, SourceFile, Span};

    let file = SourceFile::new(
        0,
        "p.yaml".into(),
        "policies/p 1.yaml".into(),
        FileKind::Yaml,
        "a: b\n".into(),
    );
    let at = |col| Pos {
        byte: col - 1,
        line: 1,
        col,
    };
    let result = CheckResult {
        files: vec![Arc::new(file)],
        diagnostics: vec![Diagnostic {
            rule_id: Cow::Owned("ACME001".into()),
            rule_name: Cow::Owned("acme-labels".into()),
            severity: Severity::Info,
            message: "50% of: a, b".into(),
            help: String::new(),
            file: 0,
            span: Span::new(at(4), at(5)),
            object: None,
            related: vec![],
            suppressed_by: None,
            locator: None,
            source: None,
        }],
        suppressed: vec![],
        fingerprints: vec![],
        documents: 1,
        objects: 0,
        warnings: vec![],
        config: None,
        index: None,
        platform_namespaces: vec![],
    };
    let sarif = serde_json::to_value(tenantlint::report::sarif::to_sarif(
        &result,
        &tenantlint::report::ReportOptions::default(),
    ))
    .unwrap();
    if let Some(v) = sarif_schema() {
        assert_valid_sarif(&v, &sarif);
        // The validator is not vacuous: a broken region and level fail it.
        let mut broken = sarif.clone();
        let result = &mut broken["runs"][0]["results"][0];
        result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
        result["level"] = "fatal".into();
        assert_eq!(v.iter_errors(&broken).count(), 2);
    }
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "ACME001");
    // A user policy gets a rule descriptor of its own.
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], "ACME001");
    assert_eq!(rule["name"], "acme-labels");
    assert_eq!(r["level"], "note");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/p%201.yaml"
    );
}

#[test]
fn sarif_uris_are_uri_references() {
    use tenantlint::report::sarif::path_to_uri;
    assert_eq!(path_to_uri("a/b.yaml"), "a/b.yaml");
    assert_eq!(path_to_uri("team a/x#1.yaml"), "team%20a/x%231.yaml");
    assert_eq!(path_to_uri("a:b/c%.yaml"), "a%3Ab/c%25.yaml");
    assert_eq!(path_to_uri("../up/é.yaml"), "../up/%C3%A9.yaml");
    assert_eq!(path_to_uri("/abs/x y.yaml"), "file:///abs/x%20y.yaml");
    if cfg!(windows) {
        assert_eq!(path_to_uri("C:/w/x.yaml"), "file:///C:/w/x.yaml");
    } else {
        assert_eq!(path_to_uri("C:/w/x.yaml"), "C%3A/w/x.yaml");
    }
    assert_eq!(path_to_uri("<stdin>"), "%3Cstdin%3E");
}

// ---------------------------------------------------------------- JUnit

#[test]
fn junit_counts_match_json() {
    for input in inputs() {
        let xml = run(&input, "junit");
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let json = json_of(&input);
        let diagnostics = json["diagnostics"].as_array().unwrap();
        // Findings per file, and those that fail the run (`--fail-on error`).
        let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
        let mut failing_per_file: BTreeMap<&str, usize> = BTreeMap::new();
        for d in diagnostics {
            *per_file.entry(d["file"].as_str().unwrap()).or_default() += 1;
            if d["severity"] == "error" {
                *failing_per_file
                    .entry(d["file"].as_str().unwrap())
                    .or_default() += 1;
            }
        }
        let failing_total: usize = failing_per_file.values().sum();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        assert_eq!(
            suites.len() as u64,
            json["summary"]["files"].as_u64().unwrap(),
            "one testsuite per file"
        );
        let mut total_tests = 0;
        let mut total_failures = 0;
        for suite in &suites {
            let file = suite.attribute("name").unwrap();
            let cases: Vec<_> = suite
                .children()
                .filter(|n| n.has_tag_name("testcase"))
                .collect();
            let failing: Vec<_> = cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
                .collect();
            let expected = per_file.get(file).copied().unwrap_or(0);
            let expected_failing = failing_per_file.get(file).copied().unwrap_or(0);
            assert_eq!(failing.len(), expected_failing, "{file}");
            // One case per finding; a clean file has one passing case.
            assert_eq!(cases.len(), expected.max(1), "{file}");
            for c in &cases {
                assert_eq!(c.attribute("file"), Some(file));
                assert_eq!(c.attribute("time"), Some("0.000"));
                let fails = c.children().any(|n| n.has_tag_name("failure"));
                let note = c
                    .children()
                    .find(|n| n.has_tag_name("system-out"))
                    .and_then(|n| n.text());
                if expected > 0 {
                    // A row of an SQLite store has no line, and says which row.
                    let at = match c.attribute("line") {
                        Some(line) => {
                            let line: u64 = line.parse().unwrap();
                            assert!(line >= 1);
                            format!("{file}:{line}:")
                        }
                        None => format!("{file}["),
                    };
                    // A warning passes, with the finding and why it passes.
                    if !fails {
                        let note = note.unwrap();
                        assert!(note.starts_with(&at), "{note}");
                        assert!(note.ends_with("is below --fail-on error"), "{note}");
                    }
                }
            }
            let attr = |n: &str| suite.attribute(n).unwrap().parse::<usize>().unwrap();
            assert_eq!(attr("tests"), cases.len());
            assert_eq!(attr("failures"), failing.len());
            // Case names are unique in a suite, and each failure says where.
            let mut names: Vec<_> = cases.iter().map(|c| c.attribute("name")).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cases.len(), "{file}: duplicate case names");
            for c in failing {
                let failure = c.children().find(|n| n.has_tag_name("failure")).unwrap();
                assert!(failure.attribute("message").is_some());
                let text = failure.text().unwrap();
                assert!(
                    text.starts_with(&format!("{file}:")) || text.starts_with(&format!("{file}[")),
                    "{text}"
                );
            }
            total_tests += cases.len();
            total_failures += expected_failing;
        }
        assert_eq!(total_failures, failing_total);
        let attr = |n: &str| root.attribute(n).unwrap().parse::<usize>().unwrap();
        assert_eq!(attr("tests"), total_tests);
        assert_eq!(attr("failures"), failing_total);
    }
}

// ---------------------------------------------------------------- GitLab

fn gitlab_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/gitlab-code-quality.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the Code Quality schema compiles")
}

#[test]
fn gitlab_code_quality_is_valid_and_carries_every_finding() {
    let validator = gitlab_schema();
    // The schema has teeth: GitLab ignores issues without these.
    for bad in [
        r#"[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "error", "location": {"path": "a.yaml", "lines": {"begin": 1}}}]"#,
        r#"[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "major", "location": {"path": "a.yaml"}}]"#,
        r#"[{"description": "d", "check_name": "c", "severity": "major", "location": {"path": "a.yaml", "lines": {"begin": 1}}}]"#,
        r#"[{"description": "d", "check_name": "c", "fingerprint": "f", "severity": "major", "location": {"path": "/abs/a.yaml", "lines": {"begin": 0}}}]"#,
    ] {
        assert!(
            !validator.is_valid(&serde_json::from_str(bad).unwrap()),
            "{bad}"
        );
    }
    for input in inputs() {
        let report: Value = serde_json::from_str(&run(&input, "gitlab")).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "invalid Code Quality report:\n{}",
            errors.join("\n")
        );
        let issues = report.as_array().unwrap();
        let json = json_of(&input);
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert_eq!(issues.len(), diagnostics.len());
        for (i, d) in issues.iter().zip(diagnostics) {
            assert_eq!(i["check_name"], d["rule"]);
            assert_eq!(i["location"]["path"], d["file"]);
            // A row of a store has no line: GitLab gets the file's first.
            let line = if d["locator"].is_string() {
                Value::from(1)
            } else {
                d["line"].clone()
            };
            assert_eq!(i["location"]["lines"]["begin"], line);
            assert!(
                i["description"]
                    .as_str()
                    .unwrap()
                    .ends_with(d["message"].as_str().unwrap())
            );
            let severity = match d["severity"].as_str().unwrap() {
                "error" => "major",
                "warning" => "minor",
                _ => "info",
            };
            assert_eq!(i["severity"], severity);
        }
        // GitLab tells findings apart by fingerprint: unique in a report.
        let mut fingerprints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        fingerprints.sort();
        fingerprints.dedup();
        assert_eq!(fingerprints.len(), issues.len());
    }
}

#[test]
fn gitlab_fingerprints_survive_shifted_lines() {
    let input = written_input();
    let before: Value = serde_json::from_str(&run(&input, "gitlab")).unwrap();
    let bad = input.cwd.join("manifests/bad.yaml");
    std::fs::write(&bad, format!("# a comment\n\n{NAMESPACE_MISMATCH}")).unwrap();
    let after: Value = serde_json::from_str(&run(&input, "gitlab")).unwrap();
    let key = |v: &Value| -> Vec<(String, String)> {
        let mut k: Vec<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["fingerprint"].to_string(), i["check_name"].to_string()))
            .collect();
        k.sort();
        k
    };
    assert_eq!(key(&before), key(&after));
    assert_ne!(before, after, "the lines did move");
}

// ---------------------------------------------------------------- GitHub

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// (command, properties, message) of one workflow command line.
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (cmd, props) = head.split_once(' ').unwrap();
    let props = props
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (cmd.to_string(), props, unescape(message))
}

#[test]
fn github_commands_are_escaped_and_errors_come_first() {
    for input in inputs() {
        let text = run(&input, "github");
        assert!(!text.contains('\r'));
        let lines: Vec<&str> = text.lines().collect();
        let json = json_of(&input);
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert_eq!(lines.len(), diagnostics.len() + 1, "{text}");
        let summary = lines.last().unwrap();
        assert!(!summary.starts_with("::"));
        assert!(summary.contains(" in "), "{summary}");
        let rank = |c: &str| match c {
            "error" => 0,
            "warning" => 1,
            "notice" => 2,
            other => panic!("unexpected command {other}"),
        };
        let mut last = 0;
        for line in &lines[..lines.len() - 1] {
            let (cmd, props, message) = parse_command(line);
            assert!(rank(&cmd) >= last, "{cmd} after a lower level");
            last = rank(&cmd);
            let keys: Vec<&str> = props.keys().map(String::as_str).collect();
            assert!(
                keys == ["col", "endColumn", "endLine", "file", "line", "title"]
                    || keys == ["endLine", "file", "line", "title"]
                    || keys == ["file", "title"],
                "{line}"
            );
            // The unescaped command names exactly one json finding; a row of
            // a store has no line, and its message starts with the locator.
            let d = diagnostics
                .iter()
                .find(|d| {
                    let (line, text) = match d["locator"].as_str() {
                        Some(l) => (None, format!("{l}: {}", d["message"].as_str().unwrap())),
                        None => (
                            d["line"].as_u64(),
                            d["message"].as_str().unwrap().to_string(),
                        ),
                    };
                    d["file"] == props["file"].as_str()
                        && line == props.get("line").and_then(|l| l.parse().ok())
                        && text == message
                        && props["title"]
                            == format!(
                                "{} {}",
                                d["rule"].as_str().unwrap(),
                                d["name"].as_str().unwrap()
                            )
                })
                .unwrap_or_else(|| panic!("no json finding for {line}"));
            let level = match d["severity"].as_str().unwrap() {
                "info" => "notice",
                s => s,
            };
            assert_eq!(cmd, level);
        }
    }
}

#[test]
fn github_escapes_odd_file_names_and_messages() {
    let input = written_input();
    let text = run(&input, "github");
    let line = text
        .lines()
        .find(|l| l.contains("YAML001"))
        .expect("the syntax error is reported");
    assert!(
        line.contains("file=manifests/odd%2Cname%3A100%25.yaml,line="),
        "{line}"
    );
    let (_, props, message) = parse_command(line);
    assert_eq!(props["file"], "manifests/odd,name:100%.yaml");
    // The parser's message has `:` and `,`; data keeps them literal.
    let raw_message = line.split_once("::").unwrap().1.split_once("::").unwrap().1;
    assert_eq!(raw_message, message);
    assert!(message.contains(':'), "{message}");
}

// ---------------------------------------------------------------- all formats

fn sarif_findings(text: &str) -> Vec<Finding> {
    let sarif: Value = serde_json::from_str(text).unwrap();
    let mut v: Vec<Finding> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            let position = match loc["region"]["startLine"].as_u64() {
                Some(line) => at(line, loc["region"]["startColumn"].as_u64().unwrap()),
                None => format!(
                    "[{}]",
                    r["locations"][0]["logicalLocations"][0]["name"]
                        .as_str()
                        .unwrap()
                ),
            };
            (
                r["ruleId"].as_str().unwrap().to_string(),
                percent_decode(loc["artifactLocation"]["uri"].as_str().unwrap()),
                position,
            )
        })
        .collect();
    v.sort();
    v
}

fn junit_findings(text: &str) -> Vec<Finding> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let mut v = Vec::new();
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let file = suite.attribute("name").unwrap();
        // Failing findings, and those below `--fail-on` in a passing case.
        let texts = suite
            .descendants()
            .filter(|n| n.has_tag_name("failure") || n.has_tag_name("system-out"));
        for node in texts {
            let text = node.text().unwrap();
            // `file:line:col: severity[RULE] name: message`, or
            // `file[locator]: severity[RULE] name: message`
            let (position, rest) = match text.strip_prefix(&format!("{file}:")) {
                Some(rest) => {
                    let mut parts = rest.splitn(3, ':');
                    let line = parts.next().unwrap().parse().unwrap();
                    let col = parts.next().unwrap().parse().unwrap();
                    (at(line, col), parts.next().unwrap())
                }
                None => {
                    let rest = text.strip_prefix(file).unwrap();
                    let (locator, rest) = rest.split_once("]: ").unwrap();
                    (format!("{locator}]"), rest)
                }
            };
            let rule = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
            v.push((rule.to_string(), file.to_string(), position));
        }
    }
    v.sort();
    v
}

/// Columns are only given for one-line nodes (see `report::github`); the
/// comparison takes the column from json where GitHub cannot carry one.
fn github_findings(text: &str, json: &[Finding]) -> Vec<Finding> {
    let mut v: Vec<Finding> = text
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| {
            let (_, props, message) = parse_command(l);
            let rule = props["title"].split_once(' ').unwrap().0.to_string();
            let file = props["file"].clone();
            // A row of a store: no line; the message starts with the locator.
            let Some(line) = props.get("line") else {
                let locator = message.split_once(": ").unwrap().0;
                return (rule, file, format!("[{locator}]"));
            };
            let line: u64 = line.parse().unwrap();
            let position = match props.get("col") {
                Some(c) => at(line, c.parse().unwrap()),
                None => json
                    .iter()
                    .find(|f| {
                        f.0 == rule
                            && f.1 == file
                            && f.2.split(':').next() == Some(&line.to_string())
                    })
                    .map(|f| f.2.clone())
                    .unwrap_or_default(),
            };
            (rule, file, position)
        })
        .collect();
    v.sort();
    v
}

fn concise_findings(text: &str, files: &[String]) -> Vec<Finding> {
    let mut v: Vec<Finding> = text
        .lines()
        .map(|l| {
            // File names may contain `:`; match the known ones.
            let file = files
                .iter()
                .filter(|f| l.starts_with(&format!("{f}:")) || l.starts_with(&format!("{f}[")))
                .max_by_key(|f| f.len())
                .unwrap_or_else(|| panic!("unknown file in {l}"));
            let rest = &l[file.len()..];
            let (position, rest) = match rest.strip_prefix(':') {
                Some(rest) => {
                    let mut parts = rest.splitn(3, ':');
                    let line = parts.next().unwrap().parse().unwrap();
                    let col = parts.next().unwrap().parse().unwrap();
                    (at(line, col), parts.next().unwrap())
                }
                None => {
                    let (locator, rest) = rest.split_once("]: ").unwrap();
                    (format!("{locator}]"), rest)
                }
            };
            let rule = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
            (rule.to_string(), file.clone(), position)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_format_carries_the_json_findings() {
    for input in inputs() {
        let json = json_findings(&json_of(&input));
        assert!(!json.is_empty());
        let files: Vec<String> = json.iter().map(|f| f.1.clone()).collect();
        assert_eq!(sarif_findings(&run(&input, "sarif")), json, "sarif");
        assert_eq!(junit_findings(&run(&input, "junit")), json, "junit");
        assert_eq!(
            github_findings(&run(&input, "github"), &json),
            json,
            "github"
        );
        assert_eq!(
            concise_findings(&run(&input, "concise"), &files),
            json,
            "concise"
        );
    }
}

#[test]
fn output_file_gets_the_same_report() {
    let input = written_input();
    let dir = tempfile::tempdir().unwrap();
    for format in ["sarif", "junit", "json", "gitlab"] {
        let file = dir.path().join(format!("report.{format}"));
        let assert = Command::cargo_bin("tenantlint")
            .unwrap()
            .current_dir(&input.cwd)
            .args(["check", "--format", format, "--output"])
            .arg(&file)
            .arg(&input.path)
            .assert()
            .code(1);
        assert!(assert.get_output().stdout.is_empty());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            run(&input, format),
            "{format}"
        );
    }
}

// ---------------------------------------------------------------- completions

#[test]
fn bash_completions_parse() {
    let out = Command::cargo_bin("tenantlint")
        .unwrap()
        .args(["completions", "bash"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let script = String::from_utf8(out).unwrap();
    assert!(script.contains("tenantlint"));
    assert!(script.contains("--format"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenantlint.bash");
    std::fs::write(&path, &script).unwrap();
    match StdCommand::new("bash").arg("-n").arg(&path).output() {
        Ok(o) => assert!(
            o.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("note: bash not runnable ({e}); syntax check skipped"),
    }
}

#[test]
fn zsh_and_fish_completions_are_generated() {
    for shell in ["zsh", "fish"] {
        let out = Command::cargo_bin("tenantlint")
            .unwrap()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let script = String::from_utf8(out).unwrap();
        assert!(
            script.contains("tenantlint") && script.contains("check"),
            "{shell}"
        );
    }
}

/// `sarif` writes its results one by one as it serialises them; the bytes
/// are those of the whole document serialised at once (findings, a
/// suppressed one, related locations, a rule descriptor per policy).
#[test]
fn streamed_sarif_is_the_whole_document() {
    let sources = [
        ("team-a/app.yaml", SHARED_SA),
        ("team-b/app.yaml", NAMESPACE_MISMATCH),
        (
            "team-c/ignored.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  namespace: team-c\n  annotations: {tenantlint.io/ignore: \"HOST001: a test\"}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: i}]\n",
        ),
    ];
    let result = tenantlint::engine::check_sources(&sources, &Default::default());
    assert!(!result.diagnostics.is_empty() && !result.suppressed.is_empty());
    let options = tenantlint::report::ReportOptions::default();
    let mut streamed = Vec::new();
    tenantlint::report::sarif::write(&mut streamed, &result, &options).unwrap();
    let mut whole = Vec::new();
    tenantlint::report::write_json(
        &mut whole,
        &tenantlint::report::sarif::to_sarif(&result, &options),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}
