//! SPEC §4 tenancy model and bundles, end to end: add-on namespaces are the
//! platform's and named in the summaries, Kubernetes' own objects are no
//! tenant's, and a file's findings do not depend on the folder given.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use tenantlint::engine::{CheckOptions, check_sources};

mod common;

use common::{command, write};

/// A namespace with a workload that breaks tenant rules: no quota, no
/// policies, a host network, the default service account, no resources.
fn namespace_with_workload(ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: agent\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      - name: agent\n        image: example/agent:1.0\n"
    )
}

fn json_check(dir: &Path, args: &[&str]) -> Value {
    let out = command()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The directories (first path component) of the files with findings.
fn dirs_with_findings(report: &Value) -> BTreeSet<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            file.split('/').next().unwrap().to_string()
        })
        .collect()
}

fn platform_namespaces(report: &Value) -> Vec<&str> {
    report["summary"]["platform_namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn add_on_namespaces_are_the_platforms_and_named_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for ns in ["flux-system", "argocd", "monitoring", "team-a", "team-b"] {
        write(
            dir.path(),
            &format!("{ns}/manifests.yaml"),
            namespace_with_workload(ns),
        );
    }
    let report = json_check(dir.path(), &["."]);
    assert_eq!(
        dirs_with_findings(&report),
        BTreeSet::from(["team-a".to_string(), "team-b".to_string()])
    );
    assert_eq!(
        platform_namespaces(&report),
        ["argocd", "flux-system", "monitoring"]
    );
    // Both teams get the same tenant findings.
    let rules = |team: &str| -> BTreeSet<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"].as_str().unwrap().starts_with(team))
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(rules("team-a").contains("QUOTA001"));
    assert!(rules("team-a").contains("HOST001"));
    assert_eq!(rules("team-a"), rules("team-b"));

    let human = command()
        .current_dir(dir.path())
        .args(["check", "--color", "never", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(
            "assumed platform namespaces (no tenant's): `argocd`, `flux-system`, `monitoring`"
        ),
        "{text}"
    );

    // `tenant-namespaces` claims one back.
    write(
        dir.path(),
        ".tenantlint.yaml",
        "tenant-namespaces: [monitoring]\n",
    );
    let report = json_check(dir.path(), &["."]);
    assert_eq!(
        dirs_with_findings(&report),
        BTreeSet::from([
            "monitoring".to_string(),
            "team-a".to_string(),
            "team-b".to_string()
        ])
    );
    assert_eq!(platform_namespaces(&report), ["argocd", "flux-system"]);
}

#[test]
fn kubernetes_own_objects_are_no_tenants() {
    // What `kubectl get -o yaml` of a cluster holds besides the tenant's work.
    let exported = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\nspec:\n  ports: [{port: 443}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: team-a\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: default\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-root-ca.crt\n  namespace: team-a\ndata: {ca.crt: x}\n";
    let result = check_sources(&[("cluster.yaml", exported)], &CheckOptions::default());
    let found: Vec<_> = result
        .diagnostics
        .iter()
        .map(|d| (d.rule_id.to_string(), d.message.clone()))
        .collect();
    assert!(found.is_empty(), "{found:?}");
    // A tenant's own Service in `default` is still reported.
    let own = exported.replace("name: kubernetes", "name: trainer");
    let result = check_sources(&[("cluster.yaml", &own)], &CheckOptions::default());
    assert!(result.diagnostics.iter().any(|d| d.rule_id == "NS001"));
}

#[test]
fn examples_give_the_same_findings_whichever_folder_is_given() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let under_examples = |report: &Value| -> BTreeSet<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"].as_str().unwrap().starts_with("examples/"))
            // Related locations of set-wide rules that are not bundle rules
            // (MLF001 compares every tenant's artifact roots) name whatever
            // else was linted; the finding itself may not change.
            .map(|d| {
                format!(
                    "{} {}:{}:{} {}",
                    d["rule"], d["file"], d["line"], d["column"], d["message"]
                )
            })
            .collect()
    };
    let examples = under_examples(&json_check(root, &["examples/"]));
    let whole = under_examples(&json_check(root, &["."]));
    assert!(!examples.is_empty());
    assert_eq!(examples, whole);
}

#[test]
fn each_example_file_is_its_own_bundle_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let workload = |name: &str, ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: {name}}}\nspec:\n  template:\n    spec:\n      serviceAccountName: runner\n      containers: [{{name: c, image: i}}]\n"
        )
    };
    // Two examples that each use `runner`: separate cases, not one deployment.
    write(
        dir.path(),
        "examples/serving/app.yaml",
        workload("serving", "demo"),
    );
    write(
        dir.path(),
        "examples/training/app.yaml",
        workload("training", "demo"),
    );
    // The same two files elsewhere are deployed together.
    write(
        dir.path(),
        "deploy/serving.yaml",
        workload("serving", "prod"),
    );
    write(
        dir.path(),
        "deploy/training.yaml",
        workload("training", "prod"),
    );
    let findings = |report: &Value, prefix: &str| -> BTreeSet<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"].as_str().unwrap().starts_with(prefix))
            .map(|d| format!("{} {}:{} {}", d["rule"], d["file"], d["line"], d["message"]))
            .collect()
    };
    let whole = json_check(dir.path(), &["."]);
    let examples = json_check(dir.path(), &["examples"]);
    let inside = json_check(&dir.path().join("examples"), &["serving", "training"]);
    assert_eq!(
        findings(&whole, "examples/"),
        findings(&examples, "examples/")
    );
    let rules = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter()
            .map(|f| f.split(' ').next().unwrap().to_string())
            .collect()
    };
    assert!(!rules(&findings(&whole, "examples/")).contains("\"SA001\""));
    assert!(rules(&findings(&whole, "deploy/")).contains("\"SA001\""));
    assert!(!rules(&findings(&inside, "")).contains("\"SA001\""));
}
