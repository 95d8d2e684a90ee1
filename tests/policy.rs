//! User policies (SPEC §4.10) end to end: found through the config's
//! `policies:`, reported with their own id, name, severity and message in
//! every output format, selectable, configurable and suppressible like
//! built-in rules.

use std::path::Path;

mod common;

use common::{command, write};

const POLICY: &str = "apiVersion: tenantlint.io/v1
kind: Policy
metadata:
  name: job-cost-center
spec:
  id: ACME001
  severity: warning
  match:
    kinds: [Job]
    namespaces: [\"team-*\"]
  validations:
  - expression: \"has(object.metadata.labels) && 'cost-center' in object.metadata.labels\"
    message: training jobs must carry a cost-center label
    fieldPath: metadata.labels
";

const JOBS: &str = "apiVersion: batch/v1
kind: Job
metadata:
  name: labelled
  namespace: team-a
  labels:
    cost-center: cc-42
---
apiVersion: batch/v1
kind: Job
metadata:
  name: other-labels
  namespace: team-a
  labels:
    app: train
---
apiVersion: batch/v1
kind: Job
metadata:
  name: no-labels
  namespace: team-b
---
apiVersion: batch/v1
kind: Job
metadata:
  name: platform-job
  namespace: kube-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: not-a-job
  namespace: team-a
";

/// A repository with the policy outside the linted directory.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".tenantlint.yaml", "policies: [policies/]\n");
    write(dir.path(), "policies/cost-center.yaml", POLICY);
    write(dir.path(), "manifests/jobs.yaml", JOBS);
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = command()
        .current_dir(dir)
        .args(["check", "manifests"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn flags_exactly_the_jobs_without_the_label_in_every_format() {
    let dir = repo();
    let (code, json) = run(dir.path(), &["--format", "json", "--select", "ACME001"]);
    assert_eq!(code, 0, "a warning does not fail the run: {json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let found: Vec<(String, String, String, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["name"].as_str().unwrap().to_string(),
                d["object"]["name"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = |name: &str, line, col| {
        (
            "ACME001".to_string(),
            "job-cost-center".to_string(),
            name.to_string(),
            line,
            col,
        )
    };
    // `labels:` of the job that has other labels, `metadata:` of the one
    // without; the platform namespace is outside `team-*`.
    assert_eq!(
        found,
        [want("other-labels", 14, 3), want("no-labels", 19, 1)]
    );
    for d in json["diagnostics"].as_array().unwrap() {
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["message"], "training jobs must carry a cost-center label");
    }

    let (_, concise) = run(dir.path(), &["--format", "concise", "--select", "ACME001"]);
    assert!(
        concise.contains("manifests/jobs.yaml:14:3: warning[ACME001] training jobs must carry a cost-center label"),
        "{concise}"
    );
    let (_, github) = run(dir.path(), &["--format", "github", "--select", "ACME001"]);
    assert!(
        github.contains("::warning file=manifests/jobs.yaml,line=14,col=3")
            && github.contains(
                "title=ACME001 job-cost-center::training jobs must carry a cost-center label"
            ),
        "{github}"
    );
    let (_, human) = run(
        dir.path(),
        &[
            "--format", "human", "--select", "ACME001", "--color", "never",
        ],
    );
    assert!(
        human.contains("ACME001") && human.contains("job-cost-center"),
        "{human}"
    );
    let (_, junit) = run(dir.path(), &["--format", "junit", "--select", "ACME001"]);
    assert!(junit.contains("ACME001"), "{junit}");
    let (_, sarif) = run(dir.path(), &["--format", "sarif", "--select", "ACME001"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    let rule = &run0["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], "ACME001");
    assert_eq!(rule["name"], "job-cost-center");
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        14
    );
}

#[test]
fn selection_severity_and_suppression_work_with_policy_ids() {
    let dir = repo();
    // By name and by the `policy` category.
    for selector in ["job-cost-center", "policy", "ACME"] {
        let (_, out) = run(dir.path(), &["--format", "concise", "--select", selector]);
        assert_eq!(out.matches("[ACME001]").count(), 2, "{selector}: {out}");
    }
    let (_, out) = run(dir.path(), &["--format", "concise", "--ignore", "ACME001"]);
    assert!(!out.contains("ACME001"), "{out}");
    // The config's `rules:` and `select:` know the policy's id.
    write(
        dir.path(),
        ".tenantlint.yaml",
        "policies: [policies/cost-center.yaml]\nselect: [ACME001]\nrules:\n  job-cost-center: error\n",
    );
    let (code, out) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("error[ACME001]").count(), 2, "{out}");
    // A suppression comment names the policy like any rule.
    let suppressed = JOBS.replace(
        "  labels:\n    app: train\n",
        "  labels: # tenantlint: ignore[ACME001] cost center assigned by the batch system\n    app: train\n",
    );
    write(dir.path(), "manifests/jobs.yaml", &suppressed);
    let (_, out) = run(dir.path(), &["--format", "concise"]);
    assert_eq!(out.matches("[ACME001]").count(), 1, "{out}");
}

#[test]
fn a_missing_policy_path_is_a_config_error() {
    let dir = repo();
    write(
        dir.path(),
        ".tenantlint.yaml",
        "policies: [policies/, nowhere/]\n",
    );
    let out = command()
        .current_dir(dir.path())
        .args(["check", "manifests"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("policy path `nowhere/` does not exist"),
        "{stderr}"
    );
}

#[test]
fn unknown_policy_ids_are_still_rejected_as_selectors() {
    let dir = repo();
    let out = command()
        .current_dir(dir.path())
        .args(["check", "manifests", "--select", "ACME999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn message_expression_field_path_and_tenant() {
    let dir = repo();
    write(
        dir.path(),
        "policies/cost-center.yaml",
        "apiVersion: tenantlint.io/v1
kind: Policy
metadata:
  name: service-account
spec:
  id: ACME002
  match:
    apiGroups: [batch]
    kinds: [Job]
  validations:
  - expression: \"has(object.spec.template.spec.serviceAccountName)\"
    messageExpression: \"'job ' + object.metadata.name + ' of tenant ' + tenant + ' needs its own service account'\"
    fieldPath: spec.template.spec.serviceAccountName
",
    );
    write(
        dir.path(),
        "manifests/jobs.yaml",
        "apiVersion: batch/v1
kind: Job
metadata:
  name: train
  namespace: team-a
spec:
  template:
    spec:
      containers: []
",
    );
    let (code, out) = run(dir.path(), &["--format", "concise", "--select", "ACME002"]);
    assert_eq!(code, 1);
    // The finding sits on the key of the pod spec that lacks the field.
    assert!(
        out.contains("manifests/jobs.yaml:8:5: error[ACME002] job train of tenant team-a needs its own service account"),
        "{out}"
    );
}
