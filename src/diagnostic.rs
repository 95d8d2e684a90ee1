//! Findings, as rules produce them and reports print them.

use std::borrow::Cow;

pub use crate::meta::{RuleMeta, Severity};
use crate::model::Object;
use crate::source::{FileId, Span};

/// The Kubernetes object a finding belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn of(obj: &Object) -> ObjectRef {
        ObjectRef {
            api_version: obj
                .api_version
                .as_ref()
                .map(|v| v.value.clone())
                .unwrap_or_default(),
            kind: obj.kind.value.clone(),
            namespace: obj.namespace().map(str::to_string),
            name: obj.name().to_string(),
        }
    }
}

/// A secondary location: the other side of a conflict.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub message: String,
    /// Set when the location is a row of a store without lines (SPEC §3).
    pub locator: Option<String>,
}

/// Why a finding is hidden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressedBy {
    /// `true` for a comment or annotation in the linted files (SARIF
    /// `inSource`), `false` for a baseline file (`external`).
    pub in_source: bool,
    pub justification: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule_id: Cow<'static, str>,
    pub rule_name: Cow<'static, str>,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub file: FileId,
    pub span: Span,
    pub object: Option<ObjectRef>,
    pub related: Vec<Related>,
    /// Set on findings that a suppression or the baseline hides.
    pub suppressed_by: Option<SuppressedBy>,
    /// Where the finding sits in a source without lines (a row of an MLflow
    /// tracking store in SQLite: `experiments/3/artifact_location`). When set,
    /// the finding has no line or column in any format (SPEC §3).
    pub locator: Option<String>,
    /// The template a rendered file's finding came from (Helm's
    /// `# Source: chart/templates/x.yaml`), SPEC §3.
    pub source: Option<String>,
}

impl Diagnostic {
    /// A finding of a built-in rule at its default severity (the engine
    /// applies configured severities afterwards).
    pub fn new(
        rule: &'static RuleMeta,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule_id: Cow::Borrowed(rule.id),
            rule_name: Cow::Borrowed(rule.name),
            severity: rule.severity,
            message: message.into(),
            help: String::new(),
            file,
            span,
            object: None,
            related: Vec::new(),
            suppressed_by: None,
            locator: None,
            source: None,
        }
    }

    /// A finding on a node of `obj`: in the file of the node (a patch of a
    /// kustomize build), else the object's.
    pub fn on(
        rule: &'static RuleMeta,
        obj: &Object,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(rule, span.file_or(obj.file), span, message).object(obj)
    }

    /// The message as text formats print it: with the template it came
    /// from, when the file is rendered output.
    pub fn shown_message(&self) -> Cow<'_, str> {
        match &self.source {
            Some(s) => Cow::Owned(format!("{} (from `{s}`)", self.message)),
            None => Cow::Borrowed(&self.message),
        }
    }

    /// Take the file of each location from its span where the span names
    /// one (a node that a kustomize build moved from a patch into a base
    /// object lives in the patch).
    pub fn locate_in_span_files(&mut self) {
        self.file = self.span.file_or(self.file);
        for r in &mut self.related {
            r.file = r.span.file_or(r.file);
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn object(mut self, obj: &Object) -> Self {
        self.object = Some(ObjectRef::of(obj));
        self
    }

    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            message: message.into(),
            locator: None,
        });
        self
    }
}

/// How many related locations a finding about a shared thing lists, and
/// how many names its message lists; the rest are counted ("and N more").
/// A thing shared N times gives N findings: listing every other use in each
/// would make the report (and the work) grow as N².
pub const SHOWN: usize = 5;

/// `` `a`, `b`, `c` `` — at most [`SHOWN`] names of `total`, then `and N more`.
pub fn bounded_list<'a>(names: impl IntoIterator<Item = &'a str>, total: usize) -> String {
    let shown: Vec<String> = names
        .into_iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect();
    let mut list = shown.join(", ");
    if total > shown.len() {
        list.push_str(&format!(" and {} more", total - shown.len()));
    }
    list
}

/// Items grouped by a key (an application, a tenant), for picking a
/// finding's related locations among the items of other groups without
/// looking at every pair: each group keeps its first few items.
pub struct Groups<K> {
    heads: std::collections::BTreeMap<K, Vec<usize>>,
}

impl<K: Ord> Groups<K> {
    /// Group the items whose keys `keys` lists, by position.
    pub fn new(keys: impl IntoIterator<Item = K>) -> Self {
        let mut heads: std::collections::BTreeMap<K, Vec<usize>> = Default::default();
        for (i, key) in keys.into_iter().enumerate() {
            let head = heads.entry(key).or_default();
            // A few spare ones, for those `accept` may turn down.
            if head.len() < SHOWN + 2 {
                head.push(i);
            }
        }
        Groups { heads }
    }

    /// Up to [`SHOWN`] items, in ascending order, of groups other than
    /// `key`'s that `accept` takes.
    pub fn others(&self, key: &K, accept: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut picked = Vec::with_capacity(SHOWN);
        'groups: for (k, head) in &self.heads {
            if k == key {
                continue;
            }
            for &j in head {
                if accept(j) {
                    picked.push(j);
                    if picked.len() == SHOWN {
                        break 'groups;
                    }
                }
            }
        }
        picked.sort_unstable();
        picked
    }
}

/// The note appended to the last related location listed when `total`
/// were found.
pub fn more_note(listed: usize, total: usize) -> String {
    if total > listed {
        format!("; and {} more not listed", total - listed)
    } else {
        String::new()
    }
}
