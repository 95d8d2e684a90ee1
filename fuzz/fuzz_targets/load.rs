//! Fuzz the loader: any bytes → decode → span-carrying tree → model. Must not
//! panic, hang or blow up, and every span must slice the text; an object
//! that keeps only where its document is (a big set) reads back the same
//! tree.

#![cfg_attr(not(feature = "replay"), no_main)]

#[path = "common.rs"]
mod common;

use tenantlint::load::{self, LoadProblem, Node, Value};
use tenantlint::model::build::{FileBuilder, build_file};
use tenantlint::source::{FileKind, SourceFile};

fn walk(file: &SourceFile, node: &Node, depth: usize) {
    assert!(depth < 1000, "tree deeper than the nesting limit");
    common::assert_span_in(file, node.span, "node");
    match &node.value {
        Value::Scalar(..) => {}
        Value::Seq(items) => items.iter().for_each(|n| walk(file, n, depth + 1)),
        Value::Map(entries) => entries.iter().for_each(|e| {
            walk(file, &e.key, depth + 1);
            walk(file, &e.value, depth + 1);
        }),
    }
}

fn target(data: &[u8]) {
    let (text, bad) = load::decode(data);
    let file = SourceFile::new(
        0,
        "fuzz.yaml".into(),
        "fuzz.yaml".into(),
        FileKind::Yaml,
        text,
    );
    if let Some((byte, _)) = bad {
        assert!(byte <= data.len());
        return;
    }
    let parsed = load::parse_yaml(&file);
    for p in &parsed.problems {
        match p {
            LoadProblem::Syntax { span, .. } => {
                common::assert_span_in(&file, *span, "syntax error")
            }
            LoadProblem::DuplicateKey { span, first, .. } => {
                common::assert_span_in(&file, *span, "duplicate key");
                common::assert_span_in(&file, *first, "first key");
            }
        }
    }
    for d in &parsed.docs {
        walk(&file, &d.root, 0);
    }
    let file = std::sync::Arc::new(file);
    let resident = build_file(&file, parsed.docs);
    let mut builder = FileBuilder::new(&file, Some(&file));
    load::parse_yaml_each(&file, |doc| builder.add(doc));
    let stored = builder.finish();
    assert_eq!(stored.objects.len(), resident.objects.len());
    for (r, s) in resident.objects.iter().zip(&stored.objects) {
        assert!(*r.root() == *s.root(), "a stored tree read again differs");
    }
}

#[cfg(not(feature = "replay"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

#[cfg(feature = "replay")]
fn main() {
    common::replay(target);
}
