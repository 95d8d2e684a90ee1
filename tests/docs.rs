//! The pages under `rules/` are generated from the rule sources; this test
//! fails when one is stale or missing. `TENANTLINT_BLESS=1 cargo test --test docs`
//! rewrites them.

use std::path::Path;

use tenantlint::docs::{rule_markdown, rules_index};

fn check_page(path: &Path, want: &str, stale: &mut Vec<String>) {
    if std::env::var_os("TENANTLINT_BLESS").is_some() {
        std::fs::write(path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have != want {
        stale.push(path.display().to_string());
    }
}

#[test]
fn rule_pages_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    let mut stale = Vec::new();
    for rule in tenantlint::rules::all() {
        let page = rule_markdown(&rule.meta);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
        ] {
            assert!(
                page.contains(section),
                "{}: missing {section}",
                rule.meta.id
            );
        }
        check_page(&dir.join(format!("{}.md", rule.meta.id)), &page, &mut stale);
    }
    check_page(&dir.join("README.md"), &rules_index(), &mut stale);
    // No page for a rule that no longer exists.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".md");
        if name != "README.md" && tenantlint::rules::find(id).is_none() {
            stale.push(format!("rules/{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule pages (run `TENANTLINT_BLESS=1 cargo test --test docs`):\n{}",
        stale.join("\n")
    );
}

/// The files of an example: `example.yaml`, or — for examples that need
/// several files, such as an MLflow file store — each `# file: PATH` line
/// starts the file PATH.
fn example_files(example: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in example.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("# file: ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        } else {
            files.push(("example.yaml".to_string(), line.to_string()));
        }
    }
    files
}

/// Every rule's documented example must fail and its "use instead" must pass.
#[test]
fn documented_examples_behave() {
    for rule in tenantlint::rules::all() {
        let m = &rule.meta;
        for (yaml, should_fire) in [(m.docs.example, true), (m.docs.use_instead, false)] {
            let dir = tempfile::tempdir().unwrap();
            let mut paths = Vec::new();
            for (name, text) in example_files(yaml) {
                let path = dir.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                paths.push(path);
            }
            // Every rule runs (suppressions of other rules are judged as in
            // a real run); only this rule's findings count.
            let result = tenantlint::engine::check(&tenantlint::engine::CheckOptions {
                paths,
                ..Default::default()
            })
            .unwrap();
            let fired = result.diagnostics.iter().any(|d| d.rule_id == m.id);
            assert_eq!(fired, should_fire, "{}: example fires={fired}", m.id);
        }
    }
}
