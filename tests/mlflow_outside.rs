//! MLflow started outside Kubernetes (SPEC §4.8, issue #9 acceptance 3):
//! the lesson's server command, a literal secret and an `mlflow run .`
//! trainer without an experiment — in a Compose file, a Dockerfile, a
//! shell script and a GitHub Actions workflow — give MLF004, MLF005 and
//! MLF003 on the exact words (and the Compose server's sqlite store on no
//! volume, MLF006).

use std::path::PathBuf;

use tenantlint::engine::{CheckOptions, check};

fn findings(dir: &str) -> Vec<(String, String, u32, u32, String)> {
    let options = CheckOptions {
        paths: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)],
        threads: 1,
        ..CheckOptions::default()
    };
    let result = check(&options).expect("the fixture exists");
    result
        .diagnostics
        .iter()
        .map(|d| {
            let file = &result.files[d.file as usize];
            let name = file
                .display
                .rsplit("outside-kubernetes/")
                .next()
                .unwrap_or("");
            (
                d.rule_id.to_string(),
                name.to_string(),
                d.span.start.line,
                d.span.start.col,
                file.slice(d.span).to_string(),
            )
        })
        .collect()
}

#[test]
fn the_lessons_mistakes_are_found_on_their_words_in_every_producer() {
    let found = findings("fixtures/MLF004/fail/outside-kubernetes");
    let mut got: Vec<(&str, &str, u32, u32, &str)> = found
        .iter()
        .map(|(r, f, l, c, s)| (r.as_str(), f.as_str(), *l, *c, s.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("MLF003", ".github/workflows/train.yml", 18, 18, "run"),
            ("MLF003", "docker-compose.yml", 12, 26, "run"),
            ("MLF003", "start.sh", 8, 50, "run"),
            ("MLF003", "train.Dockerfile", 7, 12, "run"),
            ("MLF004", ".github/workflows/train.yml", 14, 108, "0.0.0.0"),
            ("MLF004", "Dockerfile", 10, 122, "0.0.0.0"),
            ("MLF004", "docker-compose.yml", 5, 108, "0.0.0.0"),
            ("MLF004", "start.sh", 7, 10, "0.0.0.0"),
            ("MLF005", ".github/workflows/train.yml", 9, 30, "minio123"),
            ("MLF005", "Dockerfile", 7, 27, "minio123"),
            ("MLF005", "docker-compose.yml", 9, 30, "minio123"),
            ("MLF005", "start.sh", 5, 30, "minio123"),
            // The lesson's store, in the container's writable layer.
            ("MLF006", "docker-compose.yml", 5, 48, "sqlite:///mlflow.db"),
        ]
    );
}

#[test]
fn the_safe_setup_is_clean() {
    let found = findings("fixtures/MLF004/pass/outside-kubernetes");
    assert!(found.is_empty(), "{found:?}");
}
