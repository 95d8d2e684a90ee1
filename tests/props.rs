//! Property tests (proptest):
//! - the loader never panics, on random bytes or on random YAML trees, and
//!   every node's span slices exactly the text of that node;
//! - generated manifest sets never panic any rule, and every reported span
//!   slices the text it names, with line and column agreeing with the bytes;
//! - the output is identical with 1 and 8 threads.
//!
//! Case counts are kept small so that `cargo test` stays fast; raise them
//! with `PROPTEST_CASES=5000 cargo test --release --test props`.

use std::time::Duration;

use proptest::prelude::*;
use tenantlint::engine::{CheckOptions, CheckResult, check_sources};
use tenantlint::load::{self, Node, ScalarStyle, Value};
use tenantlint::report::{Format, ReportOptions, write_report};
use tenantlint::source::{FileKind, SourceFile, Span};

fn source(text: &str) -> SourceFile {
    SourceFile::new(
        0,
        "p.yaml".into(),
        "p.yaml".into(),
        FileKind::Yaml,
        text.into(),
    )
}

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // Failures are reported with the shrunk input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Byte offsets and line/column of a span agree with the file's line index.
fn assert_span_consistent(file: &SourceFile, span: Span, what: &str) {
    let text = &file.text;
    let (start, end) = (span.start.byte as usize, span.end.byte as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what}: {start}..{end} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: {start}..{end} splits a character"
    );
    // Known exception (see tests/hostile.rs, fuzz_regression_bom_*): a BOM
    // inside the text may shift a column by one; the generators here never
    // produce one.
    assert_eq!(
        file.pos_of_byte(start),
        span.start,
        "{what}: start line/column disagree with byte {start}"
    );
    assert_eq!(
        file.pos_of_byte(end),
        span.end,
        "{what}: end line/column disagree with byte {end}"
    );
}

// ---------------------------------------------------------------- the loader

/// A YAML value to print, with the text each scalar must slice to.
#[derive(Clone, Debug)]
enum Tree {
    Plain(String),
    Quoted(String),
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
}

fn scalar() -> impl Strategy<Value = Tree> {
    prop_oneof![
        "[a-z][a-z0-9./-]{0,12}".prop_map(Tree::Plain),
        // Non-ASCII text: columns count characters, offsets count bytes.
        "[a-zA-Z0-9 éß中:,#-]{0,10}".prop_map(Tree::Quoted),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    scalar().prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(("[a-z][a-z0-9]{0,8}", inner.clone()), 1..5).prop_map(|e| {
                // Unique keys: duplicates are a separate finding.
                let mut seen = std::collections::HashSet::new();
                Tree::Map(
                    e.into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
            prop::collection::vec(inner, 1..5).prop_map(Tree::Seq),
        ]
    })
}

fn print_scalar(t: &Tree, out: &mut String) {
    match t {
        Tree::Plain(s) => out.push_str(s),
        Tree::Quoted(s) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        _ => unreachable!(),
    }
}

fn print_flow(t: &Tree, out: &mut String) {
    match t {
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                print_flow(v, out);
            }
            out.push('}');
        }
        Tree::Seq(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                print_flow(v, out);
            }
            out.push(']');
        }
        s => print_scalar(s, out),
    }
}

/// Block style; `flow_below` switches to flow style from that depth on.
fn print_block(t: &Tree, indent: usize, depth: usize, flow_below: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match t {
        Tree::Map(entries) if depth < flow_below => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                print_value(v, indent, depth, flow_below, out);
            }
        }
        Tree::Seq(items) if depth < flow_below => {
            for v in items {
                out.push_str(&pad);
                out.push('-');
                print_value(v, indent, depth, flow_below, out);
            }
        }
        other => {
            out.push_str(&pad);
            print_flow(other, out);
            out.push('\n');
        }
    }
}

fn print_value(v: &Tree, indent: usize, depth: usize, flow_below: usize, out: &mut String) {
    match v {
        Tree::Map(e) if !e.is_empty() && depth + 1 < flow_below => {
            out.push('\n');
            print_block(v, indent + 2, depth + 1, flow_below, out);
        }
        Tree::Seq(i) if !i.is_empty() && depth + 1 < flow_below => {
            out.push('\n');
            print_block(v, indent + 2, depth + 1, flow_below, out);
        }
        _ => {
            out.push(' ');
            print_flow(v, out);
            out.push('\n');
        }
    }
}

/// Every scalar (key or value) slices to exactly its source text, and every
/// node's span is consistent; returns the number of scalars seen.
fn check_node(file: &SourceFile, node: &Node, expected: &Tree) -> usize {
    assert_span_consistent(file, node.span, "node");
    match (&node.value, expected) {
        (Value::Scalar(s, ScalarStyle::Plain), Tree::Plain(want)) => {
            assert_eq!(&**s, want);
            assert_eq!(file.slice(node.span), want, "plain scalar span");
            1
        }
        (Value::Scalar(s, ScalarStyle::Quoted), Tree::Quoted(want)) => {
            assert_eq!(&**s, want);
            assert_eq!(
                file.slice(node.span),
                format!("\"{want}\""),
                "quoted scalar span"
            );
            1
        }
        (Value::Map(entries), Tree::Map(want)) => {
            assert_eq!(entries.len(), want.len());
            let mut n = 0;
            for (e, (k, v)) in entries.iter().zip(want) {
                assert_eq!(e.key.as_scalar(), Some(k.as_str()));
                assert_eq!(file.slice(e.key.span), k, "key span");
                assert_span_consistent(file, e.key.span, "key");
                n += 1 + check_node(file, &e.value, v);
            }
            n
        }
        (Value::Seq(items), Tree::Seq(want)) => {
            assert_eq!(items.len(), want.len());
            items
                .iter()
                .zip(want)
                .map(|(i, w)| check_node(file, i, w))
                .sum()
        }
        (got, want) => panic!("shape differs: got {got:?}, printed {want:?}"),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn loader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let (text, bad) = load::decode(&bytes);
        let file = source(&text);
        if bad.is_none() {
            let parsed = load::parse_yaml(&file);
            let _ = tenantlint::model::build::build_file(&file, parsed.docs);
        }
    }

    #[test]
    fn loader_never_panics_on_yaml_like_text(
        text in "([a-z:\\-\\[\\]{},&*!|>'\"#?% \\n\\r\\t]|---|\\.\\.\\.|<<|\\r\\n){0,300}"
    ) {
        let (text, _) = load::decode(text.as_bytes());
        let file = source(&text);
        let parsed = load::parse_yaml(&file);
        for p in &parsed.problems {
            match p {
                load::LoadProblem::Syntax { span, .. } => {
                    assert_span_consistent(&file, *span, "syntax error");
                }
                load::LoadProblem::DuplicateKey { span, first, .. } => {
                    assert_span_consistent(&file, *span, "duplicate");
                    assert_span_consistent(&file, *first, "first");
                }
            }
        }
    }

    #[test]
    fn every_node_span_slices_its_text(
        docs in prop::collection::vec((tree(), 0usize..6, 0usize..3), 1..4)
    ) {
        let mut text = String::new();
        let mut expected = Vec::new();
        for (t, flow_below, line_end) in &docs {
            // A top-level scalar or an empty collection is printed in flow style.
            let root = match t {
                Tree::Map(_) | Tree::Seq(_) => t.clone(),
                s => Tree::Seq(vec![s.clone()]),
            };
            let mut doc = String::from("---\n");
            print_block(&root, 0, 0, (*flow_below).max(1), &mut doc);
            // `\n`, `\r\n` or a lone `\r` (classic Mac OS): all line breaks.
            doc = doc.replace('\n', ["\n", "\r\n", "\r"][*line_end]);
            text.push_str(&doc);
            expected.push(root);
        }
        // As the engine does: decode, then parse.
        let (decoded, bad) = load::decode(text.as_bytes());
        prop_assert!(bad.is_none());
        let file = source(&decoded);
        let parsed = load::parse_yaml(&file);
        prop_assert!(parsed.problems.is_empty(), "{:?}\n{}", parsed.problems, text);
        prop_assert_eq!(parsed.docs.len(), expected.len(), "{}", text);
        for (doc, want) in parsed.docs.iter().zip(&expected) {
            check_node(&file, &doc.root, want);
        }
    }
}

// ------------------------------------------------------------- the pipeline

/// One Kubernetes object of a kind that some rule looks at.
fn object() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just(("v1", "Namespace")),
        Just(("v1", "Pod")),
        Just(("apps/v1", "Deployment")),
        Just(("batch/v1", "Job")),
        Just(("batch/v1", "CronJob")),
        Just(("v1", "ServiceAccount")),
        Just(("v1", "ResourceQuota")),
        Just(("v1", "ConfigMap")),
        Just(("v1", "List")),
        Just(("example.com/v1", "Widget")),
    ];
    let namespace = prop_oneof![
        Just(None),
        Just(Some("default".to_string())),
        "team-[a-c]".prop_map(Some),
        Just(Some("\"team-a\"".to_string())),
        Just(Some("''".to_string())),
        Just(Some("~".to_string())),
    ];
    let sa = prop_oneof![
        Just(None),
        Just(Some("default".to_string())),
        "runner-[a-b]".prop_map(Some),
    ];
    (
        kind,
        "[a-z][a-z0-9-]{0,8}",
        namespace,
        sa,
        "[a-z]{1,6}",
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|((api, kind), name, ns, sa, app, automount, flow)| {
            let mut s = format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n");
            if let Some(ns) = &ns {
                s.push_str(&format!("  namespace: {ns}\n"));
            }
            s.push_str(&format!("  labels: {{app: {app}}}\n"));
            let pod_spec = |indent: &str| {
                let mut p = String::new();
                if let Some(sa) = &sa {
                    p.push_str(&format!("{indent}serviceAccountName: {sa}\n"));
                }
                if automount {
                    p.push_str(&format!("{indent}automountServiceAccountToken: true\n"));
                }
                if flow {
                    p.push_str(&format!("{indent}containers: [{{name: c, image: x}}]\n"));
                } else {
                    p.push_str(&format!(
                        "{indent}containers:\n{indent}- name: c\n{indent}  image: x\n{indent}  env:\n{indent}  - name: MLFLOW_TRACKING_URI\n{indent}    value: http://mlflow.{app}:5000\n"
                    ));
                }
                p
            };
            match kind {
                "Pod" => {
                    s.push_str("spec:\n");
                    s.push_str(&pod_spec("  "));
                }
                "Deployment" | "Job" => {
                    s.push_str("spec:\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n");
                    s.push_str(&pod_spec("      "));
                }
                "CronJob" => {
                    s.push_str("spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n");
                    s.push_str(&pod_spec("          "));
                }
                "ResourceQuota" => s.push_str("spec:\n  hard: {pods: \"10\"}\n"),
                "ServiceAccount" if automount => {
                    s.push_str("automountServiceAccountToken: false\n");
                }
                "List" => {
                    s.push_str(&format!(
                        "items:\n- apiVersion: v1\n  kind: Pod\n  metadata: {{name: {name}-item, namespace: default}}\n  spec:\n    containers: [{{name: c, image: x}}]\n"
                    ));
                }
                _ => {}
            }
            s
        })
}

/// A file: objects, sometimes with a broken document or a duplicate key.
fn manifest_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(object(), 1..5),
        prop_oneof![
            4 => Just(""),
            1 => Just("bad: [unclosed\n"),
            1 => Just("apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: dup}\n"),
            1 => Just("a: &x [1, 2]\nb: *x\nc: {<<: {d: 1}}\n"),
        ],
    )
        .prop_map(|(objects, extra)| {
            let mut docs = objects;
            if !extra.is_empty() {
                docs.insert(docs.len() / 2, extra.to_string());
            }
            docs.join("---\n")
        })
}

fn manifest_set() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::collection::vec((manifest_file(), 0usize..3), 1..4),
        prop::option::of("team-[a-c]"),
        prop::option::of(("s3://bucket/[a-b]{0,2}", "[0-9]")),
    )
        .prop_map(|(files, kustomize_ns, experiment)| {
            let mut out: Vec<(String, String)> = files
                .into_iter()
                .enumerate()
                .map(|(i, (text, line_end))| {
                    let text = text.replace('\n', ["\n", "\r\n", "\r"][line_end]);
                    (format!("team/f{i}.yaml"), text)
                })
                .collect();
            if let Some(ns) = kustomize_ns {
                out.push((
                    "team/kustomization.yaml".into(),
                    format!("namespace: {ns}\nresources: [f0.yaml]\n"),
                ));
            }
            if let Some((root, id)) = experiment {
                for n in ["1", "2"] {
                    out.push((
                        format!("mlruns/{n}/meta.yaml"),
                        format!(
                            "artifact_location: {root}{id}\nexperiment_id: '{n}'\nlifecycle_stage: active\nname: exp{n}\n"
                        ),
                    ));
                }
            }
            out
        })
}

fn run(set: &[(String, String)], threads: usize) -> CheckResult {
    let sources: Vec<(&str, &str)> = set.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    check_sources(
        &sources,
        &CheckOptions {
            threads,
            ..CheckOptions::default()
        },
    )
}

fn render(result: &CheckResult, format: Format) -> String {
    let mut out = Vec::new();
    let options = ReportOptions {
        format,
        color: false,
        width: 100,
        elapsed: Duration::ZERO,
        ..ReportOptions::default()
    };
    write_report(&mut out, result, &options).expect("writing to a Vec");
    String::from_utf8(out).expect("reports are UTF-8")
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn rules_never_panic_and_spans_name_their_text(set in manifest_set()) {
        let result = run(&set, 2);
        for d in &result.diagnostics {
            let file = &result.files[d.file as usize];
            assert_span_consistent(file, d.span, &d.rule_id);
            let text = file.slice(d.span);
            // A primary label names a node: it is never blank or padded
            // (YAML001 may point at the end of the input, an empty span).
            if d.rule_id != "YAML001" {
                prop_assert!(!text.trim().is_empty(), "{} has a blank span: {:?}", d.rule_id, d);
                prop_assert_eq!(text.trim(), text, "{} span is padded", d.rule_id);
            }
            // NS001 points at the `default` that places the object there.
            if d.rule_id == "NS001" && d.span.start.line > 0 && text != "kustomization" {
                prop_assert!(
                    text.trim_matches(['"', '\'']) == "default" || file.file_name() == "kustomization.yaml",
                    "NS001 span slices {:?}", text
                );
            }
            for r in &d.related {
                assert_span_consistent(&result.files[r.file as usize], r.span, "related");
            }
        }
        for format in [Format::Human, Format::Json, Format::Sarif, Format::Junit, Format::Github] {
            render(&result, format);
        }
    }

    #[test]
    fn one_thread_and_eight_threads_agree(set in manifest_set()) {
        let one = run(&set, 1);
        let eight = run(&set, 8);
        prop_assert_eq!(&one.diagnostics, &eight.diagnostics);
        for format in [Format::Human, Format::Json, Format::Sarif] {
            prop_assert_eq!(render(&one, format), render(&eight, format));
        }
    }
}
