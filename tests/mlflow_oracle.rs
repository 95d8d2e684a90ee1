//! The real MLflow as the oracle. `tests/data/mlflow-oracle/` was written
//! by MLflow itself (`scripts/gen-mlflow-fixtures.py`; the version is in
//! its `MLFLOW_VERSION`): the lesson's SQLite tracking server and an MLflow 3
//! file store with logged models. These tests lint that output; when a
//! Python with `mlflow` is at hand (`TENANTLINT_MLFLOW_PYTHON`, else
//! `python3`), the stores are generated again and must give the same
//! findings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenantlint::config::Config;
use tenantlint::engine::{CheckOptions, CheckResult, check};

fn oracle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mlflow-oracle")
}

/// Lint `dir` with the `.tenantlint.yaml` in it.
fn lint(dir: &Path) -> CheckResult {
    let config = Config::load(&dir.join(".tenantlint.yaml")).expect("a valid config");
    let options = CheckOptions {
        paths: vec![dir.to_path_buf()],
        config: Arc::new(config),
        threads: 1,
        ..CheckOptions::default()
    };
    check(&options).unwrap()
}

/// Ids (run uuids, logged model ids, experiment ids) differ on every
/// generation; findings are compared with them masked.
fn mask(s: &str, root: &str) -> String {
    let s = s.replace(root, "<root>");
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word.len() == 32 && word.bytes().all(|b| b.is_ascii_hexdigit());
        let digits = word.len() >= 15 && word.bytes().all(|b| b.is_ascii_digit());
        if hex || digits {
            out.push_str("<id>");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// (rule, where, message) of every finding, ids masked, sorted.
fn masked(result: &CheckResult, dir: &Path, root: &str) -> Vec<(String, String, String)> {
    let prefix = dir.to_string_lossy().replace('\\', "/");
    let mut v: Vec<_> = result
        .diagnostics
        .iter()
        .map(|d| {
            let file = &result.files[d.file as usize].display;
            let file = file.strip_prefix(&prefix).unwrap_or(file);
            let at = match &d.locator {
                Some(l) => format!("{file}[{l}]"),
                None => format!("{file}:{}", d.span.start.line),
            };
            (
                d.rule_id.to_string(),
                mask(&at, root),
                mask(&d.message, root),
            )
        })
        .collect();
    v.sort();
    v
}

fn rules_at(result: &CheckResult) -> Vec<(String, String)> {
    result
        .diagnostics
        .iter()
        .map(|d| {
            let file = &result.files[d.file as usize].display;
            let name = file.rsplit('/').next().unwrap();
            let at = d.locator.clone().unwrap_or_else(|| name.to_string());
            (d.rule_id.to_string(), at)
        })
        .collect()
}

#[test]
fn the_lessons_sqlite_store() {
    let dir = oracle().join("lesson");
    let db = dir.join("mlflow.db");
    let bytes = std::fs::read(&db).unwrap();
    let mtime = std::fs::metadata(&db).unwrap().modified().unwrap();
    let result = lint(&dir);
    let found = rules_at(&result);
    let count = |rule: &str| found.iter().filter(|(r, _)| r == rule).count();
    // Four active runs logged without an experiment (a fifth was deleted).
    assert_eq!(count("MLF003"), 4, "{found:?}");
    assert!(
        found
            .iter()
            .filter(|(r, _)| r == "MLF003")
            .all(|(_, at)| at.starts_with("runs/") && at.ends_with("/experiment_id")),
        "{found:?}"
    );
    // The two experiments created with one location, each with the other
    // as related location.
    let shared: Vec<&str> = found
        .iter()
        .filter(|(r, _)| r == "MLF001")
        .map(|(_, at)| at.as_str())
        .collect();
    assert_eq!(
        shared,
        [
            "experiments/3/artifact_location",
            "experiments/4/artifact_location"
        ]
    );
    // Team A's model registered from team B's run.
    assert!(
        found.contains(&(
            "MLF009".into(),
            "model_versions/team-a-churn-model/1/source".into()
        )),
        "{found:?}"
    );
    assert_eq!(found.len(), 7, "{found:?}");
    // Nothing was written.
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), mtime);
    for suffix in ["-journal", "-wal", "-shm"] {
        assert!(!dir.join(format!("mlflow.db{suffix}")).exists());
    }
}

#[test]
fn mlflow3_file_store_with_logged_models() {
    let result = lint(&oracle().join("filestore"));
    let found = rules_at(&result);
    // Logged models are not experiments: no MLF001 for their locations
    // inside their experiment's. `workspace: default` names no tenant, so
    // the `tenants` globs decide, and team A's copy of team B's logged
    // model is MLF009.
    assert_eq!(found, [("MLF009".into(), "meta.yaml".into())], "{found:?}");
    let d = &result.diagnostics[0];
    assert!(
        result.files[d.file as usize]
            .display
            .ends_with("models/team-a-fraud-copy/version-1/meta.yaml")
    );
    assert!(d.message.contains("logged model `m-"), "{}", d.message);
}

/// The Python to regenerate with, when it has `mlflow`.
fn python_with_mlflow() -> Option<String> {
    let python =
        std::env::var("TENANTLINT_MLFLOW_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = std::process::Command::new(&python)
        .args(["-c", "import mlflow"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

#[test]
fn regenerated_stores_give_the_same_findings() {
    let Some(python) = python_with_mlflow() else {
        eprintln!(
            "note: no Python with `mlflow` (set TENANTLINT_MLFLOW_PYTHON); the committed MLflow stores were not regenerated"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("oracle");
    let status = std::process::Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-mlflow-fixtures.py"))
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the generator failed");
    let committed_root = "/tmp/tenantlint-mlflow-oracle";
    let fresh_root = out.to_string_lossy().to_string();
    for store in ["lesson", "filestore"] {
        let old = oracle().join(store);
        let new = out.join(store);
        assert_eq!(
            masked(&lint(&new), &new, &fresh_root),
            masked(&lint(&old), &old, committed_root),
            "{store}"
        );
    }
}
