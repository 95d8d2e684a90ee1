//! Rules: one file per rule, declared in its group's `rules!` list (one
//! line), and a registry of all of them sorted by id.
//!
//! A rule is its metadata (id, name, category, default severity, docs) and
//! one check. Per-object checks run in parallel over every object; whole-set
//! checks read the index. Loader rules (YAML001, YAML002) are produced while
//! parsing; they are listed here so they can be selected, configured and
//! documented like every other rule.

/// Declares the rules of a group, one line each: `name` is the rule's file
/// `name.rs` beside the group's `mod.rs`, which holds `pub static RULE`.
/// Each is compiled and registered in the group's `RULES`, so adding a rule
/// touches its own file, its fixtures and this one line.
macro_rules! rules {
    ($($rule:ident),+ $(,)?) => {
        $(pub mod $rule;)+

        /// The rules of this group.
        pub static RULES: &[&crate::rules::Rule] = &[$(&$rule::RULE),+];
    };
}

pub mod host;
pub mod lint;
pub mod mlflow;
pub mod namespace;
pub mod network;
pub mod policy;
pub mod quota;
pub mod rbac;
pub mod service_account;
pub mod storage;
pub mod workloads;
pub mod yaml;

use crate::diagnostic::Diagnostic;
use crate::index::Index;
use crate::model::Object;
use crate::source::SourceFile;
use std::sync::{Arc, LazyLock};

pub use crate::meta::{Category, Docs, RuleMeta};

/// Everything a rule may read.
pub struct Context<'a> {
    pub index: &'a Index,
    pub files: &'a [Arc<SourceFile>],
    pub config: &'a crate::config::Config,
}

impl Context<'_> {
    pub fn file(&self, id: u32) -> &SourceFile {
        &self.files[id as usize]
    }

    /// Tenant namespaces of the set (declared or used), in name order.
    pub fn tenant_namespaces(&self) -> impl Iterator<Item = (&str, &crate::index::NamespaceInfo)> {
        self.index
            .namespaces
            .iter()
            .filter(|(ns, _)| self.index.tenancy.tenant_of(ns).is_some())
            .map(|(ns, info)| (ns.as_str(), info))
    }

    /// A namespace-level finding, where SPEC §4 puts it: on the Namespace
    /// object's name when the set declares it, else on the `namespace:` of
    /// the first object that uses the namespace.
    pub fn namespace_finding(
        &self,
        rule: &'static RuleMeta,
        ns: &str,
        message: String,
    ) -> Option<Diagnostic> {
        let (file, span, anchor) = self.index.namespace_anchor(ns)?;
        let d = Diagnostic::new(rule, file, span, message);
        Some(match anchor {
            Some(id) => d.object(&self.index.objects[id]),
            None => d,
        })
    }
}

pub type ObjectCheck = fn(&Object, &Context, &mut Vec<Diagnostic>);
pub type SetCheck = fn(&Context, &mut Vec<Diagnostic>);

pub enum Check {
    /// Produced by the engine itself: the loader (YAML001, YAML002) and
    /// suppression bookkeeping (LINT001, LINT002).
    Builtin,
    /// Called once per object, in parallel.
    Object(ObjectCheck),
    /// Called once with the whole set.
    Set(SetCheck),
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// The rule groups; each lists its own rules (see `rules!`).
static GROUPS: &[&[&Rule]] = &[
    host::RULES,
    lint::RULES,
    mlflow::RULES,
    namespace::RULES,
    network::RULES,
    policy::RULES,
    quota::RULES,
    rbac::RULES,
    service_account::RULES,
    storage::RULES,
    yaml::RULES,
];

/// Every built-in rule, sorted by id.
static REGISTRY: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut rules: Vec<&'static Rule> = GROUPS.iter().flat_map(|g| g.iter().copied()).collect();
    rules.sort_by_key(|r| r.meta.id);
    rules
});

/// `NS003`, `namespace-mismatch`, `NS` (id prefix) or `namespaces` (category).
pub fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let m = &rule.meta;
    crate::meta::selector_matches_meta(selector, m.id, m.name, m.category)
}

/// All rules in id order (ids compare by prefix, then number).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    REGISTRY.iter().copied()
}

/// Find a rule by id or name (case-insensitive id).
pub fn find(key: &str) -> Option<&'static Rule> {
    all().find(|r| r.meta.id.eq_ignore_ascii_case(key) || r.meta.name == key)
}

/// Unit-test helpers: lint in-memory files with one rule selected.
#[cfg(test)]
pub(crate) mod testing {
    use crate::engine::{CheckOptions, CheckResult, Selection, check_sources, selector_matches};

    /// The whole result of linting `files` with `rule` selected.
    pub fn check(rule: &str, files: &[(&str, &str)]) -> CheckResult {
        let options = CheckOptions {
            selection: Selection {
                select: vec![rule.to_string()],
                ignore: vec![],
            },
            threads: 1,
            ..CheckOptions::default()
        };
        check_sources(files, &options)
    }

    /// `(file, line, column, message)` of every finding of `rule`.
    pub fn lint(rule: &str, files: &[(&str, &str)]) -> Vec<(String, u32, u32, String)> {
        let result = check(rule, files);
        result
            .diagnostics
            .iter()
            // YAML001 is reported whatever the selection.
            .filter(|d| crate::rules::find(&d.rule_id).is_none_or(|r| selector_matches(rule, r)))
            .map(|d| {
                (
                    result.files[d.file as usize].display.clone(),
                    d.span.start.line,
                    d.span.start.col,
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// `(line, column)` of every finding of `rule` in one file.
    pub fn positions(rule: &str, text: &str) -> Vec<(u32, u32)> {
        lint(rule, &[("t.yaml", text)])
            .into_iter()
            .map(|(_, l, c, _)| (l, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pod-level rule reads the pods and containers that the one
    /// walker of the model found (SPEC §4, Workloads): no rule keeps its own
    /// list of workload kinds or container paths.
    #[test]
    fn rules_keep_no_workload_kinds_or_container_paths() {
        const FORBIDDEN: &[&str] = &[
            "\"initContainers\"",
            "\"containers\"",
            "\"ephemeralContainers\"",
            "\"sidecars\"",
            "\"jobTemplate\"",
            "\"template\"",
            "\"Pod\"",
            "\"Deployment\"",
            "\"StatefulSet\"",
            "\"DaemonSet\"",
            "\"ReplicaSet\"",
            "\"Job\"",
            "\"CronJob\"",
            "\"PyTorchJob\"",
            "\"TrainJob\"",
            "\"RayJob\"",
            "\"RayCluster\"",
            "\"JobSet\"",
            "\"Workflow\"",
            "\"InferenceService\"",
        ];
        fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, files);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules"),
            &mut files,
        );
        assert!(files.len() > 40, "{} rule files", files.len());
        let mut found = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // Unit tests write manifests; the rules themselves may not.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                for word in FORBIDDEN {
                    if line.contains(word) {
                        found.push(format!("{}:{}: {word}", f.display(), n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "kinds or container paths in rules:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn registry_is_sorted_and_unique() {
        let ids: Vec<_> = all().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn docs_are_complete_and_messages_follow_style() {
        for r in all() {
            let m = &r.meta;
            assert!(!m.docs.what.is_empty(), "{}", m.id);
            assert!(!m.docs.why.is_empty(), "{}", m.id);
            assert!(!m.docs.example.is_empty(), "{}", m.id);
            assert!(!m.docs.use_instead.is_empty(), "{}", m.id);
            assert!(
                !m.summary.ends_with('.'),
                "{}: summary ends with a period",
                m.id
            );
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}: name is not kebab-case",
                m.id
            );
        }
    }
}
