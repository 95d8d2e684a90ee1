//! The architecture of `../shared/CONVENTIONS.md` §1–§2, checked on the
//! source: rules read the typed model, never the loader; every rule file is
//! registered.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A file's code without its unit tests (they may build inputs any way).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.split("#[cfg(test)]").next().unwrap_or("").to_string()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Rules see objects through the model (`crate::model`) and the index, never
/// through the YAML tree's types.
#[test]
fn no_rule_imports_the_loader() {
    let mut found = Vec::new();
    for f in rust_files(&src().join("rules")) {
        let rel = relative(&f);
        for (n, line) in code(&f).lines().enumerate() {
            if line.contains("crate::load") {
                found.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "rule files that use the loader; read the model instead:\n{}",
        found.join("\n")
    );
}

/// `src/rules/<group>/<id>_<name>.rs` → `<ID>` (`ns003_namespace_mismatch.rs` → `NS003`).
fn rule_id_of_file(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let (id, _) = stem.split_once('_')?;
    let digits = id.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let shaped =
        digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()) && digits.len() < id.len();
    shaped.then(|| id.to_ascii_uppercase())
}

/// A rule file that is not registered is never run (RBAC005 once landed so):
/// the rule files on disk and the registry hold the same ids, and each file
/// declares the id its name says.
#[test]
fn every_rule_file_is_registered() {
    let mut on_disk = BTreeSet::new();
    let mut problems = Vec::new();
    for f in rust_files(&src().join("rules")) {
        let Some(id) = rule_id_of_file(&f) else {
            continue;
        };
        if !code(&f).contains(&format!("id: \"{id}\"")) {
            problems.push(format!(
                "src/{} does not declare `id: \"{id}\"`",
                relative(&f)
            ));
        }
        on_disk.insert(id);
    }
    assert!(on_disk.len() > 40, "{} rule files", on_disk.len());
    let registered: BTreeSet<String> = tenantlint::rules::all()
        .map(|r| r.meta.id.to_string())
        .collect();
    for id in on_disk.difference(&registered) {
        problems.push(format!("{id} has a rule file but is not registered"));
    }
    for id in registered.difference(&on_disk) {
        problems.push(format!("{id} is registered but has no rule file"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
