//! Runs over the shared corpus of real manifests (`../shared/corpus`): no
//! panic, every document loaded, no YAML001 on valid YAML, and a per-rule
//! count of findings to triage. Skips with a note when the corpus is absent
//! (fails instead when the environment variable `CI` is set).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenantlint::engine::{CheckOptions, CheckResult, check};

mod common;

/// `../shared/corpus/<sub>`; absent, the test is skipped (and fails under `CI`).
fn corpus(sub: &str) -> Option<PathBuf> {
    common::shared(&format!("corpus/{sub}"))
}

fn run(path: PathBuf) -> CheckResult {
    check(&CheckOptions {
        paths: vec![path],
        ..CheckOptions::default()
    })
    .expect("corpus path exists")
}

fn per_rule(result: &CheckResult) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for d in &result.diagnostics {
        *counts.entry(d.rule_id.to_string()).or_insert(0) += 1;
    }
    counts
}

/// "YAML documents (non-empty): **6,857**" from the corpus's STATS.md, which
/// was computed with PyYAML — an independent count.
fn stats_documents(dir: &Path) -> Option<usize> {
    let stats = std::fs::read_to_string(dir.join("STATS.md")).ok()?;
    let line = stats
        .lines()
        .find(|l| l.contains("YAML documents (non-empty)"))?;
    let digits: String = line.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn k8s_corpus_loads_completely() {
    let Some(dir) = corpus("k8s") else { return };
    let result = run(dir.clone());
    let syntax: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.rule_id == "YAML001")
        .map(|d| {
            format!(
                "{}:{}: {}",
                result.files[d.file as usize].display, d.span.start.line, d.message
            )
        })
        .collect();
    // Every file of this corpus re-parses with PyYAML (STATS.md), so none may
    // be reported as invalid YAML.
    assert!(
        syntax.is_empty(),
        "unexpected YAML001:\n{}",
        syntax.join("\n")
    );
    if let Some(expected) = stats_documents(&dir) {
        assert_eq!(result.documents, expected, "non-empty documents loaded");
    }
    assert!(result.files.len() > 3000);
    println!("findings per rule over corpus/k8s:");
    for (rule, n) in per_rule(&result) {
        println!("  {rule:<9} {n}");
    }
}

#[test]
fn broken_corpus_gives_findings_not_crashes() {
    let Some(dir) = corpus("k8s-broken") else {
        return;
    };
    let result = run(dir);
    // Files that are not valid YAML, named with the reason.
    let invalid = [
        (
            "FairwindsOps__polaris/pkg/kube/test_files/test_3/bad.yaml",
            "a `::::` line is no mapping key",
        ),
        (
            "argoproj__argo-cd/reposerver/repository/testdata/utf-16/utf-16.yaml",
            "UTF-16 text",
        ),
        (
            "stackrox__kube-linter/pkg/command/lint/testdata/invalid.yaml",
            "an unclosed `{`",
        ),
    ];
    for (file, reason) in invalid {
        assert!(
            result
                .diagnostics
                .iter()
                .any(|d| d.rule_id == "YAML001"
                    && result.files[d.file as usize].display.ends_with(file)),
            "{file} ({reason}) should give YAML001"
        );
    }
    // Every other file loads.
    for f in &result.files {
        let yaml001 = result
            .diagnostics
            .iter()
            .any(|d| d.rule_id == "YAML001" && d.file == f.id);
        let expected = invalid.iter().any(|(p, _)| f.display.ends_with(p));
        assert_eq!(yaml001, expected, "{}", f.display);
    }
}

#[test]
fn mlflow_corpus_loads() {
    let Some(dir) = corpus("mlflow") else { return };
    let result = run(dir);
    assert!(
        !result.diagnostics.iter().any(|d| d.rule_id == "YAML001"),
        "the MLflow corpus is valid YAML"
    );
    println!("findings per rule over corpus/mlflow:");
    for (rule, n) in per_rule(&result) {
        println!("  {rule:<9} {n}");
    }
    // Real problems of the corpus, each at its line.
    let found = |rule: &str, file: &str, line: u32| {
        result.diagnostics.iter().any(|d| {
            d.rule_id == rule
                && d.span.start.line == line
                && result.files[d.file as usize].display.ends_with(file)
        })
    };
    for (rule, file, line, what) in [
        (
            "MLF005",
            "DARC7777__mlflow-minio-k8s/kubernetes/mlflow-deployment.yaml",
            34,
            "AWS_SECRET_ACCESS_KEY written in the Deployment",
        ),
        (
            "MLF005",
            "DARC7777__mlflow-minio-k8s/kubernetes/mlflow-deployment.yaml",
            22,
            "the MySQL password in --backend-store-uri",
        ),
        (
            "MLF005",
            "mmulvahill__homelab-k3s/mlflow-deployment.yaml",
            25,
            "user:password@ of the (shared) `airflow` database",
        ),
        (
            "MLF005",
            "dmitry-bezyazychnyy__mlflow-on-k8s/k8s/mlflow.yaml",
            39,
            "the password in the args of an image whose entrypoint is `mlflow server`",
        ),
        (
            "MLF007",
            "mlflow__mlflow/mlflow/server/auth/basic_auth.ini",
            5,
            "the old default admin password password1234",
        ),
        (
            "MLF004",
            "misohu__mlflow-kubernetes-deployment/mlflow-deployment.yaml",
            21,
            "--host 0.0.0.0 without --app-name",
        ),
        (
            "MLF010",
            "drai-inn__ai-gpu-mlflow/mlflow-deployment.yaml",
            53,
            "--disable-security-middleware",
        ),
    ] {
        assert!(found(rule, file, line), "{rule} at {file}:{line} ({what})");
    }
    // The servers with an auth app, and the consistent file stores, are clean.
    for (rule, file) in [
        ("MLF004", "drai-inn__ai-gpu-mlflow/mlflow-deployment.yaml"),
        ("MLF009", "03sarath__jenkins-mlflow-docker"),
        ("MLF005", "drai-inn__ai-gpu-mlflow/mlflow-deployment.yaml"),
    ] {
        assert!(
            !result
                .diagnostics
                .iter()
                .any(|d| d.rule_id == rule && result.files[d.file as usize].display.contains(file)),
            "no {rule} expected in {file}"
        );
    }
}

#[test]
fn mlflow_servers_in_the_corpus_are_parsed() {
    let Some(dir) = corpus("mlflow") else { return };
    let (inputs, _) = tenantlint::discover::discover(&[dir]).unwrap();
    let set = tenantlint::engine::load_set(&inputs, &CheckOptions::default());
    let mut found = Vec::new();
    for s in &set.index.servers {
        let file = tenantlint::rules::mlflow::server_file(&set.index, s);
        let root = s
            .server
            .arg("default-artifact-root")
            .map(|a| a.value.clone());
        let backend = s.server.arg("backend-store-uri").map(|a| a.value.clone());
        found.push(format!(
            "{} root={root:?} backend={backend:?}",
            set.files[file as usize].display
        ));
    }
    println!("mlflow servers found:\n  {}", found.join("\n  "));
    // Deployments that run `mlflow server`: as a command list, through `sh -c`.
    for expected in [
        "misohu__mlflow-kubernetes-deployment",
        "caroheymes__mlflow-kubernetes",
        "DARC7777__mlflow-minio-k8s",
        // An image whose entrypoint is `mlflow server`: flags in `args` only.
        "dmitry-bezyazychnyy__mlflow-on-k8s",
    ] {
        assert!(
            found.iter().any(|f| f.contains(expected)),
            "no server found in {expected}"
        );
    }
}

/// Every YAML file of `dir`, recursively, in path order.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// In a set too big to keep every tree, objects keep where their document
/// is and parse it again when read: every object of the corpus reads back
/// the tree the loader built, spans and all.
#[test]
fn stored_trees_read_again_equal_the_loaded_ones() {
    use std::sync::Arc;
    use tenantlint::model::build::{FileBuilder, build_file};
    use tenantlint::model::k8s::RootRef;
    use tenantlint::source::{FileKind, SourceFile};
    let mut objects = 0;
    for sub in ["k8s", "k8s-broken", "kustomize", "mlflow"] {
        let Some(dir) = corpus(sub) else { return };
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            let (text, _) = tenantlint::load::decode(&bytes);
            let display = path.display().to_string();
            let f = Arc::new(SourceFile::new(7, path, display, FileKind::Yaml, text));
            let resident = build_file(&f, tenantlint::load::parse_yaml(&f).docs);
            let mut builder = FileBuilder::new(&f, Some(&f));
            tenantlint::load::parse_yaml_each(&f, |doc| builder.add(doc));
            let stored = builder.finish();
            assert_eq!(
                stored.objects.len(),
                resident.objects.len(),
                "{}",
                f.display
            );
            for (r, s) in resident.objects.iter().zip(&stored.objects) {
                assert!(*s.root() == *r.root(), "{}: {}", f.display, s.describe());
                // Items of a `kind: List` keep their trees.
                if matches!(s.root(), RootRef::Parsed(_)) {
                    objects += 1;
                }
            }
        }
    }
    assert!(objects > 5000, "{objects} trees read again");
}

/// The same findings, in the same order, whether the trees stay in memory
/// or are read again from the files (corpus, examples, rule fixtures).
#[test]
fn stored_trees_give_the_same_findings() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every rule's fixtures too: each rule meets the trees read again.
    let dirs: Vec<PathBuf> = ["k8s", "k8s-broken", "kustomize", "mlflow"]
        .iter()
        .filter_map(|s| corpus(s))
        .chain([here.join("examples"), here.join("fixtures")])
        .collect();
    for dir in dirs {
        let with = |keep: Option<u64>| {
            check(&CheckOptions {
                paths: vec![dir.clone()],
                keep_trees_up_to: keep,
                ..CheckOptions::default()
            })
            .unwrap()
        };
        let (resident, stored) = (with(None), with(Some(0)));
        assert!(!resident.diagnostics.is_empty(), "{}", dir.display());
        assert_eq!(
            resident.diagnostics,
            stored.diagnostics,
            "{}",
            dir.display()
        );
        assert_eq!(resident.suppressed, stored.suppressed, "{}", dir.display());
    }
}
