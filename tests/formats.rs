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

/// (rule, file, line, column) of one finding.
type Finding = (String, String, u64, u64);

/// A directory to lint and the working directory to lint it from, so that
/// reported paths are relative as in a CI checkout.
struct Input {
    cwd: PathBuf,
    path: String,
    _keep: Option<TempDir>,
}

const BAD: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: tenant1
---
apiVersion: v1
kind: Pod
metadata:
  name: tenant1-pod
  namespace: tenant2
spec:
  containers:
  - name: app
    image: ml-app:latest
";

const SHARED_SA: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: notebook
  namespace: team-a
spec:
  template:
    metadata:
      labels: {app: notebook}
    spec:
      serviceAccountName: ml-runner
      containers: [{name: nb, image: jupyter/base}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: serving
  namespace: team-a
spec:
  template:
    metadata:
      labels: {app: serving}
    spec:
      serviceAccountName: ml-runner
      containers: [{name: srv, image: ml/serve}]
";

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
    std::fs::write(root.join("bad.yaml"), BAD).unwrap();
    std::fs::write(root.join("team a/shared sa.yaml"), SHARED_SA).unwrap();
    std::fs::write(root.join("clean.yaml"), CLEAN).unwrap();
    // A syntax error whose message has `:` and `,` in a file whose name has
    // every character a workflow-command property must escape.
    std::fs::write(root.join("odd,name:100%.yaml"), "a: 1\nb: {c: 1\n").unwrap();
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
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
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
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "note: {} is absent; SARIF schema validation skipped",
            path.display()
        );
        return None;
    };
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
            assert_eq!(r["message"]["text"], d["message"]);
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert_eq!(percent_decode(uri), d["file"].as_str().unwrap());
            assert!(!uri.contains(' '), "unencoded URI {uri}");
            let region = &loc["region"];
            assert_eq!(region["startLine"], d["line"], "{r}");
            assert_eq!(region["startColumn"], d["column"], "{r}");
            assert_eq!(region["endLine"], d["end_line"], "{r}");
            assert_eq!(region["endColumn"], d["end_column"], "{r}");
            let related = d["related"].as_array().unwrap();
            if related.is_empty() {
                assert!(r.get("relatedLocations").is_none());
            } else {
                let rl = r["relatedLocations"].as_array().unwrap();
                assert_eq!(rl.len(), related.len());
                for (s, j) in rl.iter().zip(related) {
                    assert_eq!(s["physicalLocation"]["region"]["startLine"], j["line"]);
                    assert_eq!(s["message"]["text"], j["message"]);
                }
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
    std::fs::write(&bad, format!("# a comment\n\n# another\n{BAD}")).unwrap();
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
        }],
        suppressed: vec![],
        fingerprints: vec![],
        documents: 1,
        objects: 0,
        warnings: vec![],
    };
    let sarif = serde_json::to_value(tenantlint::report::sarif::to_sarif(&result)).unwrap();
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
    assert!(r.get("ruleIndex").is_none());
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
        let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
        for d in diagnostics {
            *per_file.entry(d["file"].as_str().unwrap()).or_default() += 1;
        }
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
            assert_eq!(failing.len(), expected, "{file}");
            // Findings are the failing cases; a clean file has one passing case.
            assert_eq!(cases.len(), expected.max(1), "{file}");
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
                assert!(text.starts_with(&format!("{file}:")), "{text}");
            }
            total_tests += cases.len();
            total_failures += expected;
        }
        assert_eq!(total_failures, diagnostics.len());
        let attr = |n: &str| root.attribute(n).unwrap().parse::<usize>().unwrap();
        assert_eq!(attr("tests"), total_tests);
        assert_eq!(attr("failures"), diagnostics.len());
    }
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
                    || keys == ["endLine", "file", "line", "title"],
                "{line}"
            );
            // The unescaped command names exactly one json finding.
            let d = diagnostics
                .iter()
                .find(|d| {
                    d["file"] == props["file"].as_str()
                        && d["line"].as_u64() == props["line"].parse().ok()
                        && d["message"] == message.as_str()
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
            (
                r["ruleId"].as_str().unwrap().to_string(),
                percent_decode(loc["artifactLocation"]["uri"].as_str().unwrap()),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
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
        for failure in suite.descendants().filter(|n| n.has_tag_name("failure")) {
            let text = failure.text().unwrap();
            // `file:line:col: severity[RULE] name: message`
            let rest = text.strip_prefix(&format!("{file}:")).unwrap();
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap().parse().unwrap();
            let col = parts.next().unwrap().parse().unwrap();
            let rest = parts.next().unwrap();
            let rule = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
            v.push((rule.to_string(), file.to_string(), line, col));
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
            let (_, props, _) = parse_command(l);
            let rule = props["title"].split_once(' ').unwrap().0.to_string();
            let file = props["file"].clone();
            let line: u64 = props["line"].parse().unwrap();
            let col = match props.get("col") {
                Some(c) => c.parse().unwrap(),
                None => json
                    .iter()
                    .find(|f| f.0 == rule && f.1 == file && f.2 == line)
                    .map(|f| f.3)
                    .unwrap_or(0),
            };
            (rule, file, line, col)
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
                .filter(|f| l.starts_with(&format!("{f}:")))
                .max_by_key(|f| f.len())
                .unwrap_or_else(|| panic!("unknown file in {l}"));
            let rest = &l[file.len() + 1..];
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap().parse().unwrap();
            let col = parts.next().unwrap().parse().unwrap();
            let rule = rest.split_once('[').unwrap().1.split_once(']').unwrap().0;
            (rule.to_string(), file.clone(), line, col)
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
    for format in ["sarif", "junit", "json"] {
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
