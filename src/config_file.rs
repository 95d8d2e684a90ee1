//! Reading `.tenantlint.yaml` into a [`Config`]: every key validated, rule
//! ids, names and selectors resolved against the rule registry (so this
//! comes after the rules, while the [`Config`] it builds is read by every
//! stage from discovery on).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{
    Config, ConfigEffect, ConfigError, FailOn, GlobIndex, Globs, PathTarget, RuleSetting, absolute,
    did_you_mean,
};
use crate::diagnostic::Severity;
use crate::load::{self, Node, Value};
use crate::rules;
use crate::source::{FileKind, SourceFile, Span};

/// The top-level keys of a config file.
pub(crate) const KEYS: &[&str] = &[
    "tenants",
    "tenant-label",
    "platform-namespaces",
    "tenant-namespaces",
    "paths",
    "subjects",
    "rules",
    "select",
    "ignore",
    "exclude",
    "per-path-ignores",
    "policies",
    "fail-on",
    "namespace",
];

struct Reader {
    file: Arc<SourceFile>,
}

impl Reader {
    fn err(&self, span: Span, message: impl Into<String>, help: Option<String>) -> ConfigError {
        ConfigError {
            file: Some(self.file.clone()),
            span,
            message: message.into(),
            help,
        }
    }

    fn string(&self, node: &Node, what: &str) -> Result<String, ConfigError> {
        match &node.value {
            Value::Scalar(s, _) if !node.is_null() => Ok(s.to_string()),
            _ => Err(self.err(node.span, format!("`{what}` must be a string"), None)),
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    fn strings(&self, node: &Node, what: &str) -> Result<Vec<String>, ConfigError> {
        match &node.value {
            Value::Seq(items) => items.iter().map(|i| self.string(i, what)).collect(),
            Value::Scalar(..) if !node.is_null() => Ok(vec![self.string(node, what)?]),
            _ => Err(self.err(
                node.span,
                format!("`{what}` must be a list of strings"),
                None,
            )),
        }
    }

    fn map<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [load::Entry], ConfigError> {
        match &node.value {
            Value::Map(entries) => Ok(entries),
            _ if node.is_null() => Ok(&[]),
            _ => Err(self.err(node.span, format!("`{what}` must be a mapping"), None)),
        }
    }

    fn globs(&self, node: &Node, patterns: Vec<String>) -> Result<Globs, ConfigError> {
        Globs::new(patterns).map_err(|e| self.err(node.span, format!("invalid glob: {e}"), None))
    }

    fn rule_selectors(
        &self,
        node: &Node,
        what: &str,
        policies: &[(String, String)],
    ) -> Result<Vec<String>, ConfigError> {
        let list = self.strings(node, what)?;
        for (i, s) in list.iter().enumerate() {
            if !rules::all().any(|r| rules::selector_matches(s, r))
                && !crate::meta::selects_policy(s, policies)
            {
                let span = node.items().get(i).map_or(node.span, |n| n.span);
                let names = rules::all().flat_map(|r| [r.meta.id, r.meta.name]);
                return Err(self.err(
                    span,
                    format!("`{s}` is not a rule id, rule name, id prefix or category"),
                    did_you_mean(s, names).map(|m| format!("did you mean `{m}`?")),
                ));
            }
        }
        Ok(list)
    }
}

impl Config {
    /// Read and validate a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let bytes = crate::fsio::read_limited(path, crate::fsio::CONFIG_LIMIT).map_err(|e| {
            ConfigError {
                file: None,
                span: Span::default(),
                message: format!("cannot read config file `{}`: {e}", path.display()),
                help: None,
            }
        })?;
        let (text, bad) = load::decode(&bytes);
        let display = path.to_string_lossy().replace('\\', "/");
        let file = Arc::new(SourceFile::new(
            0,
            path.to_path_buf(),
            display,
            FileKind::Yaml,
            text,
        ));
        let reader = Reader { file: file.clone() };
        if let Some((_, message)) = bad {
            return Err(reader.err(Span::default(), message, None));
        }
        let parsed = load::parse_yaml(&file);
        if let Some(p) = parsed.problems.first() {
            let (span, message) = match p {
                load::LoadProblem::Syntax { span, message } => (*span, message.clone()),
                load::LoadProblem::DuplicateKey { key, span, .. } => {
                    (*span, format!("key `{key}` is given twice"))
                }
            };
            return Err(reader.err(span, message, None));
        }
        let root_dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."));
        let mut config = Config {
            root: absolute(root_dir),
            file: Some(file.clone()),
            ..Config::default()
        };
        let Some(doc) = parsed.docs.first() else {
            return Ok(config);
        };
        let entries = reader.map(&doc.root, "the configuration")?;
        if let Some(e) = entries
            .iter()
            .find(|e| e.key.as_scalar() == Some("policies"))
        {
            config.policies = reader.strings(&e.value, "policies")?;
            for (i, p) in config.policies.iter().enumerate() {
                let span = e.value.items().get(i).map_or(e.value.span, |n| n.span);
                let path = config.root.join(p);
                if !path.exists() {
                    return Err(reader.err(
                        span,
                        format!("policy path `{p}` does not exist"),
                        Some(format!(
                            "paths under `policies` are relative to the directory of `{}`",
                            file.display
                        )),
                    ));
                }
                config.policy_files.extend(policy_files(&path));
            }
            config.policy_files.sort();
            config.policy_files.dedup();
            config.policy_rules = policy_rules_of(&config.policy_files);
        }
        let policy_rules = config.policy_rules.clone();
        for e in entries {
            let key = reader.string(&e.key, "a key")?;
            let v = &e.value;
            match key.as_str() {
                "tenants" => {
                    for t in reader.map(v, "tenants")? {
                        let tenant = reader.string(&t.key, "tenants")?;
                        let patterns = reader.strings(&t.value, "tenants")?;
                        config
                            .tenants
                            .push((tenant, reader.globs(&t.value, patterns)?));
                    }
                }
                "tenant-label" => config.tenant_label = Some(reader.string(v, "tenant-label")?),
                "platform-namespaces" => {
                    config.platform_namespaces = reader.strings(v, "platform-namespaces")?
                }
                "tenant-namespaces" => {
                    config.tenant_namespaces = reader.strings(v, "tenant-namespaces")?
                }
                "paths" => {
                    for p in reader.map(v, "paths")? {
                        let glob = reader.string(&p.key, "paths")?;
                        let mut target = PathTarget::default();
                        for t in reader.map(&p.value, "paths")? {
                            let k = reader.string(&t.key, "paths")?;
                            match k.as_str() {
                                "namespace" => {
                                    target.namespace = Some(reader.string(&t.value, "namespace")?)
                                }
                                "tenant" => {
                                    target.tenant = Some(reader.string(&t.value, "tenant")?)
                                }
                                _ => {
                                    return Err(reader.err(
                                        t.key.span,
                                        format!("unknown key `{k}` in `paths`; expected `namespace` or `tenant`"),
                                        did_you_mean(&k, ["namespace", "tenant"]).map(|m| format!("did you mean `{m}`?")),
                                    ));
                                }
                            }
                        }
                        config
                            .paths
                            .push((reader.globs(&p.key, vec![glob])?, target));
                    }
                }
                "subjects" => {
                    for s in reader.map(v, "subjects")? {
                        config.subjects.push((
                            reader.string(&s.key, "subjects")?,
                            reader.string(&s.value, "subjects")?,
                        ));
                    }
                }
                "rules" => {
                    for r in reader.map(v, "rules")? {
                        let name = reader.string(&r.key, "rules")?;
                        let policy = policy_rules
                            .iter()
                            .find(|(id, pname)| id.eq_ignore_ascii_case(&name) || *pname == name);
                        let rule_id = match (rules::find(&name), policy) {
                            (Some(rule), _) => Some(rule.meta.id.to_string()),
                            (None, Some((id, _))) => Some(id.clone()),
                            (None, None) => None,
                        };
                        let Some(rule_id) = rule_id else {
                            let names = rules::all().flat_map(|r| [r.meta.id, r.meta.name]);
                            return Err(reader.err(
                                r.key.span,
                                format!("`{name}` is not a rule id or name"),
                                did_you_mean(&name, names).map(|m| format!("did you mean `{m}`?")),
                            ));
                        };
                        let sev_node = match &r.value.value {
                            Value::Map(_) => {
                                for k in r.value.entries() {
                                    let kname = reader.string(&k.key, "rules")?;
                                    if kname != "severity" {
                                        return Err(reader.err(
                                            k.key.span,
                                            format!("unknown option `{kname}` for {rule_id}; it has no options"),
                                            did_you_mean(&kname, ["severity"]).map(|m| format!("did you mean `{m}`?")),
                                        ));
                                    }
                                }
                                r.value.get("severity").unwrap_or(&r.value)
                            }
                            _ => &r.value,
                        };
                        let sev = reader.string(sev_node, "severity")?;
                        let severity = match sev.as_str() {
                            "off" => None,
                            s => Some(Severity::parse(s).ok_or_else(|| {
                                reader.err(
                                    sev_node.span,
                                    format!("`{s}` is not a severity; expected `error`, `warning`, `info` or `off`"),
                                    did_you_mean(s, ["error", "warning", "info", "off"]).map(|m| format!("did you mean `{m}`?")),
                                )
                            })?),
                        };
                        config.rules.push(RuleSetting {
                            rule: rule_id,
                            severity,
                        });
                    }
                }
                "select" => {
                    config.select = Some(reader.rule_selectors(v, "select", &policy_rules)?)
                }
                "ignore" => config.ignore = reader.rule_selectors(v, "ignore", &policy_rules)?,
                "exclude" => {
                    let patterns = reader.strings(v, "exclude")?;
                    config.exclude = reader.globs(v, patterns)?;
                }
                "per-path-ignores" => {
                    for p in reader.map(v, "per-path-ignores")? {
                        let glob = reader.string(&p.key, "per-path-ignores")?;
                        let rules =
                            reader.rule_selectors(&p.value, "per-path-ignores", &policy_rules)?;
                        config
                            .per_path_ignores
                            .push((reader.globs(&p.key, vec![glob])?, rules));
                    }
                }
                // Read before the other keys (below): `rules`, `select` and
                // `ignore` may name the policies' ids.
                "policies" => {}
                "fail-on" => {
                    let s = reader.string(v, "fail-on")?;
                    config.fail_on = Some(match s.as_str() {
                        "error" => FailOn::Error,
                        "warning" => FailOn::Warning,
                        "info" => FailOn::Info,
                        "never" => FailOn::Never,
                        _ => {
                            return Err(reader.err(
                                v.span,
                                format!("`{s}` is not a `fail-on` level; expected `error`, `warning`, `info` or `never`"),
                                did_you_mean(&s, ["error", "warning", "info", "never"]).map(|m| format!("did you mean `{m}`?")),
                            ));
                        }
                    });
                }
                "namespace" => config.namespace = Some(reader.string(v, "namespace")?),
                _ => {
                    return Err(reader.err(
                        e.key.span,
                        format!("unknown key `{key}`"),
                        Some(match did_you_mean(&key, KEYS.iter().copied()) {
                            Some(m) => format!("did you mean `{m}`?"),
                            None => format!("the keys are: {}", KEYS.join(", ")),
                        }),
                    ));
                }
            }
        }
        config.per_path_index = GlobIndex::new(config.per_path_ignores.iter().map(|(g, _)| g));
        Ok(config)
    }

    /// What this config file turns off; `None` without a file. `select` and
    /// `ignore` count only where the command line did not replace them.
    pub fn effect(&self, cli_select: bool, cli_ignore: bool) -> Option<ConfigEffect> {
        let file = self.file.as_ref()?;
        let deselected = |r: &rules::Rule| {
            let not_selected = !cli_select
                && self
                    .select
                    .as_ref()
                    .is_some_and(|list| !list.iter().any(|s| rules::selector_matches(s, r)));
            let ignored = !cli_ignore && self.ignore.iter().any(|s| rules::selector_matches(s, r));
            not_selected || ignored || self.severity(r.meta.id) == Some(None)
        };
        let mut rules_off: Vec<&'static str> = rules::all()
            .filter(|r| deselected(r))
            .map(|r| r.meta.id)
            .collect();
        rules_off.sort_unstable();
        let cwd = std::env::current_dir().ok();
        let file = cwd
            .and_then(|cwd| file.path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .map_or_else(
                || file.display.clone(),
                |rel| rel.to_string_lossy().replace('\\', "/"),
            );
        Some(ConfigEffect {
            file,
            rules_off,
            exclude: self.exclude.patterns.clone(),
            per_path_ignores: self
                .per_path_ignores
                .iter()
                .map(|(g, rules)| (g.patterns.join(", "), rules.clone()))
                .collect(),
        })
    }
}

/// Policy files are read up to this size (a policy is a few kilobytes).
pub const MAX_POLICY_FILE: u64 = 1 << 20;

/// The YAML files a `policies:` entry names: the file, or every `*.yaml` /
/// `*.yml` under the directory (hidden entries skipped), in path order.
fn policy_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if hidden || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e == "yaml" || e == "yml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// (id, name) of every `tenantlint.io/v1` `Policy` in `files` (a quick read:
/// the files are validated when they are linted).
fn policy_rules_of(files: &[PathBuf]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in files {
        let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_POLICY_FILE);
        let Some(bytes) = small.then(|| std::fs::read(path).ok()).flatten() else {
            continue;
        };
        let (text, _) = load::decode(&bytes);
        let file = SourceFile::new(0, path.clone(), String::new(), FileKind::Yaml, text);
        for doc in load::parse_yaml(&file).docs {
            let root = &doc.root;
            if root.get_str("kind") != Some("Policy")
                || root
                    .get_str("apiVersion")
                    .is_none_or(|v| !v.starts_with("tenantlint.io/"))
            {
                continue;
            }
            let id = root.path(&["spec", "id"]).and_then(Node::as_str);
            let name = root.path(&["metadata", "name"]).and_then(Node::as_str);
            if let (Some(id), Some(name)) = (id, name) {
                out.push((id.to_string(), name.to_string()));
            }
        }
    }
    out
}
