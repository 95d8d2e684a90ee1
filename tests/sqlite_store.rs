//! MLflow tracking stores in SQLite: read into the same model as the file
//! store, opened without ever writing, and hostile stores (corrupt,
//! truncated, not MLflow, locked, other schema revisions, large).

use std::path::{Path, PathBuf};

use tenantlint::engine::{CheckOptions, CheckResult, check};

const SCHEMA: &str = include_str!("data/mlflow_schema.sql");

/// A store with MLflow 3.17's schema and the rows of `sql`.
fn store(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    conn.execute_batch(sql).unwrap();
    path
}

fn lint(paths: &[&Path]) -> CheckResult {
    let options = CheckOptions {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        threads: 1,
        ..CheckOptions::default()
    };
    check(&options).unwrap()
}

/// (rule, locator) of every finding.
fn found(result: &CheckResult) -> Vec<(String, Option<String>)> {
    result
        .diagnostics
        .iter()
        .map(|d| (d.rule_id.to_string(), d.locator.clone()))
        .collect()
}

const LESSON: &str = "
INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES
  (0, 'Default', '/srv/mlflow/mlruns/0', 'active'),
  (1, 'team-a/churn', '/srv/mlflow/mlruns/1', 'active'),
  (3, 'team-a/shared', 's3://ml/shared', 'active'),
  (4, 'team-b/shared', 's3://ml/shared/', 'active'),
  (5, 'old', 's3://ml/shared', 'deleted');
INSERT INTO runs (run_uuid, experiment_id, artifact_uri, lifecycle_stage) VALUES
  ('aaa', 0, '/srv/mlflow/mlruns/0/aaa/artifacts', 'active'),
  ('bbb', 0, '/srv/mlflow/mlruns/0/bbb/artifacts', 'active'),
  ('ccc', 0, '/srv/mlflow/mlruns/0/ccc/artifacts', 'deleted'),
  ('ddd', 1, '/srv/mlflow/mlruns/1/ddd/artifacts', 'active');
";

#[test]
fn lesson_store_findings_carry_locators() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "mlflow.db", LESSON);
    let result = lint(&[dir.path()]);
    let got = found(&result);
    assert_eq!(
        got,
        [
            (
                "MLF001".into(),
                Some("experiments/3/artifact_location".into())
            ),
            (
                "MLF001".into(),
                Some("experiments/4/artifact_location".into())
            ),
            ("MLF003".into(), Some("runs/aaa/experiment_id".into())),
            ("MLF003".into(), Some("runs/bbb/experiment_id".into())),
        ],
        "{got:?}"
    );
    let related = &result.diagnostics[0].related[0];
    assert_eq!(
        related.locator.as_deref(),
        Some("experiments/4/artifact_location")
    );
    let json = tenantlint::report::json::to_value(&result);
    let d = &json["diagnostics"][0];
    assert!(d["line"].is_null() && d["end_column"].is_null(), "{d}");
    assert_eq!(d["locator"], "experiments/3/artifact_location");
    assert!(d["related"][0]["line"].is_null());
}

#[test]
fn opening_a_store_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), "mlflow.db", LESSON);
    // A store a server left in WAL mode is the hardest case: a normal
    // reader would create `-wal` and `-shm` files next to it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "wal").unwrap();
    }
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before_files = listing(dir.path());
    let before_bytes = std::fs::read(&path).unwrap();
    let before_mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let result = lint(&[&path]);
    assert_eq!(found(&result).len(), 4, "{:?}", found(&result));
    assert_eq!(listing(dir.path()), before_files);
    assert_eq!(std::fs::read(&path).unwrap(), before_bytes);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before_mtime
    );
    assert!(
        !before_files
            .iter()
            .any(|f| f.ends_with("-journal") || f.ends_with("-wal") || f.ends_with("-shm")),
        "{before_files:?}"
    );
}

#[test]
fn a_store_locked_by_a_running_server_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), "mlflow.db", LESSON);
    let server = rusqlite::Connection::open(&path).unwrap();
    server.execute_batch("BEGIN EXCLUSIVE").unwrap();
    server
        .execute(
            "INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage) VALUES ('eee', 0, 'active')",
            [],
        )
        .unwrap();
    let result = lint(&[&path]);
    // The uncommitted run is not seen; the committed ones are.
    assert_eq!(found(&result).len(), 4, "{:?}", found(&result));
    server.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn hostile_stores_give_a_finding_or_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let good = store(dir.path(), "good.db", LESSON);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::remove_file(&good).unwrap();
    // Truncated to its first page and a half.
    std::fs::write(dir.path().join("truncated.db"), &bytes[..6000]).unwrap();
    // The header, then garbage.
    let mut corrupt = bytes.clone();
    for b in corrupt.iter_mut().skip(100).take(4000) {
        *b = 0xA5;
    }
    std::fs::write(dir.path().join("corrupt.sqlite"), &corrupt).unwrap();
    // Not even SQLite: a `.db` of another program is not ours to read.
    std::fs::write(
        dir.path().join("berkeley.db"),
        b"\x00\x06\x15\x61 not sqlite",
    )
    .unwrap();
    // SQLite, but not MLflow.
    let other = rusqlite::Connection::open(dir.path().join("cache.sqlite3")).unwrap();
    other
        .execute_batch("CREATE TABLE items (k TEXT, v TEXT)")
        .unwrap();
    drop(other);
    let result = lint(&[dir.path()]);
    let files: Vec<&str> = result
        .diagnostics
        .iter()
        .map(|d| {
            result.files[d.file as usize]
                .display
                .rsplit('/')
                .next()
                .unwrap()
        })
        .collect();
    assert!(
        result.diagnostics.iter().all(|d| d.rule_id == "YAML001"),
        "{:?}",
        found(&result)
    );
    assert!(files.contains(&"corrupt.sqlite"), "{files:?}");
    // A truncated store either reads what it has or is a finding; never a crash.
    let notes: Vec<&str> = result.warnings.iter().map(|w| w.path.as_str()).collect();
    assert!(
        notes.iter().any(|p| p.ends_with("cache.sqlite3")),
        "{notes:?}"
    );
    assert!(
        !result
            .files
            .iter()
            .any(|f| f.display.ends_with("berkeley.db"))
    );
}

#[test]
fn older_and_newer_schemas() {
    let dir = tempfile::tempdir().unwrap();
    // MLflow 1.x: no workspace column, no logged models, an old revision.
    let path = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
         INSERT INTO alembic_version VALUES ('451aebb31d03');
         CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT, artifact_location TEXT, lifecycle_stage TEXT);
         CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, experiment_id INTEGER, artifact_uri TEXT, lifecycle_stage TEXT);
         INSERT INTO experiments VALUES (0, 'Default', './mlruns/0', 'active');
         INSERT INTO runs VALUES ('r1', 0, './mlruns/0/r1/artifacts', 'active');",
    )
    .unwrap();
    drop(conn);
    let result = lint(&[&path]);
    assert_eq!(
        found(&result),
        [("MLF003".into(), Some("runs/r1/experiment_id".into()))]
    );
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    // A revision from a newer MLflow: read, with a note.
    let path = store(
        dir.path(),
        "new.db",
        "UPDATE alembic_version SET version_num = 'ffffffffffff';
         INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active');
         INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage) VALUES ('r2', 0, 'active');",
    );
    let result = lint(&[&path]);
    assert_eq!(found(&result).len(), 1);
    assert!(
        result.warnings[0].message.contains("`ffffffffffff`"),
        "{:?}",
        result.warnings
    );
}

#[test]
fn an_explicit_store_is_recognised_by_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), "tracking", LESSON);
    assert_eq!(lint(&[&path]).diagnostics.len(), 4);
}

#[test]
fn a_large_store_is_read_completely() {
    let dir = tempfile::tempdir().unwrap();
    let path = store(dir.path(), "big.db", "");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (0, 'Default', 's3://b/0', 'active'), (1, 'a', 's3://b/1', 'active')",
    )
    .unwrap();
    {
        let mut insert = tx
            .prepare("INSERT INTO runs (run_uuid, experiment_id, artifact_uri, lifecycle_stage) VALUES (?1, 1, ?2, 'active')")
            .unwrap();
        for i in 0..20_000 {
            let id = format!("{i:032x}");
            insert
                .execute([&id, &format!("s3://b/1/{id}/artifacts")])
                .unwrap();
        }
    }
    tx.execute(
        "UPDATE runs SET artifact_uri = 's3://b/other' WHERE run_uuid = ?1",
        [format!("{:032x}", 12_345)],
    )
    .unwrap();
    tx.commit().unwrap();
    drop(conn);
    let result = lint(&[&path]);
    let got = found(&result);
    assert_eq!(
        got,
        [(
            "MLF009".into(),
            Some(format!("runs/{:032x}/artifact_uri", 12_345))
        )]
    );
}

#[test]
fn human_output_shows_the_row_instead_of_a_snippet() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), "mlflow.db", LESSON);
    let out = assert_cmd::Command::cargo_bin("tenantlint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--color", "never", "."])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("╭─[mlflow.db[experiments/3/artifact_location]]"),
        "{text}"
    );
    assert!(
        text.contains("│ name               team-a/shared\n"),
        "{text}"
    );
    assert!(
        text.contains("│ artifact_location  s3://ml/shared  ◀ shared-artifact-root\n"),
        "{text}"
    );
    assert!(
        text.contains("at mlflow.db[experiments/4/artifact_location]"),
        "{text}"
    );
    // No line numbers anywhere for rows of the store.
    assert!(!text.contains("mlflow.db:"), "{text}");
}

/// A symbolic link in the tree to a store outside it — walked, or named on
/// the command line — is skipped with a note and its target never opened:
/// here the target is a FIFO, on which an open for reading would block
/// (so a regression hangs until the timeout instead of passing), and a real
/// store whose bytes, mtime and directory stay as they were.
#[cfg(unix)]
#[test]
fn a_symlink_to_a_store_outside_the_tree_is_skipped_with_a_note() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let target = store(outside.path(), "mlflow.db", LESSON);
    let fifo = outside.path().join("pipe.db");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before_files = listing(outside.path());
    let before_bytes = std::fs::read(&target).unwrap();
    let before_mtime = std::fs::metadata(&target).unwrap().modified().unwrap();

    let tree = tempfile::tempdir().unwrap();
    symlink(&target, tree.path().join("mlflow.db")).unwrap();
    symlink(&fifo, tree.path().join("pipe.db")).unwrap();
    let walked = tree.path().to_path_buf();
    let named = [tree.path().join("mlflow.db"), tree.path().join("pipe.db")];
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let walked = lint(&[&walked]);
        let named = lint(&[&named[0], &named[1]]);
        tx.send((walked, named)).unwrap();
    });
    let (walked, named) = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a link's target was opened (the FIFO blocked)");
    for result in [&walked, &named] {
        assert!(result.diagnostics.is_empty(), "{:?}", found(result));
        assert!(result.files.is_empty());
        for link in ["mlflow.db", "pipe.db"] {
            assert!(
                result.warnings.iter().any(
                    |w| w.path.ends_with(link) && w.message.contains("outside the linted path")
                ),
                "{link}: {:?}",
                result.warnings
            );
        }
    }
    assert_eq!(listing(outside.path()), before_files);
    assert_eq!(std::fs::read(&target).unwrap(), before_bytes);
    assert_eq!(
        std::fs::metadata(&target).unwrap().modified().unwrap(),
        before_mtime
    );

    // The same store linked from inside the tree is read (the link is not
    // what makes it skipped).
    let inside = tempfile::tempdir().unwrap();
    let real = store(inside.path(), "real.sqlite", LESSON);
    std::fs::create_dir(inside.path().join("links")).unwrap();
    symlink(&real, inside.path().join("links/alias.db")).unwrap();
    let result = lint(&[inside.path()]);
    assert!(
        result.files.iter().any(|f| f.display.ends_with("alias.db")),
        "{:?}",
        result.warnings
    );
    assert!(
        result
            .diagnostics
            .iter()
            .any(|d| result.files[d.file as usize].display.ends_with("alias.db")),
        "{:?}",
        found(&result)
    );
}
