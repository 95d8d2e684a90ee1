//! Policies (SPEC §4.10): user policies written in CEL (`tenantlint.io/v1`
//! `Policy`) and the repository's own ValidatingAdmissionPolicies, both
//! evaluated offline against the objects of the linted set.
//!
//! Every expression is compiled once per run (`expr::compile`), with the
//! checks a type checker would do, so that a policy that cannot run is
//! POL002 at the expression and never a silent pass. Each object is turned
//! into a CEL value once, the first time a policy matches it.

pub mod admission;
pub mod expr;
pub mod k8s_lib;
pub mod resources;
pub mod user;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Index;
use crate::load::Node;
use crate::model::Object;
use crate::model::k8s::RootRef;
use crate::rules::Context;
use crate::rules::policy::{
    pol001_admission_policy_violation as pol001, pol002_invalid_policy as pol002,
};
use crate::source::{FileId, Span};

/// API group of tenantlint's own kinds.
pub const GROUP: &str = "tenantlint.io";

/// A compiled expression and where it is written.
pub struct Compiled {
    pub program: cel::Program,
    pub source: String,
    pub file: FileId,
    /// The YAML scalar that holds the expression.
    pub span: Span,
}

/// Compile the expression held by `node` of `obj`, or report POL002 inside it.
pub fn compile_node(
    ctx: &Context,
    obj: &Object,
    node: &Node,
    expect: expr::Expect,
    what: &str,
    invalid: &mut Vec<Diagnostic>,
) -> Option<Compiled> {
    let Some(source) = node.as_str().filter(|s| !s.trim().is_empty()) else {
        invalid.push(
            Diagnostic::on(
                &pol002::RULE.meta,
                obj,
                node.span,
                format!("{what} must be a non-empty CEL expression"),
            )
            .help("write the CEL expression as a string"),
        );
        return None;
    };
    match expr::compile(source, expect) {
        Ok(program) => Some(Compiled {
            program,
            source: source.to_string(),
            file: obj.file,
            span: node.span,
        }),
        Err(e) => {
            let span = expr::span_in_scalar(ctx.file(obj.file), node, e.offset);
            invalid.push(
                Diagnostic::on(
                    &pol002::RULE.meta,
                    obj,
                    span,
                    format!("{what} cannot be used: {}", e.message),
                )
                .help("fix the expression; `tenantlint explain POL002` lists what is supported"),
            );
            None
        }
    }
}

/// A Kubernetes label selector (`matchLabels`, `matchExpressions`).
#[derive(Clone, Debug, Default)]
pub struct LabelSelector {
    match_labels: Vec<(String, String)>,
    expressions: Vec<(String, String, Vec<String>)>,
    /// An operator Kubernetes does not know: the selector matches nothing.
    invalid: bool,
}

impl LabelSelector {
    pub fn parse(node: &Node) -> LabelSelector {
        let mut s = LabelSelector::default();
        for e in node
            .get("matchLabels")
            .map(Node::entries)
            .unwrap_or_default()
        {
            s.match_labels.push((
                e.key.as_scalar().unwrap_or_default().to_string(),
                e.value.as_scalar().unwrap_or_default().to_string(),
            ));
        }
        for x in node
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or_default()
        {
            let key = x.get_str("key").unwrap_or_default().to_string();
            let op = x.get_str("operator").unwrap_or_default().to_string();
            if !matches!(op.as_str(), "In" | "NotIn" | "Exists" | "DoesNotExist") {
                s.invalid = true;
            }
            let values = x
                .get("values")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_scalar().map(str::to_string))
                .collect();
            s.expressions.push((key, op, values));
        }
        s
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty() && !self.invalid
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        if self.invalid {
            return false;
        }
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v))
            && self.expressions.iter().all(|(k, op, values)| {
                let v = get(k);
                match op.as_str() {
                    "In" => v.is_some_and(|v| values.iter().any(|x| x == v)),
                    "NotIn" => v.is_none_or(|v| values.iter().all(|x| x != v)),
                    "Exists" => v.is_some(),
                    _ => v.is_none(),
                }
            })
    }
}

/// An object's labels.
pub fn labels_of(obj: &Object) -> Vec<(String, String)> {
    obj.root()
        .path(&["metadata", "labels"])
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some((
                e.key.as_scalar()?.to_string(),
                e.value.as_scalar().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// The labels of the namespace an object is in: the Namespace object's when
/// the set declares it, else only the `kubernetes.io/metadata.name` label
/// that every namespace carries. `None` when the namespace is unknown.
pub fn namespace_labels(obj: &Object, index: &Index) -> Option<Vec<(String, String)>> {
    let ns = obj.namespace()?;
    let mut labels = match namespace_object(obj, index) {
        Some(n) => labels_of(n),
        None => Vec::new(),
    };
    if !labels
        .iter()
        .any(|(k, _)| k == "kubernetes.io/metadata.name")
    {
        labels.push(("kubernetes.io/metadata.name".into(), ns.to_string()));
    }
    Some(labels)
}

/// The Namespace object of an object's namespace, when the set declares it.
pub fn namespace_object<'a>(obj: &Object, index: &'a Index) -> Option<&'a Object> {
    let ns = obj.namespace()?;
    let info = index.namespaces.get(ns)?;
    info.declared.first().map(|&id| &*index.objects[id])
}

/// One step of a path into an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Parse a `fieldPath` (`spec.containers[0].image`, `metadata.labels['a.b/c']`).
pub fn parse_field_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut chars = path.trim().chars().peekable();
    let mut key = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                }
            }
            '[' => {
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                }
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                let inner = inner.trim();
                if let Some(quoted) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    steps.push(Step::Key(quoted.to_string()));
                } else {
                    steps.push(Step::Index(inner.parse().ok()?));
                }
            }
            c => key.push(c),
        }
    }
    if !key.is_empty() {
        steps.push(Step::Key(key));
    }
    (!steps.is_empty()).then_some(steps)
}

/// Where a finding about `steps` of `root` sits: the node when it exists (a
/// scalar's value, a collection's key), else the key of the deepest mapping
/// on the way that exists (the mapping that should contain it). `None` when
/// not even the first step exists.
pub fn locate(root: &Node, steps: &[Step]) -> Option<Span> {
    let mut node = root;
    let mut key_span: Option<Span> = None;
    for step in steps {
        let next = match step {
            Step::Key(k) => node.entry(k).map(|e| (Some(e.key.span), &e.value)),
            Step::Index(i) => node.items().get(*i).map(|n| (None, n)),
        };
        match next {
            Some((k, n)) => {
                key_span = k.or(key_span);
                node = n;
            }
            None => return key_span,
        }
    }
    if node.as_scalar().is_some() && !node.is_null() {
        Some(node.span)
    } else {
        key_span.or(Some(node.span))
    }
}

/// An object's `metadata.name` value (or its `metadata:` key).
pub fn name_span(obj: &Object) -> Span {
    obj.name.as_ref().map_or(obj.metadata_key, |n| n.span)
}

/// The `object.a.b.c` chain an expression reads first: where a finding
/// about it sits when nothing better is known.
pub fn object_path_in(compiled: &Compiled) -> Option<Vec<Step>> {
    use cel::common::ast::{Expr, LiteralValue};
    fn chain(e: &cel::IdedExpr) -> Option<Vec<Step>> {
        match &e.expr {
            Expr::Ident(name) if name == "object" => Some(Vec::new()),
            Expr::Select(s) => {
                let mut steps = chain(&s.operand)?;
                steps.push(Step::Key(s.field.clone()));
                Some(steps)
            }
            Expr::Call(c) if c.func_name == "_[_]" || c.func_name == "_[?_]" => {
                let mut steps = chain(c.args.first()?)?;
                match &c.args.get(1)?.expr {
                    Expr::Literal(LiteralValue::String(s)) => {
                        steps.push(Step::Key(s.inner().to_string()))
                    }
                    Expr::Literal(LiteralValue::Int(i)) => {
                        steps.push(Step::Index(usize::try_from(*i.inner()).ok()?))
                    }
                    _ => {}
                }
                Some(steps)
            }
            Expr::Call(c) if c.func_name == "_?._" => {
                let mut steps = chain(c.args.first()?)?;
                if let Expr::Literal(LiteralValue::String(s)) = &c.args.get(1)?.expr {
                    steps.push(Step::Key(s.inner().to_string()));
                }
                Some(steps)
            }
            _ => None,
        }
    }
    let mut found: Option<Vec<Step>> = None;
    expr::walk(compiled.program.expression(), &mut |e| {
        if found.is_none()
            && let Some(steps) = chain(e)
            && !steps.is_empty()
        {
            found = Some(steps);
        }
    });
    found
}

/// The outcome of one expression.
pub enum Outcome {
    Value(cel::Value),
    Error(String),
    /// The expression read a field the object does not have. The API server
    /// would fail such a request, but a manifest in a repository is often
    /// not the whole object (a patch, a template, a field the API server
    /// defaults): tenantlint cannot tell, and reports nothing.
    MissingField,
}

impl Outcome {
    /// `Some(true)` / `Some(false)` for a boolean, `None` for anything else.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Outcome::Value(cel::Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

/// What a policy adds to the object's variables: `params`, `variables`,
/// `tenant`.
#[derive(Default)]
pub struct Scope {
    pub params: Option<cel::Value>,
    pub variables: Vec<(String, cel::Value)>,
    pub tenant: Option<String>,
}

/// One object under evaluation: its CEL context (`object`, `oldObject`,
/// `namespaceObject`, `request`), built the first time a policy matches it.
pub struct Subject<'a> {
    pub id: usize,
    pub obj: &'a Object,
    values: &'a Values<'a>,
    root: std::cell::OnceCell<cel::Context<'a, 'a>>,
}

impl<'a> Subject<'a> {
    pub fn new(id: usize, values: &'a Values<'a>) -> Self {
        Subject {
            id,
            obj: &values.index.objects[id],
            values,
            root: std::cell::OnceCell::new(),
        }
    }

    fn root(&self) -> &cel::Context<'a, 'a> {
        self.root.get_or_init(|| {
            let mut ctx = cel::Context::with_env(expr::env().clone());
            // A tree in memory is read lazily where CEL looks; one read
            // again from its file (a big set) is converted whole.
            let mut add = |name: &str, obj: &'a Object| match obj.root() {
                RootRef::Resident(node) => ctx.add_variable_as_val(name, expr::to_val(node)),
                RootRef::Parsed(node) => ctx.add_variable_from_value(name, expr::to_value(&node)),
            };
            add("object", self.obj);
            match namespace_object(self.obj, self.values.index) {
                Some(ns) => add("namespaceObject", ns),
                None => ctx.add_variable_from_value("namespaceObject", cel::Value::Null),
            }
            ctx.add_variable_from_value("oldObject", cel::Value::Null);
            ctx.add_variable_from_value("request", request(self.obj, &self.values.crds));
            ctx
        })
    }

    /// Evaluate `compiled` for this object with what `scope` adds.
    pub fn evaluate(&self, compiled: &Compiled, scope: &Scope) -> Outcome {
        let mut ctx = self.root().new_inner_scope();
        ctx.add_variable_from_value("params", scope.params.clone().unwrap_or(cel::Value::Null));
        ctx.add_variable_from_value(
            "tenant",
            scope
                .tenant
                .clone()
                .map_or(cel::Value::Null, |t| cel::Value::String(Arc::new(t))),
        );
        let vars: std::collections::HashMap<cel::objects::Key, cel::Value> = scope
            .variables
            .iter()
            .map(|(k, v)| (cel::objects::Key::String(Arc::new(k.clone())), v.clone()))
            .collect();
        ctx.add_variable_from_value(
            "variables",
            cel::Value::Map(cel::objects::Map {
                map: Arc::new(vars),
            }),
        );
        match compiled.program.execute(&ctx) {
            Ok(v) => Outcome::Value(v),
            Err(cel::ExecutionError::NoSuchKey(_)) => Outcome::MissingField,
            Err(e) => Outcome::Error(e.to_string()),
        }
    }

    /// Evaluate named variables in order (each sees the ones before it);
    /// one that fails is left out, so an expression that reads it fails.
    pub fn variables(&self, variables: &[(String, Compiled)], scope: &mut Scope) {
        for (name, compiled) in variables {
            if let Outcome::Value(v) = self.evaluate(compiled, scope) {
                // An oversized value is replaced by null, so that the
                // expressions that read it fail instead of growing it more.
                let v = if expr::oversized(&v) {
                    cel::Value::Null
                } else {
                    v
                };
                scope.variables.push((name.clone(), v));
            }
        }
    }
}

/// `request` as far as it is known offline: the objects are being created.
fn request(obj: &Object, crds: &resources::Crds) -> cel::Value {
    let r = resources::resource_of(obj, crds);
    let s = |v: &str| cel::Value::String(Arc::new(v.to_string()));
    let map = |entries: Vec<(&str, cel::Value)>| {
        cel::Value::Map(cel::objects::Map {
            map: Arc::new(
                entries
                    .into_iter()
                    .map(|(k, v)| (cel::objects::Key::String(Arc::new(k.to_string())), v))
                    .collect(),
            ),
        })
    };
    map(vec![
        (
            "kind",
            map(vec![
                ("group", s(&r.group)),
                ("version", s(&r.version)),
                ("kind", s(&obj.kind)),
            ]),
        ),
        (
            "resource",
            map(vec![
                ("group", s(&r.group)),
                ("version", s(&r.version)),
                ("resource", s(&r.plural)),
            ]),
        ),
        ("name", s(obj.name())),
        ("namespace", s(obj.namespace().unwrap_or(""))),
        ("operation", s("CREATE")),
        ("dryRun", cel::Value::Bool(false)),
    ])
}

/// The CEL value of each object that is a parameter (`paramRef`), made the
/// first time a policy needs it.
pub struct Values<'a> {
    index: &'a Index,
    /// The plurals of the set's CRDs (for `request.resource` and resource rules).
    pub crds: resources::Crds,
    cache: Vec<OnceLock<cel::Value>>,
}

impl<'a> Values<'a> {
    pub fn new(index: &'a Index) -> Self {
        Values {
            index,
            crds: resources::Crds::of(index),
            cache: (0..index.objects.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    pub fn of(&self, id: usize) -> &cel::Value {
        self.cache[id].get_or_init(|| expr::to_value(&self.index.objects[id].root()))
    }
}

/// A finding of a user policy: its own id, name and severity.
pub fn user_finding(
    id: &str,
    name: &str,
    severity: Severity,
    obj: &Object,
    span: Span,
    message: String,
) -> Diagnostic {
    Diagnostic {
        rule_id: Cow::Owned(id.to_string()),
        rule_name: Cow::Owned(name.to_string()),
        severity,
        message,
        help: format!(
            "make the object satisfy policy `{name}`, or suppress the finding with a reason"
        ),
        file: obj.file,
        span,
        object: Some(crate::diagnostic::ObjectRef::of(obj)),
        related: Vec::new(),
        suppressed_by: None,
        locator: None,
        source: None,
    }
}

/// Every policy finding of the set: POL001, POL002 and those of user
/// policies. Objects are evaluated in parallel; the engine sorts the result.
/// `wanted(id, name)` says whether a user policy's findings are reported
/// (deselected policies are validated but not evaluated); `admission`
/// whether POL001 is.
pub fn check(
    ctx: &Context,
    wanted: &(dyn Fn(&str, &str) -> bool + Sync),
    admission: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut users = user::collect(ctx, &mut out);
    users.retain(|p| wanted(&p.id, &p.name));
    let mut admission_policies = admission::collect(ctx, &Reach::new(ctx), &mut out);
    if !admission {
        admission_policies.clear();
    }
    let admission = admission_policies;
    if users.is_empty() && admission.is_empty() {
        return out;
    }
    let values = Values::new(ctx.index);
    let reach = Reach::new(ctx);
    let found: Vec<Diagnostic> = (0..ctx.index.objects.len())
        .into_par_iter()
        .flat_map_iter(|id| {
            let mut found = Vec::new();
            let subject = Subject::new(id, &values);
            if subject.obj.group == GROUP {
                return found;
            }
            for policy in &users {
                policy.check(ctx, &subject, &mut found);
            }
            for policy in &admission {
                if reach.applies(ctx, policy.file, subject.obj) {
                    policy.check(ctx, &values, &subject, &mut found);
                }
            }
            found
        })
        .collect();
    out.extend(found);
    out
}

/// An expression as a message quotes it: on one line, and cut after 100
/// characters.
pub fn quoted(source: &str) -> String {
    let one_line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// Which objects a policy written in `policy_file` applies to: those of its
/// bundle (SPEC §4, Bundles): the files of its repository, except that a
/// file under a directory of cases (`examples`, `testdata`, …) is its own
/// deployment, so a policy there applies only to its own file, and an
/// object there only meets the policies of its file.
pub struct Reach;

impl Reach {
    pub fn new(_ctx: &Context) -> Self {
        Reach
    }

    pub fn applies(&self, ctx: &Context, policy_file: FileId, obj: &Object) -> bool {
        policy_file == obj.file || ctx.index.bundle(policy_file) == ctx.index.bundle(obj.file)
    }
}

/// Whether a finding's rule id belongs to POL001/POL002 or a user policy
/// rather than to another built-in rule.
pub fn is_builtin_policy_rule(id: &str) -> bool {
    id == pol001::RULE.meta.id || id == pol002::RULE.meta.id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths() {
        assert_eq!(
            parse_field_path("spec.containers[0].image"),
            Some(vec![
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Index(0),
                Step::Key("image".into())
            ])
        );
        assert_eq!(
            parse_field_path("metadata.labels['team.io/name']"),
            Some(vec![
                Step::Key("metadata".into()),
                Step::Key("labels".into()),
                Step::Key("team.io/name".into())
            ])
        );
        assert_eq!(parse_field_path("spec.x[a]"), None);
        assert_eq!(parse_field_path(""), None);
    }

    #[test]
    fn selectors() {
        let file = crate::source::SourceFile::new(
            0,
            "t.yaml".into(),
            "t.yaml".into(),
            crate::source::FileKind::Yaml,
            "matchLabels: {env: test}\nmatchExpressions:\n- {key: tier, operator: NotIn, values: [gpu]}\n".into(),
        );
        let doc = crate::load::parse_yaml(&file).docs.remove(0).root;
        let s = LabelSelector::parse(&doc);
        let l = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(s.matches(&l(&[("env", "test")])));
        assert!(!s.matches(&l(&[("env", "test"), ("tier", "gpu")])));
        assert!(!s.matches(&l(&[("env", "prod")])));
        assert!(LabelSelector::default().matches(&[]));
    }
}
