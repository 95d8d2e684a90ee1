//! User policies: `tenantlint.io/v1` `Policy` objects, validated with exact
//! errors (POL002) and evaluated against the objects they match.

use crate::config::{Globs, did_you_mean};
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{Node, Value};
use crate::model::Object;
use crate::rules::Context;
use crate::rules::policy::pol002_invalid_policy as pol002;

use super::expr::Expect;
use super::{Compiled, LabelSelector, Outcome, Scope, Step, Subject, compile_node};

pub const KIND: &str = "Policy";

/// A policy ready to run.
pub struct UserPolicy {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    api_groups: Vec<String>,
    kinds: Vec<String>,
    namespaces: Option<Globs>,
    selector: Option<LabelSelector>,
    variables: Vec<(String, Compiled)>,
    validations: Vec<Validation>,
}

struct Validation {
    expression: Compiled,
    message: Option<String>,
    message_expression: Option<Compiled>,
    field_path: Option<Vec<Step>>,
}

/// Whether `obj` is a user policy.
pub fn is_policy(obj: &Object) -> bool {
    obj.group == super::GROUP && obj.kind.as_str() == KIND
}

/// `[A-Z]+[0-9]{3}`.
pub fn valid_id(id: &str) -> bool {
    let letters = id.chars().take_while(|c| c.is_ascii_uppercase()).count();
    letters > 0 && id.len() == letters + 3 && id[letters..].chars().all(|c| c.is_ascii_digit())
}

fn kebab(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

struct Checker<'a, 'c> {
    ctx: &'a Context<'c>,
    obj: &'a Object,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_, '_> {
    fn error(&mut self, span: crate::source::Span, message: String, help: &str) {
        self.out
            .push(Diagnostic::on(&pol002::RULE.meta, self.obj, span, message).help(help));
    }

    /// Report keys of `node` outside `allowed`, with a "did you mean".
    fn keys(&mut self, node: &Node, what: &str, allowed: &[&str]) {
        for e in node.entries() {
            let key = e.key.as_scalar().unwrap_or_default();
            if allowed.contains(&key) {
                continue;
            }
            let hint = match did_you_mean(key, allowed.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("the keys of `{what}` are: {}", allowed.join(", ")),
            };
            self.error(
                e.key.span,
                format!("unknown key `{key}` in `{what}`"),
                &hint,
            );
        }
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Node> {
        if node.is_map() {
            Some(node)
        } else {
            self.error(
                node.span,
                format!("`{what}` must be a mapping"),
                "write it as a YAML mapping",
            );
            None
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) if i.as_scalar().is_some() => Some(s.to_string()),
                    _ => {
                        self.error(
                            i.span,
                            format!("`{what}` must be a list of strings"),
                            "write each item as a string",
                        );
                        None
                    }
                })
                .collect(),
            Value::Scalar(..) if !node.is_null() => {
                vec![node.as_scalar().unwrap_or_default().into()]
            }
            _ => {
                self.error(
                    node.span,
                    format!("`{what}` must be a list of strings"),
                    "write it as a YAML list",
                );
                Vec::new()
            }
        }
    }

    fn compile(&mut self, node: &Node, expect: Expect, what: &str) -> Option<Compiled> {
        compile_node(self.ctx, self.obj, node, expect, what, self.out)
    }
}

/// Validate one Policy object; `None` (with POL002 findings) when invalid.
fn parse(ctx: &Context, obj: &Object, out: &mut Vec<Diagnostic>) -> Option<UserPolicy> {
    let before = out.len();
    let mut c = Checker { ctx, obj, out };
    c.keys(
        &obj.root(),
        "Policy",
        &["apiVersion", "kind", "metadata", "spec"],
    );
    let name = obj.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
    match &obj.name {
        None => c.error(
            obj.metadata_key,
            "a policy needs a `metadata.name`".into(),
            "name the policy in kebab-case, e.g. `job-cost-center`",
        ),
        Some(n) if !kebab(n) => c.error(
            n.span,
            format!("policy name `{}` is not kebab-case", **n),
            "use lowercase letters, digits and `-`, e.g. `job-cost-center`",
        ),
        Some(n) if crate::rules::all().any(|r| r.meta.name == n.as_str()) => c.error(
            n.span,
            format!("policy name `{}` is the name of a built-in rule", **n),
            "choose another name",
        ),
        _ => {}
    }
    let obj_root = obj.root();
    let Some(spec) = obj_root.get("spec") else {
        c.error(
            obj.kind.span,
            "a policy needs a `spec` with `id`, `severity` and `validations`".into(),
            "add the `spec` mapping",
        );
        return None;
    };
    let spec = c.map(spec, "spec")?;
    c.keys(
        spec,
        "spec",
        &["id", "severity", "match", "variables", "validations"],
    );
    let id = match spec.get("id") {
        None => {
            c.error(
                obj.kind.span,
                "a policy needs a `spec.id`".into(),
                "give the policy an id like `ACME001`",
            );
            String::new()
        }
        Some(n) => {
            let id = n.as_str().unwrap_or_default().to_string();
            if !valid_id(&id) {
                c.error(
                    n.span,
                    format!("policy id `{id}` is not uppercase letters followed by three digits"),
                    "use an id like `ACME001`",
                );
            } else if crate::rules::find(&id).is_some() {
                c.error(
                    n.span,
                    format!("policy id `{id}` is the id of a built-in rule"),
                    "choose an id with your own prefix, like `ACME001`",
                );
            }
            id
        }
    };
    let severity = match spec.get("severity") {
        None => Severity::Error,
        Some(n) => match n.as_str().and_then(Severity::parse) {
            Some(s) => s,
            None => {
                let s = n.as_str().unwrap_or_default();
                let hint = match did_you_mean(s, ["error", "warning", "info"]) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "use `error`, `warning` or `info`".into(),
                };
                c.error(n.span, format!("`{s}` is not a severity"), &hint);
                Severity::Error
            }
        },
    };
    let mut policy = UserPolicy {
        id,
        name,
        severity,
        api_groups: Vec::new(),
        kinds: Vec::new(),
        namespaces: None,
        selector: None,
        variables: Vec::new(),
        validations: Vec::new(),
    };
    if let Some(m) = spec.get("match").and_then(|m| c.map(m, "match")) {
        c.keys(
            m,
            "match",
            &["apiGroups", "kinds", "namespaces", "labelSelector"],
        );
        if let Some(n) = m.get("apiGroups") {
            policy.api_groups = c.strings(n, "match.apiGroups");
        }
        if let Some(n) = m.get("kinds") {
            policy.kinds = c.strings(n, "match.kinds");
        }
        if let Some(n) = m.get("namespaces") {
            let globs = c.strings(n, "match.namespaces");
            match Globs::new(globs) {
                Ok(g) => policy.namespaces = Some(g),
                Err(e) => c.error(n.span, format!("invalid glob: {e}"), "fix the glob"),
            }
        }
        if let Some(n) = m
            .get("labelSelector")
            .and_then(|n| c.map(n, "match.labelSelector"))
        {
            c.keys(
                n,
                "match.labelSelector",
                &["matchLabels", "matchExpressions"],
            );
            policy.selector = Some(LabelSelector::parse(n));
        }
    }
    if let Some(vars) = spec.get("variables") {
        for v in vars.items() {
            let Some(v) = c.map(v, "variables[]") else {
                continue;
            };
            c.keys(v, "variables[]", &["name", "expression"]);
            let (Some(name), Some(e)) = (v.get_str("name"), v.get("expression")) else {
                c.error(
                    v.span,
                    "a variable needs a `name` and an `expression`".into(),
                    "add both keys",
                );
                continue;
            };
            if let Some(compiled) = c.compile(e, Expect::Any, &format!("variable `{name}`")) {
                policy.variables.push((name.to_string(), compiled));
            }
        }
    }
    match spec.get("validations") {
        Some(v) if !v.items().is_empty() => {
            for item in v.items() {
                let Some(item) = c.map(item, "validations[]") else {
                    continue;
                };
                c.keys(
                    item,
                    "validations[]",
                    &[
                        "expression",
                        "message",
                        "messageExpression",
                        "fieldPath",
                        "reason",
                    ],
                );
                let Some(e) = item.get("expression") else {
                    c.error(
                        item.span,
                        "a validation needs an `expression`".into(),
                        "add the CEL expression that must hold",
                    );
                    continue;
                };
                let expression = c.compile(e, Expect::Bool, "`expression`");
                let message = item.get_str("message").map(str::to_string);
                let message_expression = item
                    .get("messageExpression")
                    .and_then(|n| c.compile(n, Expect::String, "`messageExpression`"));
                if message.is_none() && item.get("messageExpression").is_none() {
                    c.error(
                        e.span,
                        "a validation needs a `message` or a `messageExpression`".into(),
                        "say what is wrong, e.g. `training jobs must carry a cost-center label`",
                    );
                }
                let field_path = match item.get("fieldPath") {
                    None => None,
                    Some(n) => {
                        let steps = n.as_str().and_then(super::parse_field_path);
                        if steps.is_none() {
                            c.error(
                                n.span,
                                format!(
                                    "`{}` is not a field path",
                                    n.as_scalar().unwrap_or_default()
                                ),
                                "write a path like `spec.template.spec.serviceAccountName` or `metadata.labels['team']`",
                            );
                        }
                        steps
                    }
                };
                if let Some(expression) = expression {
                    policy.validations.push(Validation {
                        expression,
                        message,
                        message_expression,
                        field_path,
                    });
                }
            }
        }
        _ => c.error(
            spec.entry("validations")
                .map_or(obj.kind.span, |e| e.key.span),
            "a policy needs at least one validation".into(),
            "add `validations:` with an `expression` and a `message`",
        ),
    }
    (out.len() == before).then_some(policy)
}

/// Every valid user policy of the set; POL002 for the others (and for a
/// second policy with an id already taken).
pub fn collect(ctx: &Context, out: &mut Vec<Diagnostic>) -> Vec<UserPolicy> {
    // Policies are the ones the config's `policies:` names (SPEC §4.10); a
    // `Policy` document elsewhere in the linted set is not one.
    let configured: Vec<std::path::PathBuf> = ctx
        .config
        .policy_files
        .iter()
        .map(|p| crate::config::absolute(p))
        .collect();
    let is_configured =
        |o: &Object| configured.contains(&crate::config::absolute(&ctx.file(o.file).path));
    let mut policies: Vec<(UserPolicy, &Object)> = Vec::new();
    for obj in ctx
        .index
        .objects
        .iter()
        .filter(|o| is_policy(o) && is_configured(o))
    {
        let Some(p) = parse(ctx, obj, out) else {
            continue;
        };
        if let Some((_, first)) = policies
            .iter()
            .find(|(q, _)| q.id == p.id || q.name == p.name)
        {
            let (what, value) = if first.name() == p.name {
                ("name", p.name.clone())
            } else {
                ("id", p.id.clone())
            };
            let span = match what {
                "name" => super::name_span(obj),
                _ => obj
                    .root()
                    .path(&["spec", "id"])
                    .map_or(obj.kind.span, |n| n.span),
            };
            out.push(
                Diagnostic::on(
                    &pol002::RULE.meta,
                    obj,
                    span,
                    format!("policy {what} `{value}` is already used by another policy"),
                )
                .help("give each policy its own id and name")
                .related(first.file, super::name_span(first), "the other policy"),
            );
            continue;
        }
        policies.push((p, obj));
    }
    policies.into_iter().map(|(p, _)| p).collect()
}

impl UserPolicy {
    fn matches(&self, obj: &Object) -> bool {
        if !self.kinds.is_empty() && !self.kinds.iter().any(|k| k == "*" || *k == *obj.kind) {
            return false;
        }
        if !self.api_groups.is_empty()
            && !self.api_groups.iter().any(|g| g == "*" || *g == obj.group)
        {
            return false;
        }
        if let Some(globs) = &self.namespaces {
            match obj.namespace() {
                Some(ns) if globs.is_match(ns) => {}
                _ => return false,
            }
        }
        if let Some(s) = &self.selector
            && !s.matches(&super::labels_of(obj))
        {
            return false;
        }
        true
    }

    pub fn check(&self, ctx: &Context, subject: &Subject, out: &mut Vec<Diagnostic>) {
        let obj = subject.obj;
        if !self.matches(obj) {
            return;
        }
        let mut scope = Scope {
            tenant: obj
                .namespace()
                .and_then(|ns| ctx.index.tenancy.tenant_of(ns))
                .map(str::to_string),
            ..Scope::default()
        };
        subject.variables(&self.variables, &mut scope);
        for v in &self.validations {
            let outcome = subject.evaluate(&v.expression, &scope);
            let message = match (&outcome, outcome.as_bool()) {
                (_, Some(true)) | (Outcome::MissingField, _) => continue,
                (_, Some(false)) => v
                    .message_expression
                    .as_ref()
                    .and_then(|m| match subject.evaluate(m, &scope) {
                        Outcome::Value(cel::Value::String(s)) if !s.trim().is_empty() => {
                            Some(s.to_string())
                        }
                        _ => None,
                    })
                    .or_else(|| v.message.clone())
                    .unwrap_or_else(|| {
                        format!("`{}` does not hold", super::quoted(&v.expression.source))
                    }),
                (Outcome::Error(e), None) => format!(
                    "`{}` could not be evaluated for this object: {e}",
                    super::quoted(&v.expression.source)
                ),
                (Outcome::Value(value), None) => format!(
                    "`{}` evaluated to `{value:?}`, not a boolean",
                    super::quoted(&v.expression.source)
                ),
            };
            let span = v
                .field_path
                .as_deref()
                .and_then(|steps| super::locate(&obj.root(), steps))
                .unwrap_or_else(|| super::name_span(obj));
            out.push(
                super::user_finding(&self.id, &self.name, self.severity, obj, span, message)
                    .related(
                        v.expression.file,
                        v.expression.span,
                        format!("policy `{}` requires this", self.name),
                    ),
            );
        }
    }
}
