//! ValidatingAdmissionPolicies and their bindings
//! (`admissionregistration.k8s.io/v1`) from the linted set, evaluated
//! offline: the objects of the set are being created (`CREATE`, no
//! `oldObject`), and `paramRef` is resolved to objects of the set.

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Node;
use crate::model::Object;
use crate::rules::Context;
use crate::rules::policy::{
    pol001_admission_policy_violation as pol001, pol002_invalid_policy as pol002,
};

use super::expr::Expect;
use super::resources::{self, Resource};
use super::{Compiled, LabelSelector, Outcome, Scope, Subject, Values, compile_node};

pub const GROUP: &str = "admissionregistration.k8s.io";

/// One `resourceRules` entry.
#[derive(Debug, Default)]
struct ResourceRule {
    api_groups: Vec<String>,
    api_versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    resource_names: Vec<String>,
    scope: String,
}

impl ResourceRule {
    fn parse(node: &Node) -> ResourceRule {
        let list = |k: &str| -> Vec<String> {
            node.get(k)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_scalar().map(str::to_string))
                .collect()
        };
        ResourceRule {
            api_groups: list("apiGroups"),
            api_versions: list("apiVersions"),
            resources: list("resources"),
            operations: list("operations"),
            resource_names: list("resourceNames"),
            scope: node.get_str("scope").unwrap_or("*").to_string(),
        }
    }

    fn matches(&self, obj: &Object, r: &Resource, equivalent: bool) -> bool {
        let any = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
        let groups: Vec<&str> = if equivalent {
            let eq = resources::equivalent_groups(&r.group, &r.plural);
            if eq.is_empty() {
                vec![r.group.as_str()]
            } else {
                eq.to_vec()
            }
        } else {
            vec![r.group.as_str()]
        };
        if !groups.iter().any(|g| any(&self.api_groups, g)) {
            return false;
        }
        // With `Equivalent`, a rule for another version of the same
        // resource matches too (the API server converts).
        if !equivalent && !any(&self.api_versions, &r.version) {
            return false;
        }
        // `pods` and `*` match the objects themselves; `*/*` matches
        // everything; `pods/status` or `pods/*` only subresources, which
        // manifests never are.
        if !self
            .resources
            .iter()
            .any(|x| x == "*" || x == "*/*" || *x == r.plural)
        {
            return false;
        }
        if !self.operations.iter().any(|o| o == "*" || o == "CREATE") {
            return false;
        }
        if !self.resource_names.is_empty() && !self.resource_names.iter().any(|n| n == obj.name()) {
            return false;
        }
        match self.scope.as_str() {
            "Namespaced" => obj.namespace().is_some(),
            "Cluster" => obj.scope == crate::model::Scope::Cluster,
            _ => true,
        }
    }
}

/// `matchConstraints` of a policy, `matchResources` of a binding.
#[derive(Debug, Default)]
struct MatchResources {
    rules: Vec<ResourceRule>,
    exclude: Vec<ResourceRule>,
    namespace_selector: LabelSelector,
    object_selector: LabelSelector,
    /// `matchPolicy: Equivalent` (the default) rather than `Exact`.
    equivalent: bool,
}

impl MatchResources {
    fn parse(node: Option<&Node>) -> Option<MatchResources> {
        let node = node?;
        let rules = |k: &str| -> Vec<ResourceRule> {
            node.get(k)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(ResourceRule::parse)
                .collect()
        };
        Some(MatchResources {
            rules: rules("resourceRules"),
            exclude: rules("excludeResourceRules"),
            namespace_selector: node
                .get("namespaceSelector")
                .map(LabelSelector::parse)
                .unwrap_or_default(),
            object_selector: node
                .get("objectSelector")
                .map(LabelSelector::parse)
                .unwrap_or_default(),
            equivalent: node.get_str("matchPolicy") != Some("Exact"),
        })
    }

    /// `need_rules`: a policy's constraints must list resource rules; a
    /// binding's may leave them out (then the policy's decide).
    fn matches(&self, ctx: &Context, obj: &Object, r: &Resource, need_rules: bool) -> bool {
        if (need_rules || !self.rules.is_empty())
            && !self
                .rules
                .iter()
                .any(|x| x.matches(obj, r, self.equivalent))
        {
            return false;
        }
        if self
            .exclude
            .iter()
            .any(|x| x.matches(obj, r, self.equivalent))
        {
            return false;
        }
        if !self.namespace_selector.is_empty() {
            let labels = if obj.is_kind("", "Namespace") {
                Some(super::labels_of(obj))
            } else if obj.scope == crate::model::Scope::Cluster {
                // Other cluster-scoped objects never skip the policy.
                None
            } else {
                match super::namespace_labels(obj, ctx.index) {
                    Some(l) => Some(l),
                    // An unknown namespace matches no selector.
                    None => return false,
                }
            };
            if let Some(labels) = labels
                && !self.namespace_selector.matches(&labels)
            {
                return false;
            }
        }
        self.object_selector.is_empty() || self.object_selector.matches(&super::labels_of(obj))
    }
}

struct Validation {
    expression: Compiled,
    message: Option<String>,
    message_expression: Option<Compiled>,
}

/// A policy with its bindings.
pub struct AdmissionPolicy<'a> {
    /// The file it is written in.
    pub file: crate::source::FileId,
    name: String,
    constraints: MatchResources,
    conditions: Vec<(String, Compiled)>,
    variables: Vec<(String, Compiled)>,
    validations: Vec<Validation>,
    /// `failurePolicy: Ignore`: errors let the object through.
    ignore_failures: bool,
    /// `paramKind` (group, kind).
    param_kind: Option<(String, String)>,
    bindings: Vec<Binding<'a>>,
}

struct Binding<'a> {
    obj: &'a Object,
    matches: Option<MatchResources>,
    param_ref: Option<ParamRef>,
    severity: Option<Severity>,
}

struct ParamRef {
    name: Option<String>,
    namespace: Option<String>,
    selector: Option<LabelSelector>,
    deny_when_missing: bool,
}

fn is(obj: &Object, kind: &str) -> bool {
    obj.group == GROUP && obj.kind.as_str() == kind
}

fn compile_list(
    ctx: &Context,
    obj: &Object,
    node: Option<&Node>,
    expect: Expect,
    what: &str,
    invalid: &mut Vec<Diagnostic>,
) -> Option<Vec<(String, Compiled)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for item in node.map(Node::items).unwrap_or_default() {
        let name = item.get_str("name").unwrap_or_default().to_string();
        let Some(e) = item.get("expression") else {
            continue;
        };
        match compile_node(ctx, obj, e, expect, &format!("{what} `{name}`"), invalid) {
            Some(c) => out.push((name, c)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Every policy of the set that a binding of the set enforces; POL002 for
/// expressions that cannot be used.
pub fn collect<'a>(
    ctx: &Context<'a>,
    reach: &super::Reach,
    out: &mut Vec<Diagnostic>,
) -> Vec<AdmissionPolicy<'a>> {
    let index = ctx.index;
    let mut policies = Vec::new();
    for p in index
        .objects
        .iter()
        .filter(|o| is(o, "ValidatingAdmissionPolicy"))
    {
        let p_root = p.root();
        let Some(spec) = p_root.get("spec") else {
            continue;
        };
        let name = p.name().to_string();
        let bindings: Vec<&Object> = index
            .objects
            .iter()
            .map(|b| &**b)
            .filter(|b| {
                is(b, "ValidatingAdmissionPolicyBinding")
                    && reach.applies(ctx, p.file, b)
                    && b.root()
                        .path(&["spec", "policyName"])
                        .and_then(Node::as_str)
                        == Some(name.as_str())
            })
            .collect();
        let before = out.len();
        let conditions = compile_list(
            ctx,
            p,
            spec.get("matchConditions"),
            Expect::Bool,
            "match condition",
            out,
        );
        let variables = compile_list(ctx, p, spec.get("variables"), Expect::Any, "variable", out);
        let mut validations = Vec::new();
        for v in spec.get("validations").map(Node::items).unwrap_or_default() {
            let Some(e) = v.get("expression") else {
                continue;
            };
            let expression = compile_node(ctx, p, e, Expect::Bool, "`expression`", out);
            let message_expression = v
                .get("messageExpression")
                .and_then(|m| compile_node(ctx, p, m, Expect::String, "`messageExpression`", out));
            if let Some(expression) = expression {
                validations.push(Validation {
                    expression,
                    message: v.get_str("message").map(str::to_string),
                    message_expression,
                });
            }
        }
        let param_kind = spec.get("paramKind").map(|k| {
            let api_version = k.get_str("apiVersion").unwrap_or_default();
            (
                crate::model::k8s::group_of(api_version).to_string(),
                k.get_str("kind").unwrap_or_default().to_string(),
            )
        });
        let mut parsed_bindings = Vec::new();
        for b in bindings {
            let b_root = b.root();
            let bspec = b_root.get("spec");
            let actions: Vec<&str> = bspec
                .and_then(|s| s.get("validationActions"))
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let severity = actions
                .iter()
                .filter_map(|a| match *a {
                    "Deny" => Some(Severity::Error),
                    "Warn" => Some(Severity::Warning),
                    "Audit" => Some(Severity::Info),
                    _ => None,
                })
                .max();
            let param_ref = bspec.and_then(|s| s.get("paramRef")).map(|r| ParamRef {
                name: r.get_str("name").map(str::to_string),
                namespace: r.get_str("namespace").map(str::to_string),
                selector: r.get("selector").map(LabelSelector::parse),
                deny_when_missing: r.get_str("parameterNotFoundAction") == Some("Deny"),
            });
            if param_kind.is_some() && param_ref.is_none() {
                out.push(
                    Diagnostic::on(
                        &pol002::RULE.meta,
                        b,
                        super::name_span(b),
                        format!(
                            "binding `{}` has no `paramRef`, but policy `{name}` needs parameters (`paramKind`)",
                            b.name()
                        ),
                    )
                    .help("add `spec.paramRef` naming the parameter object")
                    .related(p.file, super::name_span(p), "the policy"),
                );
                continue;
            }
            parsed_bindings.push(Binding {
                obj: b,
                matches: MatchResources::parse(bspec.and_then(|s| s.get("matchResources"))),
                param_ref,
                severity,
            });
        }
        if out.len() != before || parsed_bindings.is_empty() {
            continue;
        }
        let (Some(conditions), Some(variables)) = (conditions, variables) else {
            continue;
        };
        policies.push(AdmissionPolicy {
            file: p.file,
            name,
            constraints: MatchResources::parse(spec.get("matchConstraints")).unwrap_or_default(),
            conditions,
            variables,
            validations,
            ignore_failures: spec.get_str("failurePolicy") == Some("Ignore"),
            param_kind,
            bindings: parsed_bindings,
        });
    }
    policies
}

impl AdmissionPolicy<'_> {
    /// The parameter objects a binding selects for `obj` (`None` when the
    /// policy takes no parameters).
    fn params<'v>(
        &self,
        ctx: &Context,
        values: &'v Values,
        binding: &Binding,
        obj: &Object,
    ) -> Option<Vec<&'v cel::Value>> {
        let (group, kind) = self.param_kind.as_ref()?;
        let r = binding.param_ref.as_ref()?;
        let namespace = r.namespace.as_deref().or_else(|| obj.namespace());
        let found = ctx
            .index
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.group == *group && *o.kind == *kind)
            .filter(|(_, o)| match (o.namespace(), namespace) {
                // A namespaced parameter lives in the paramRef's namespace,
                // else in the namespace of the object under evaluation.
                (Some(ons), Some(ns)) => ons == ns,
                (Some(_), None) => false,
                (None, _) => true,
            })
            .filter(|(_, o)| match (&r.name, &r.selector) {
                (Some(name), _) => o.name() == name,
                (None, Some(sel)) => sel.matches(&super::labels_of(o)),
                (None, None) => false,
            })
            .map(|(id, _)| values.of(id))
            .collect();
        Some(found)
    }

    pub fn check(
        &self,
        ctx: &Context,
        values: &Values,
        subject: &Subject,
        out: &mut Vec<Diagnostic>,
    ) {
        let obj = subject.obj;
        if obj.group == GROUP {
            return;
        }
        let r = resources::resource_of(obj, &values.crds);
        if !self.constraints.matches(ctx, obj, &r, true) {
            return;
        }
        for binding in &self.bindings {
            let Some(severity) = binding.severity else {
                continue;
            };
            if let Some(m) = &binding.matches
                && !m.matches(ctx, obj, &r, false)
            {
                continue;
            }
            let params: Vec<Option<cel::Value>> = match self.params(ctx, values, binding, obj) {
                None => vec![None],
                Some(found) if found.is_empty() => {
                    if binding
                        .param_ref
                        .as_ref()
                        .is_some_and(|p| p.deny_when_missing)
                    {
                        out.push(self.finding(
                            binding,
                            severity,
                            obj,
                            super::name_span(obj),
                            "no parameter object of the set matches the binding's `paramRef`, and its `parameterNotFoundAction` is `Deny`".into(),
                            None,
                        ));
                    }
                    continue;
                }
                Some(found) => found.into_iter().map(|v| Some(v.clone())).collect(),
            };
            for p in params {
                let mut scope = Scope {
                    params: p,
                    ..Scope::default()
                };
                subject.variables(&self.variables, &mut scope);
                self.validate(subject, binding, severity, &scope, out);
            }
        }
    }

    fn validate(
        &self,
        subject: &Subject,
        binding: &Binding,
        severity: Severity,
        scope: &Scope,
        out: &mut Vec<Diagnostic>,
    ) {
        let obj = subject.obj;
        for (name, condition) in &self.conditions {
            let outcome = subject.evaluate(condition, scope);
            match outcome.as_bool() {
                Some(true) => {}
                Some(false) => return,
                None if matches!(outcome, Outcome::MissingField) => return,
                None if self.ignore_failures => return,
                None => {
                    out.push(self.finding(
                        binding,
                        severity,
                        obj,
                        super::name_span(obj),
                        format!("match condition `{name}` could not be evaluated"),
                        Some(condition),
                    ));
                    return;
                }
            }
        }
        for v in &self.validations {
            let outcome = subject.evaluate(&v.expression, scope);
            let reason = match (&outcome, outcome.as_bool()) {
                (_, Some(true)) | (Outcome::MissingField, _) => continue,
                (_, Some(false)) => v
                    .message_expression
                    .as_ref()
                    .and_then(|m| match subject.evaluate(m, scope) {
                        Outcome::Value(cel::Value::String(s)) if !s.trim().is_empty() => {
                            Some(s.to_string())
                        }
                        _ => None,
                    })
                    .or_else(|| v.message.clone())
                    .unwrap_or_else(|| {
                        format!(
                            "failed expression `{}`",
                            super::quoted(&v.expression.source)
                        )
                    }),
                _ if self.ignore_failures => continue,
                (Outcome::Error(e), None) => {
                    format!(
                        "expression `{}` could not be evaluated: {e}",
                        super::quoted(&v.expression.source)
                    )
                }
                (Outcome::Value(_), None) => format!(
                    "expression `{}` did not evaluate to a boolean",
                    super::quoted(&v.expression.source)
                ),
            };
            let span = super::object_path_in(&v.expression)
                .and_then(|steps| super::locate(&obj.root(), &steps))
                .unwrap_or_else(|| super::name_span(obj));
            out.push(self.finding(binding, severity, obj, span, reason, Some(&v.expression)));
        }
    }

    fn finding(
        &self,
        binding: &Binding,
        severity: Severity,
        obj: &Object,
        span: crate::source::Span,
        reason: String,
        expression: Option<&Compiled>,
    ) -> Diagnostic {
        let verb = match severity {
            Severity::Error => "denies",
            Severity::Warning => "warns about",
            Severity::Info => "audits",
        };
        let mut d = Diagnostic::on(
            &pol001::RULE.meta,
            obj,
            span,
            format!(
                "admission policy `{}` (binding `{}`) {verb} this {}: {reason}",
                self.name,
                binding.obj.name(),
                *obj.kind
            ),
        )
        .help("change the object so that the policy admits it, or change the policy's binding");
        d.severity = severity;
        if let Some(e) = expression {
            d = d.related(e.file, e.span, "the expression that fails");
        }
        d.related(
            binding.obj.file,
            super::name_span(binding.obj),
            "the binding that enforces it",
        )
    }
}
