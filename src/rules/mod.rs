//! Rules: one file per rule, a registry sorted by id.
//!
//! A rule is its metadata (id, name, category, default severity, docs) and
//! one check. Per-object checks run in parallel over every object; whole-set
//! checks read the index. Loader rules (YAML001, YAML002) are produced while
//! parsing; they are listed here so they can be selected, configured and
//! documented like every other rule.

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
use std::sync::Arc;

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

/// Every built-in rule, sorted by id.
pub static RULES: &[&Rule] = &[
    &host::host001_host_namespace::RULE,
    &host::host002_host_path_volume::RULE,
    &host::host003_privileged_container::RULE,
    &host::host004_host_port::RULE,
    &lint::lint001_unused_suppression::RULE,
    &lint::lint002_suppression_without_reason::RULE,
    &mlflow::mlf001_shared_artifact_root::RULE,
    &mlflow::mlf002_shared_backend_store::RULE,
    &mlflow::mlf003_default_experiment::RULE,
    &mlflow::mlf004_unauthenticated_server::RULE,
    &mlflow::mlf005_plaintext_credentials::RULE,
    &mlflow::mlf006_ephemeral_backend_store::RULE,
    &mlflow::mlf007_broad_default_permission::RULE,
    &mlflow::mlf008_project_host_access::RULE,
    &mlflow::mlf009_run_outside_experiment_root::RULE,
    &mlflow::mlf010_permissive_server_security::RULE,
    &network::net001_missing_default_deny::RULE,
    &network::net002_allow_all_namespaces::RULE,
    &network::net003_cross_tenant_service_reference::RULE,
    &namespace::ns001_default_namespace::RULE,
    &namespace::ns002_namespace_unset::RULE,
    &namespace::ns003_namespace_mismatch::RULE,
    &namespace::ns004_undeclared_namespace::RULE,
    &policy::pol001_admission_policy_violation::RULE,
    &policy::pol002_invalid_policy::RULE,
    &quota::quota001_missing_resource_quota::RULE,
    &quota::quota002_missing_limit_range::RULE,
    &quota::quota003_missing_container_resources::RULE,
    &quota::quota004_gpu_not_in_quota::RULE,
    &rbac::rbac001_cross_tenant_subject::RULE,
    &rbac::rbac002_cluster_admin_binding::RULE,
    &rbac::rbac003_wildcard_rule::RULE,
    &rbac::rbac004_secrets_access::RULE,
    &rbac::rbac005_broad_group_subject::RULE,
    &rbac::rbac006_privilege_escalation_verbs::RULE,
    &service_account::sa001_shared_service_account::RULE,
    &service_account::sa002_default_service_account::RULE,
    &service_account::sa003_automount_service_account_token::RULE,
    &service_account::sa004_missing_service_account::RULE,
    &storage::store001_shared_volume_claim::RULE,
    &storage::store002_cross_namespace_reference::RULE,
    &yaml::yaml001_syntax_error::RULE,
    &yaml::yaml002_duplicate_key::RULE,
    &yaml::yaml003_duplicate_object::RULE,
    &yaml::yaml004_incomplete_object::RULE,
];

/// `NS003`, `namespace-mismatch`, `NS` (id prefix) or `namespaces` (category).
pub fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let m = &rule.meta;
    crate::meta::selector_matches_meta(selector, m.id, m.name, m.category)
}

/// All rules in id order (ids compare by prefix, then number).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    RULES.iter().copied()
}

/// Find a rule by id or name (case-insensitive id).
pub fn find(key: &str) -> Option<&'static Rule> {
    all().find(|r| r.meta.id.eq_ignore_ascii_case(key) || r.meta.name == key)
}

/// Unit-test helpers: lint in-memory files with one rule selected.
#[cfg(test)]
pub(crate) mod testing {
    use crate::engine::{CheckOptions, Selection, check_sources, selector_matches};

    /// `(file, line, column, message)` of every finding of `rule`.
    pub fn lint(rule: &str, files: &[(&str, &str)]) -> Vec<(String, u32, u32, String)> {
        let options = CheckOptions {
            selection: Selection {
                select: vec![rule.to_string()],
                ignore: vec![],
            },
            threads: 1,
            ..CheckOptions::default()
        };
        let result = check_sources(files, &options);
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
