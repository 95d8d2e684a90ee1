//! Load throughput (bytes/s), one thread, compared with the bare parser.
//!
//! - `parser`: granit-parser events only, same options as our loader, nothing
//!   kept: the limit a loader built on this parser can reach.
//! - `load`: decode + line index + span-carrying tree (`load::parse_yaml`).
//! - `load_model`: the same plus the typed model of each file.
//!
//! Inputs: the real corpus (`../shared/corpus/k8s`, read into memory first,
//! skipped when absent) and a generated 8 MB file of Deployments.
//!
//! `cargo bench --bench load`; add `-- --quick` for a fast look.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use granit_parser::{Event, Parser};
use tenantlint::load;
use tenantlint::model::build::build_file;
use tenantlint::source::{FileKind, SourceFile};

#[path = "../tests/common/generate.rs"]
mod generate;

/// One input file, already read.
struct Input {
    display: String,
    bytes: Vec<u8>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/k8s")
}

/// The YAML files of the corpus, as tenantlint discovers them.
fn read_corpus() -> Option<Vec<Input>> {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("note: {} is absent; corpus benches skipped", dir.display());
        return None;
    }
    let (inputs, _) = tenantlint::discover::discover(&[dir]).ok()?;
    Some(
        inputs
            .into_iter()
            .filter(|i| i.kind == FileKind::Yaml)
            .filter_map(|i| {
                let bytes = std::fs::read(&i.path).ok()?;
                Some(Input {
                    display: i.display,
                    bytes,
                })
            })
            .collect(),
    )
}

/// Every event of every document, with the loader's error recovery, and
/// nothing else. Returns the event count so that nothing is optimised away.
fn parse_events(text: &str) -> usize {
    let mut parser = Parser::new_from_str_with_options(text, load::parser_options());
    let mut events = 0;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                black_box(&span);
                if let Event::Scalar(value, ..) = &event {
                    black_box(value);
                }
                events += 1;
            }
            Err(_) => match parser.proceed_next_document() {
                Ok(true) => continue,
                _ => break,
            },
        }
    }
    events
}

fn load_file(id: u32, input: &Input, model: bool) -> usize {
    let (text, bad) = load::decode(&input.bytes);
    let file = SourceFile::new(
        id,
        PathBuf::from(&input.display),
        input.display.clone(),
        FileKind::Yaml,
        text,
    );
    if bad.is_some() {
        return 0;
    }
    let parsed = load::parse_yaml(&file);
    let docs = parsed.docs.len();
    if model {
        black_box(build_file(&file, parsed.docs));
    } else {
        black_box(parsed);
    }
    docs
}

fn bench_set(c: &mut Criterion, name: &str, inputs: &[Input], sample_size: usize) {
    let total: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let texts: Vec<&str> = inputs
        .iter()
        .filter_map(|i| std::str::from_utf8(&i.bytes).ok())
        .collect();
    let mut group = c.benchmark_group(format!("load/{name}"));
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(sample_size);
    group.bench_function("parser", |b| {
        b.iter(|| texts.iter().map(|t| parse_events(t)).sum::<usize>())
    });
    group.bench_function("load", |b| {
        b.iter(|| {
            inputs
                .iter()
                .enumerate()
                .map(|(i, f)| load_file(i as u32, f, false))
                .sum::<usize>()
        })
    });
    group.bench_function("load_model", |b| {
        b.iter(|| {
            inputs
                .iter()
                .enumerate()
                .map(|(i, f)| load_file(i as u32, f, true))
                .sum::<usize>()
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let generated = vec![Input {
        display: "generated.yaml".into(),
        bytes: generate::deployments(8_000, 20).into_bytes(),
    }];
    bench_set(c, "generated", &generated, 20);
    if let Some(corpus) = read_corpus() {
        bench_set(c, "corpus", &corpus, 10);
    }
}

criterion_group!(load_benches, benches);
criterion_main!(load_benches);
