//! The architecture of `../shared/CONVENTIONS.md` §1–§2, checked on the
//! source: data flows one way through the stages, rules read the typed model
//! (never the loader), and every rule file is registered.

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

/// The stages of the crate in the order data flows through them
/// (CONVENTIONS §1: discover → load → model → index → rules → report). A
/// module may use its own stage and earlier ones, never a later one. Modules
/// that every stage reads come first: files and spans, rule identity
/// (`meta`: ids, names, severities — so config, findings and suppressions
/// need not know the rules), and the configuration's data (`config`; reading
/// the file resolves rule ids and so comes after the rules, `config_file`).
/// Discovery hands files to the loader at run time, but it recognises them
/// with the model's own checks (Compose, Dockerfile and workflow names, a
/// shell shebang), so it sits after the model; nothing before it uses it.
const STAGES: &[&[&str]] = &[
    &["fsio", "source", "meta"],
    &["config"],
    &["load"],
    &["model"],
    &["discover"],
    &["kustomize"],
    &["diagnostic"],
    &["repo", "index"],
    &["rules"],
    &["config_file"],
    &["suppress", "policy", "baseline"],
    &["engine"],
    &["report", "docs"],
    &["posture"],
    &["cli", "main", "lib"],
];

/// The top-level module a file of `src/` belongs to (`rules/rbac/mod.rs` → `rules`).
fn module_of(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Every `crate::<module>` a line names (in `use` lines and in paths).
fn crate_modules(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(i, _)| {
            // `crate::` itself, not the tail of another path (`tenantlint_crate::`).
            !line[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(i, m)| {
            let rest = &line[i + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn data_flows_one_way() {
    let stage_of = |module: &str| STAGES.iter().position(|s| s.contains(&module));
    let mut problems = Vec::new();
    let files = rust_files(&src());
    assert!(files.len() > 100, "{} source files", files.len());
    for f in &files {
        let rel = relative(f);
        let module = module_of(&rel);
        let Some(stage) = stage_of(module) else {
            problems.push(format!(
                "src/{rel}: module `{module}` has no stage; add it to STAGES"
            ));
            continue;
        };
        for (n, line) in code(f).lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in crate_modules(line) {
                match stage_of(used) {
                    Some(s) if s > stage => problems.push(format!(
                        "src/{rel}:{}: `{module}` uses the later stage `{used}`: {}",
                        n + 1,
                        line.trim()
                    )),
                    Some(_) => {}
                    None => problems.push(format!(
                        "src/{rel}:{}: `crate::{used}` is no module with a stage",
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the one-way flow is broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn crate_paths_are_found() {
    assert_eq!(
        crate_modules("use crate::model::{Object, Spec}; let x = crate::index::f(crate::load);"),
        ["model", "index", "load"]
    );
    assert!(crate_modules("use tenantlint_crate::x;").is_empty());
    assert_eq!(module_of("rules/rbac/mod.rs"), "rules");
    assert_eq!(module_of("engine.rs"), "engine");
}
