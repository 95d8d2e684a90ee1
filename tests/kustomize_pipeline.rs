//! Issue 11, acceptance 2: what a kustomize build changes in a run's
//! findings (the `# expect:` lines of the fixtures are checked by
//! tests/fixtures.rs; this checks what markers cannot say).

use std::path::Path;

use tenantlint::engine::{CheckOptions, Selection, check};

fn run(case: &str) -> tenantlint::engine::CheckResult {
    let options = CheckOptions {
        paths: vec![
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(case),
        ],
        selection: Selection::default(),
        threads: 2,
        ..CheckOptions::default()
    };
    check(&options).expect("fixture exists")
}

#[test]
fn a_finding_on_a_shared_base_is_reported_once_naming_the_roots() {
    let r = run("HOST003/fail/two-overlays");
    let host: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule_id == "HOST003")
        .collect();
    assert_eq!(host.len(), 1, "{host:#?}");
    let roots: Vec<&str> = host[0].related.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(roots.len(), 2, "{roots:?}");
    assert!(
        roots[0].starts_with("found in the kustomize build of `") && roots[0].ends_with("/dev`")
    );
    assert!(roots[1].ends_with("/prod`"), "{roots:?}");
    // What differs per overlay (its namespace) is reported per overlay.
    let quota: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule_id == "QUOTA001")
        .map(|d| r.files[d.file as usize].display.clone())
        .collect();
    assert_eq!(quota.len(), 2, "{quota:?}");
}

#[test]
fn a_patch_is_no_object_and_its_findings_sit_on_its_lines() {
    let r = run("HOST003/fail/kustomize-patch");
    let in_patch: Vec<(&str, &str)> = r
        .diagnostics
        .iter()
        .filter(|d| r.files[d.file as usize].display.ends_with("sidecar.yaml"))
        .map(|d| (&*d.rule_id, d.message.as_str()))
        .collect();
    // Only what the patch adds: not "runs as the default service account"
    // for a patch that names none.
    assert_eq!(in_patch.len(), 1, "{in_patch:?}");
    assert_eq!(in_patch[0].0, "HOST003");
    assert!(in_patch[0].1.contains("Deployment team-a/notebook"));
}

#[test]
fn kubebuilder_placeholders_give_nothing() {
    let r = run("NS003/pass/kubebuilder");
    let ids: Vec<&str> = r.diagnostics.iter().map(|d| &*d.rule_id).collect();
    assert!(ids.is_empty(), "{ids:?}");
}

#[test]
fn findings_in_rendered_helm_output_name_their_templates() {
    let r = run("HOST003/fail/helm-rendered.yaml");
    let host = r
        .diagnostics
        .iter()
        .find(|d| d.rule_id == "HOST003")
        .expect("HOST003");
    assert_eq!(
        host.source.as_deref(),
        Some("monitoring/templates/daemonset.yaml")
    );
    assert!(
        host.shown_message()
            .ends_with("(from `monitoring/templates/daemonset.yaml`)")
    );
    let json = tenantlint::report::json::to_value(&r);
    let sources: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["source"].as_str())
        .collect();
    assert!(
        sources.contains(&"monitoring/templates/daemonset.yaml"),
        "{json}"
    );
}

#[test]
fn patches_are_no_objects_even_when_the_build_fails() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // `missing.yaml` does not exist: kustomize cannot build this.
    w(
        "app/kustomization.yaml",
        "namespace: team-a\nresources: [missing.yaml]\npatches:\n- path: patch.yaml\n",
    );
    w(
        "app/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n",
    );
    let options = CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        threads: 1,
        ..CheckOptions::default()
    };
    let r = check(&options).unwrap();
    assert_eq!(r.objects, 0, "{:?}", r.diagnostics);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("kustomize build failed"))
    );
}

#[test]
fn a_build_reads_nothing_outside_the_linted_paths() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("secret/kustomization.yaml", "resources: [token.yaml]\n");
    w(
        "secret/token.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: do-not-print\n",
    );
    w(
        "repo/app/kustomization.yaml",
        "namespace: team-a\nresources: [../../secret]\n",
    );
    let options = CheckOptions {
        paths: vec![dir.path().join("repo")],
        threads: 1,
        ..CheckOptions::default()
    };
    let r = check(&options).unwrap();
    assert!(r.files.iter().all(|f| !f.display.contains("token.yaml")));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("outside the linted paths")),
        "{:?}",
        r.warnings
    );
}
