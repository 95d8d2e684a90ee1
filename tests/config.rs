//! `.tenantlint.yaml` (SPEC §5), suppressions (SPEC §6) and `init`, end to end.

use std::path::Path;

mod common;

use common::{tenantlint, write};
use predicates::prelude::*;

fn concise(dir: &Path, args: &[&str]) -> (String, Option<i32>) {
    let out = tenantlint(dir)
        .args(["check", "--format", "concise"])
        .args(args)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

const JOB: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: train
  namespace: alpha-dev
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: train, image: ml/train:1}]
";

#[test]
fn config_is_discovered_upward_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "teams/alpha/job.yaml", JOB);
    write(
        d,
        "legacy/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    write(d, "charts/t/templates/bad.yaml", "a: [\n");
    let (out, code) = concise(d, &[]);
    assert!(
        out.contains("SA002") && out.contains("NS002") && out.contains("YAML001"),
        "{out}"
    );
    assert_eq!(code, Some(1));

    write(
        d,
        ".tenantlint.yaml",
        "rules:\n  SA002: error\n  QUOTA001: off\nexclude: [\"charts/**\"]\nper-path-ignores:\n  \"legacy/**\": [NS002]\n",
    );
    // Run from a subdirectory: the config is found upward.
    let (out, code) = concise(&d.join("teams"), &[".."]);
    assert!(out.contains("error[SA002]"), "{out}");
    assert!(
        !out.contains("QUOTA001") && !out.contains("NS002") && !out.contains("YAML001"),
        "{out}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn tenants_platform_namespaces_and_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "teams/alpha/job.yaml", JOB);
    write(d, "teams/beta/job.yaml", JOB.replace("alpha-dev", "beta"));
    write(d, "ops/mon.yaml", JOB.replace("alpha-dev", "monitoring"));
    write(
        d,
        ".tenantlint.yaml",
        "tenants:\n  team-alpha: [\"alpha-*\"]\nplatform-namespaces: [monitoring]\npaths:\n  \"teams/beta/**\": {tenant: team-alpha}\n",
    );
    let (out, _) = concise(d, &["--select", "NS003,SA002,QUOTA001"]);
    // `monitoring` is a platform namespace: no quota and no SA finding there.
    assert!(!out.contains("ops/mon.yaml"), "{out}");
    // teams/beta/** is mapped to tenant team-alpha, but `beta` is its own tenant.
    assert!(
        out.contains("teams/beta/job.yaml:5:14: error[NS003]"),
        "{out}"
    );
    assert!(
        !out.contains("teams/alpha/job.yaml:5:14: error[NS003]"),
        "{out}"
    );
}

#[test]
fn cli_options_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "job.yaml", JOB);
    write(
        d,
        ".tenantlint.yaml",
        "select: [QUOTA]\nfail-on: never\nnamespace: team-x\n",
    );
    let (out, code) = concise(d, &[]);
    assert!(out.contains("QUOTA001") && !out.contains("SA002"), "{out}");
    assert_eq!(code, Some(0));
    let (out, code) = concise(d, &["--select", "SA", "--fail-on", "warning"]);
    assert!(out.contains("SA002") && !out.contains("QUOTA001"), "{out}");
    assert_eq!(code, Some(1));
}

#[test]
fn bad_config_is_exit_2_with_a_pointer_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "job.yaml", JOB);
    write(
        d,
        ".tenantlint.yaml",
        "rules:\n  SA002: off\nplatform-namespace: [monitoring]\n",
    );
    tenantlint(d)
        .args(["check", "--color", "never"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown key `platform-namespace`")
                .and(predicate::str::contains(
                    "did you mean `platform-namespaces`?",
                ))
                .and(predicate::str::contains(".tenantlint.yaml:3:1")),
        );
    write(d, "other.yaml", "rules:\n  NS0003: warning\n");
    tenantlint(d)
        .args(["check", "--config", "other.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `NS003`?"));
    tenantlint(d)
        .args(["check", "--config", "missing.yaml"])
        .assert()
        .code(2);
}

#[test]
fn suppressions_in_comments_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n  namespace: default # tenantlint: ignore[NS001] read by the old scheduler\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\n  annotations:\n    tenantlint.io/ignore: SA002\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: train, image: ml/train:1}]\n",
    );
    let (out, _) = concise(d, &["--select", "NS001,SA002,LINT"]);
    assert!(!out.contains("NS001") && !out.contains("[SA002]"), "{out}");
    // The annotation has no reason: LINT002 on its value.
    assert!(out.contains("a.yaml:13:27: warning[LINT002]"), "{out}");
    // SARIF keeps suppressed findings, marked as such.
    let out = tenantlint(d)
        .args(["check", "--format", "sarif", "--select", "NS001,SA002"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r["suppressions"][0]["kind"] == "inSource")
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "suppressed findings do not fail the run"
    );
}

#[test]
fn init_writes_a_valid_starter_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tenantlint(d).arg("init").assert().success();
    let text = std::fs::read_to_string(d.join(".tenantlint.yaml")).unwrap();
    assert!(text.contains("# tenants:"));
    tenantlint(d).arg("init").assert().code(2);
    tenantlint(d).args(["init", "--force"]).assert().success();
    write(d, "job.yaml", JOB);
    tenantlint(d).arg("check").assert().code(1);
}

#[test]
fn baseline_hides_recorded_findings_while_code_moves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "job.yaml", JOB);
    tenantlint(d)
        .args(["check", "--write-baseline", "baseline.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("recorded"));
    let (out, code) = concise(d, &["--baseline", "baseline.json"]);
    assert_eq!((out.as_str(), code), ("", Some(0)));
    // Lines move: still hidden. A new finding: reported.
    write(
        d,
        "job.yaml",
        format!("# moved down\n\n{JOB}---\n{}", JOB.replace("train", "eval")),
    );
    let (out, code) = concise(d, &["--baseline", "baseline.json"]);
    assert!(!out.is_empty() && !out.contains("train"), "{out}");
    assert!(out.lines().all(|l| l.contains("eval")), "{out}");
    assert_eq!(code, Some(0), "only warnings are new: {out}");
    write(d, "bad.json", "{\"version\": 7, \"findings\": []}");
    tenantlint(d)
        .args(["check", "--baseline", "bad.json"])
        .assert()
        .code(2);
}

#[test]
fn context_mode_reports_only_the_given_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sa = |name: &str, app: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: t}}\nspec:\n  template:\n    metadata: {{labels: {{app: {app}}}}}\n    spec:\n      serviceAccountName: shared\n      containers: [{{name: c, image: i}}]\n"
        )
    };
    write(d, "a.yaml", sa("a", "a"));
    write(d, "other/b.yaml", sa("b", "b"));
    // Alone, a.yaml shares nothing; with the repo as context, SA001 sees b.yaml.
    let (out, _) = concise(d, &["a.yaml", "--select", "SA001"]);
    assert_eq!(out, "");
    let (out, code) = concise(d, &["a.yaml", "--context", ".", "--select", "SA001"]);
    assert!(out.contains("a.yaml:8:27: error[SA001]"), "{out}");
    assert!(!out.contains("other/b.yaml:"), "{out}");
    assert_eq!(code, Some(1));
}
