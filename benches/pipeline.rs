//! The stages after loading, one thread each unless named otherwise:
//!
//! - `model_index`: typed models of already-parsed files + the set index.
//! - `rules`: every rule over a loaded set (`engine::run_rules`).
//! - `check_2_threads`: the whole pipeline from disk with the default pool
//!   (what the CLI does, minus discovery and the report).
//! - `render/<format>`: diagnostics/s for 10,000 findings in one 1 MB file.
//!
//! Inputs: the corpus `../shared/corpus/k8s` when present, and generated files.
//!
//! `cargo bench --bench pipeline`; add `-- --quick` for a fast look.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tenantlint::discover::{Input, discover};
use tenantlint::engine::{
    CheckOptions, CheckResult, check_inputs, load_set, run_rules, with_threads,
};
use tenantlint::index::Index;
use tenantlint::load::{self, Document};
use tenantlint::model::build::build_file;
use tenantlint::report::{Format, ReportOptions, write_report};
use tenantlint::source::{FileKind, SourceFile};

#[path = "../tests/common/generate.rs"]
mod generate;

/// Inputs of a named set: the corpus, or generated files written to `dir`.
fn sets(dir: &Path) -> Vec<(&'static str, Vec<Input>)> {
    let mut out = Vec::new();
    let generated = dir.join("generated.yaml");
    std::fs::write(&generated, generate::deployments(8_000, 20)).expect("write generated file");
    out.push(("generated", discover(&[generated]).expect("exists").0));
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/k8s");
    if corpus.is_dir() {
        out.push(("corpus", discover(&[corpus]).expect("exists").0));
    } else {
        eprintln!(
            "note: {} is absent; corpus benches skipped",
            corpus.display()
        );
    }
    out
}

fn parsed(inputs: &[Input]) -> Vec<(SourceFile, Vec<Document>)> {
    inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == FileKind::Yaml)
        .map(|(id, i)| {
            let bytes = std::fs::read(&i.path).unwrap_or_default();
            let (text, _) = load::decode(&bytes);
            let file = SourceFile::new(id as u32, i.path.clone(), i.display.clone(), i.kind, text);
            let docs = load::parse_yaml(&file).docs;
            (file, docs)
        })
        .collect()
}

fn bench_stages(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = CheckOptions::default();
    for (name, inputs) in sets(dir.path()) {
        let bytes: u64 = inputs
            .iter()
            .map(|i| std::fs::metadata(&i.path).map(|m| m.len()).unwrap_or(0))
            .sum();
        let mut group = c.benchmark_group(format!("pipeline/{name}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(8));
        group.throughput(Throughput::Bytes(bytes));

        // Parsed trees are consumed by the model, so each iteration gets a
        // fresh copy made outside the timing.
        let trees = parsed(&inputs);
        group.bench_function("model_index", |b| {
            b.iter_batched(
                || {
                    trees
                        .iter()
                        .map(|(f, docs)| {
                            let copy: Vec<Document> = docs
                                .iter()
                                .map(|d| Document {
                                    index: d.index,
                                    root: d.root.clone(),
                                    region: d.region.clone(),
                                })
                                .collect();
                            (f, copy)
                        })
                        .collect::<Vec<_>>()
                },
                |batch| {
                    let files: Vec<_> = batch
                        .iter()
                        .map(|(f, _)| {
                            std::sync::Arc::new(SourceFile::new(
                                f.id,
                                f.path.clone(),
                                f.display.clone(),
                                f.kind,
                                String::new(),
                            ))
                        })
                        .collect();
                    let models = batch
                        .into_iter()
                        .map(|(f, docs)| build_file(f, docs))
                        .collect();
                    black_box(Index::build(&files, models, &options.index))
                },
                BatchSize::PerIteration,
            )
        });

        group.bench_function("rules", |b| {
            b.iter_batched(
                || with_threads(1, || load_set(&inputs, &options)),
                |set| with_threads(1, || black_box(run_rules(set, &options.selection))),
                BatchSize::PerIteration,
            )
        });

        group.bench_function("check_2_threads", |b| {
            b.iter(|| {
                let opts = CheckOptions {
                    threads: 2,
                    ..CheckOptions::default()
                };
                black_box(check_inputs(&inputs, &opts))
            })
        });
        group.finish();
    }
}

fn findings_result(dir: &Path, count: usize) -> CheckResult {
    let path: PathBuf = dir.join("findings.yaml");
    std::fs::write(&path, generate::findings_file(count)).expect("write findings file");
    let inputs = discover(&[path]).expect("exists").0;
    let result = check_inputs(&inputs, &CheckOptions::default());
    assert_eq!(result.diagnostics.len(), count, "one finding per object");
    result
}

fn bench_render(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let count = 10_000;
    let result = findings_result(dir.path(), count);
    let mut group = c.benchmark_group("render/10k_findings_1MB");
    group.sample_size(10);
    group.throughput(Throughput::Elements(count as u64));
    for (name, format) in [
        ("human", Format::Human),
        ("concise", Format::Concise),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("github", Format::Github),
    ] {
        let options = ReportOptions {
            format,
            color: false,
            width: 10_000,
            elapsed: Duration::ZERO,
            ..ReportOptions::default()
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut out = std::io::BufWriter::new(std::io::sink());
                write_report(&mut out, &result, &options).expect("sink never fails");
            })
        });
    }
    group.finish();
}

criterion_group!(pipeline_benches, bench_stages, bench_render);
criterion_main!(pipeline_benches);
