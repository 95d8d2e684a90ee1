//! Reading an MLflow tracking store in SQLite: a generated store with
//! 100,000 runs (in 1,000 experiments, plus a model version per experiment),
//! read into the model (`sqlite_store::read`) and checked end to end
//! (`engine::check` on the file, every rule on).
//!
//! `cargo bench --bench store`; add `-- --quick` for a fast look.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tenantlint::engine::{CheckOptions, check};
use tenantlint::model::sqlite_store;

const SCHEMA: &str = include_str!("../tests/data/mlflow_schema.sql");
const RUNS: usize = 100_000;
const EXPERIMENTS: usize = 1_000;

fn generate(path: &Path) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut exp = tx
            .prepare("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (?1, ?2, ?3, 'active')")
            .unwrap();
        for e in 0..EXPERIMENTS {
            exp.execute(rusqlite::params![
                e as i64,
                format!("team-{}/exp-{e}", e % 10),
                format!("s3://ml-artifacts/team-{}/{e}", e % 10)
            ])
            .unwrap();
        }
        let mut run = tx
            .prepare("INSERT INTO runs (run_uuid, name, experiment_id, artifact_uri, lifecycle_stage) VALUES (?1, ?2, ?3, ?4, 'active')")
            .unwrap();
        for r in 0..RUNS {
            let e = r % EXPERIMENTS;
            let id = format!("{r:032x}");
            run.execute(rusqlite::params![
                id,
                format!("run-{r}"),
                e as i64,
                format!("s3://ml-artifacts/team-{}/{e}/{id}/artifacts", e % 10)
            ])
            .unwrap();
        }
        let mut model = tx
            .prepare("INSERT INTO registered_models (name) VALUES (?1)")
            .unwrap();
        let mut version = tx
            .prepare("INSERT INTO model_versions (name, version, source, run_id, current_stage) VALUES (?1, 1, ?2, ?3, 'None')")
            .unwrap();
        for e in 0..EXPERIMENTS {
            let name = format!("model-{e}");
            let id = format!("{e:032x}");
            model.execute([&name]).unwrap();
            version
                .execute(rusqlite::params![name, format!("runs:/{id}/model"), id])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlflow.db");
    generate(&path);
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.bench_function("read_100k_runs", |b| {
        b.iter(|| {
            let read = sqlite_store::read(black_box(&path), 0, "mlflow.db").unwrap();
            assert_eq!(read.entities.len(), RUNS + 3 * EXPERIMENTS);
            read
        })
    });
    group.bench_function("check_100k_runs", |b| {
        let options = CheckOptions {
            paths: vec![path.clone()],
            ..CheckOptions::default()
        };
        b.iter(|| check(black_box(&options)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
