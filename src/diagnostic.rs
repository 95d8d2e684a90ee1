//! Findings, as rules produce them and reports print them.

use std::borrow::Cow;

use crate::model::Object;
use crate::rules::RuleMeta;
use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// The Kubernetes object a finding belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
        }
    }

    /// A finding on a node of `obj`.
    pub fn on(
        rule: &'static RuleMeta,
        obj: &Object,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::new(rule, obj.file, span, message).object(obj)
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
        });
        self
    }
}
