//! The configuration file `.tenantlint.yaml` (SPEC §5).
//!
//! Read with the same span-carrying loader as manifests, so an unknown key or
//! a wrong type is reported at its line and column with a snippet and a
//! "did you mean".

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::meta::Severity;
use crate::source::{SourceFile, Span};

pub const FILE_NAME: &str = ".tenantlint.yaml";

/// What the `paths:` map says about the files under a glob.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathTarget {
    pub namespace: Option<String>,
    pub tenant: Option<String>,
}

/// A rule's configured severity: `None` turns it off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSetting {
    /// The rule id the key names (ids and names are both accepted; a user
    /// policy's id or name too).
    pub rule: String,
    pub severity: Option<Severity>,
}

#[derive(Clone, Debug, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A set of path globs, matched against paths relative to the config's directory.
#[derive(Clone, Debug)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    pub fn new(patterns: Vec<String>) -> Result<Globs, globset::Error> {
        let mut b = GlobSetBuilder::new();
        for p in &patterns {
            b.add(Glob::new(p)?);
        }
        Ok(Globs {
            patterns,
            set: b.build()?,
        })
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }
}

/// Many glob lists compiled into one set: which lists match a path is one
/// lookup, not one per list (a config with 10,000 tenants or
/// `per-path-ignores` took minutes). Literal globs are matched by hashing.
#[derive(Clone, Debug, Default)]
pub struct GlobIndex {
    set: GlobSet,
    /// The list each glob of `set` came from.
    owner: Vec<usize>,
}

impl GlobIndex {
    pub fn new<'a>(lists: impl IntoIterator<Item = &'a Globs>) -> GlobIndex {
        let mut b = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (i, globs) in lists.into_iter().enumerate() {
            for p in &globs.patterns {
                // Every pattern compiled once already, when the config was read.
                if let Ok(g) = Glob::new(p) {
                    b.add(g);
                    owner.push(i);
                }
            }
        }
        GlobIndex {
            set: b.build().unwrap_or_default(),
            owner,
        }
    }

    /// The lists with a glob matching `path`, ascending.
    pub fn matching(&self, path: &str) -> Vec<usize> {
        let mut lists: Vec<usize> = self
            .set
            .matches(path)
            .into_iter()
            .map(|i| self.owner[i])
            .collect();
        lists.sort_unstable();
        lists.dedup();
        lists
    }
}

impl Default for Globs {
    fn default() -> Self {
        Globs {
            patterns: Vec::new(),
            set: GlobSet::empty(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The directory path globs are relative to (absolute).
    pub root: PathBuf,
    /// The file it was read from (`None` for the defaults).
    pub file: Option<Arc<SourceFile>>,
    /// tenant → namespace globs.
    pub tenants: Vec<(String, Globs)>,
    pub tenant_label: Option<String>,
    pub platform_namespaces: Vec<String>,
    /// Built-in platform namespaces (add-on homes) that are tenants here.
    pub tenant_namespaces: Vec<String>,
    pub paths: Vec<(Globs, PathTarget)>,
    /// RBAC users and groups (`group:alpha-devs`) → tenant.
    pub subjects: Vec<(String, String)>,
    pub rules: Vec<RuleSetting>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub exclude: Globs,
    pub per_path_ignores: Vec<(Globs, Vec<String>)>,
    /// `per_path_ignores`' globs, compiled together.
    pub per_path_index: GlobIndex,
    pub policies: Vec<String>,
    /// The files that `policies:` names (directories walked for YAML).
    pub policy_files: Vec<PathBuf>,
    /// (id, name) of the user policies in those files, so that they can be
    /// selected, ignored and given a severity like built-in rules.
    pub policy_rules: Vec<(String, String)>,
    pub fail_on: Option<FailOn>,
    pub namespace: Option<String>,
}

/// What a config file turns off, shown in the human and JSON summaries
/// (SPEC §1): a pull request that edits `.tenantlint.yaml` to silence the
/// linter (`ignore: [all]`, `exclude: ["**"]`) is visible in the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConfigEffect {
    /// The config file in effect.
    pub file: String,
    /// Ids of the rules it turns off (`rules: {ID: off}`) or deselects
    /// (`select`, `ignore`), sorted.
    pub rules_off: Vec<&'static str>,
    /// Its `exclude` globs.
    pub exclude: Vec<String>,
    /// Its `per-path-ignores`: glob and rules.
    pub per_path_ignores: Vec<(String, Vec<String>)>,
}

/// A problem with the configuration file: exit code 2, shown with a snippet
/// (the CLI renders it with a bounded, escaped one).
#[derive(Debug)]
pub struct ConfigError {
    pub file: Option<Arc<SourceFile>>,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(
                f,
                "{}:{}:{}: {}",
                file.display, self.span.start.line, self.span.start.col, self.message
            ),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The closest candidate within a small edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // The distance is at least the difference in length, and at most 3 is
    // close: a long word (a pasted megabyte) is compared with nothing.
    let word_len = word.chars().take(64).count();
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(word_len) <= 3)
        .map(|c| {
            (
                edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= (c.len() / 3).clamp(1, 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Find `.tenantlint.yaml` in `start` or a parent directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        // Not only regular files: a config that is a FIFO or a device is
        // an error when read, not silently passed over.
        if std::fs::metadata(&candidate).is_ok_and(|m| !m.is_dir()) {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

impl Config {
    /// `path` (as given on the command line or found by walking) relative to
    /// the config's directory, with `/` separators; `None` when outside it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let abs = absolute(path);
        let rel = abs.strip_prefix(&self.root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    /// The configured severity of a rule: `Some(None)` = off.
    pub fn severity(&self, rule: &str) -> Option<Option<Severity>> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.rule == rule)
            .map(|r| r.severity)
    }

    /// Rules ignored for a file by `per-path-ignores`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&str> {
        let Some(rel) = self.relative(path) else {
            return Vec::new();
        };
        self.per_path_index
            .matching(&rel)
            .into_iter()
            .flat_map(|i| self.per_path_ignores[i].1.iter().map(String::as_str))
            .collect()
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.exclude.patterns.is_empty()
            && self
                .relative(path)
                .is_some_and(|rel| self.exclude.is_match(&rel))
    }

    /// What `paths:` says about a file, if anything (the last match wins).
    pub fn path_target(&self, path: &Path) -> Option<&PathTarget> {
        let rel = self.relative(path)?;
        self.paths
            .iter()
            .rev()
            .find(|(g, _)| g.is_match(&rel))
            .map(|(_, t)| t)
    }
}

/// An absolute, lexically normalised path (symlinks are not resolved).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The commented starter file written by `tenantlint init`.
pub const STARTER: &str = r#"# tenantlint configuration. Every key is optional; see `tenantlint rules` and
# `tenantlint explain RULE`. Paths and globs are relative to this file.

# Tenants and the namespaces they own. By default each namespace is its own tenant.
# tenants:
#   team-alpha: [alpha, "alpha-*"]
#   team-beta: [beta]

# Or: a Namespace label whose value names the tenant.
# tenant-label: tenant

# Namespaces that belong to no tenant. Built in: kube-system, kube-public,
# kube-node-lease, every `*-system`, `openshift-*` and `gke-*` namespace, and
# argocd, cert-manager, ingress-nginx, istio-ingress, kyverno, monitoring,
# kubeflow, knative-serving, knative-eventing, kserve, tekton-pipelines.
# platform-namespaces: [observability, mesh]

# Built-in add-on namespaces that are tenants here.
# tenant-namespaces: [monitoring]

# Files whose objects belong to one namespace or tenant (NS003 flags the others).
# paths:
#   "teams/alpha/**": {namespace: alpha}

# RBAC users and groups, and the tenant they belong to.
# subjects:
#   "group:alpha-devs": team-alpha

# Per-rule severity (error, warning, info, off), by id or name.
# rules:
#   SA002: off
#   shared-artifact-root: {severity: error}

# Rules to run (ids, names, id prefixes or categories) and rules to skip.
# select: [NS, SA, QUOTA, MLF]
# ignore: [NS002]

# Files not to lint, and rules not to run on some files.
# exclude: ["charts/**/templates/**"]
# per-path-ignores:
#   "legacy/**": [NS002]

# Lowest severity that fails the run (error, warning, info, never).
# fail-on: error

# Deploy-time namespace for objects that have none (as `kubectl -n`).
# namespace: team-a
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config_file::KEYS;

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile_dir();
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        let r = Config::load(&path);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    fn tempfile_dir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "tenantlint-config-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn full_example_loads() {
        let c = load_text(
            "tenants:\n  team-alpha: [alpha, \"alpha-*\"]\n  team-beta: beta\ntenant-label: tenant\nplatform-namespaces: [monitoring]\npaths:\n  \"teams/alpha/**\": {namespace: alpha}\nsubjects:\n  \"group:alpha-devs\": team-alpha\nrules:\n  SA002: off\n  QUOTA001: warning\n  shared-artifact-root: {severity: error}\nselect: [NS, SA, QUOTA]\nignore: [NS003]\nexclude: [\"charts/**\"]\nper-path-ignores:\n  \"legacy/**\": [NS002]\npolicies: [policies/]\nfail-on: warning\nnamespace: team-a\n",
        )
        .unwrap();
        assert_eq!(c.tenants.len(), 2);
        assert!(c.tenants[0].1.is_match("alpha-dev"));
        assert_eq!(c.severity("SA002"), Some(None));
        assert_eq!(c.severity("QUOTA001"), Some(Some(Severity::Warning)));
        assert_eq!(c.severity("MLF001"), Some(Some(Severity::Error)));
        assert_eq!(c.fail_on, Some(FailOn::Warning));
        assert_eq!(c.namespace.as_deref(), Some("team-a"));
    }

    #[test]
    fn unknown_keys_point_into_the_file_with_a_suggestion() {
        let e = load_text("tenants: {}\ntenant-lable: tenant\n").unwrap_err();
        assert_eq!((e.span.start.line, e.span.start.col), (2, 1));
        assert_eq!(e.help.as_deref(), Some("did you mean `tenant-label`?"));
        let e = load_text("rules:\n  SA02: off\n").unwrap_err();
        assert!(e.message.contains("`SA02` is not a rule"), "{e}");
        assert_eq!(e.help.as_deref(), Some("did you mean `SA002`?"));
        let e = load_text("rules:\n  SA002: errror\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `error`?"));
        let e = load_text("select: [NZ]\n").unwrap_err();
        assert_eq!((e.span.start.line, e.span.start.col), (1, 10));
    }

    #[test]
    fn wrong_types() {
        let e = load_text("platform-namespaces: {a: 1}\n").unwrap_err();
        assert!(e.message.contains("list of strings"), "{e}");
        let e = load_text("tenants: [a]\n").unwrap_err();
        assert!(e.message.contains("mapping"), "{e}");
        assert!(load_text("fail-on: sometimes\n").is_err());
        assert!(load_text("exclude: [\"a[\"]\n").is_err());
    }

    #[test]
    fn the_starter_file_is_a_valid_config() {
        assert!(load_text(STARTER).is_ok());
        // And every commented example in it is valid once uncommented.
        let uncommented: String = STARTER
            .lines()
            .filter(|l| l.starts_with("# ") && (l.contains(':') || l.starts_with("#   ")))
            .filter(|l| !l.starts_with("# tenantlint") && !l.starts_with("# Or:"))
            .map(|l| format!("{}\n", &l[2..]))
            .filter(|l| {
                l.starts_with(' ') || l.split(':').next().is_some_and(|k| KEYS.contains(&k))
            })
            .collect();
        load_text(&uncommented).unwrap();
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("namepsace", KEYS.iter().copied()),
            Some("namespace")
        );
        assert_eq!(did_you_mean("zzz", KEYS.iter().copied()), None);
    }
}
