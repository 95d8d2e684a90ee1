//! Rule documentation, generated from each rule's metadata: the single
//! source for `tenantlint explain`, `tenantlint rules` and `rules/*.md`.

use std::fmt::Write;

use crate::rules::{self, RuleMeta};

/// The Markdown page of a rule.
pub fn rule_markdown(m: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} {}\n", m.id, m.name);
    let _ = writeln!(
        s,
        "Category: {} · Default severity: {}\n",
        m.category.as_str(),
        m.severity.as_str()
    );
    let _ = writeln!(s, "## What it does\n\n{}\n", m.docs.what);
    let _ = writeln!(s, "## Why is this bad?\n\n{}\n", m.docs.why);
    let _ = writeln!(s, "## Example\n\n```yaml\n{}```\n", m.docs.example);
    let _ = writeln!(s, "## Use instead\n\n```yaml\n{}```\n", m.docs.use_instead);
    if let Some(o) = m.docs.options {
        let _ = writeln!(s, "## Options\n\n{o}\n");
    }
    if let Some(k) = m.docs.known_problems {
        let _ = writeln!(s, "## Known problems\n\n{k}\n");
    }
    if let Some(r) = m.docs.references {
        let _ = writeln!(s, "## References\n\n{r}\n");
    }
    s
}

/// `tenantlint rules` as a table.
pub fn rules_table() -> String {
    let mut s = String::new();
    for r in rules::all() {
        let m = &r.meta;
        let _ = writeln!(
            s,
            "{:<9} {:<32} {:<17} {:<8} {}",
            m.id,
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            m.summary
        );
    }
    s
}

/// `tenantlint rules --format json`.
pub fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::all()
        .map(|r| {
            let m = &r.meta;
            serde_json::json!({
                "id": m.id,
                "name": m.name,
                "category": m.category.as_str(),
                "severity": m.severity.as_str(),
                "summary": m.summary,
                "url": m.doc_url(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
    s.push('\n');
    s
}

/// The index page `rules/README.md`.
pub fn rules_index() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the rule sources by `cargo test` (set `TENANTLINT_BLESS=1` to rewrite).\n\n| id | name | category | default | summary |\n|---|---|---|---|---|\n",
    );
    for r in rules::all() {
        let m = &r.meta;
        let _ = writeln!(
            s,
            "| [{id}]({id}.md) | {} | {} | {} | {} |",
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            m.summary.replace('|', "\\|"),
            id = m.id
        );
    }
    s
}
