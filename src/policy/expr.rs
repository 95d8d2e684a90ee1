//! CEL for policies: one shared environment, compilation with the checks
//! that the `cel` crate leaves to a type checker (unsupported functions,
//! obvious type errors), the YAML tree as CEL values, and positions inside an
//! expression mapped back onto its YAML scalar.

use std::sync::{Arc, OnceLock};

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::Val;
use cel::objects::{Key, Map};
use cel::{Env, Program, Value};

use crate::load::{Node, ScalarStyle, Value as YamlValue};
use crate::source::{SourceFile, Span};

use super::k8s_lib;

/// The environment every expression is compiled and run in: CEL's standard
/// library, the strings, lists and math extensions, and the Kubernetes
/// libraries (`k8s_lib`).
pub fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Each registration can only fail on a name declared twice, which
        // the unit tests would show; a failure leaves that function out and
        // the supported-function check still reports its calls.
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        let _ = env.add_extension(cel::extensions::math);
        k8s_lib::register(&mut env);
        Arc::new(env)
    })
}

/// Functions an expression may call: the standard library, the extensions
/// registered above and the Kubernetes libraries. Macros (`has`, `all`,
/// `exists`, `exists_one`, `map`, `filter`, `sortBy`) are expanded by the
/// parser and never reach this list.
const SUPPORTED: &[&str] = &[
    // standard library
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "string",
    "int",
    "uint",
    "double",
    "bool",
    "bytes",
    "dyn",
    "type",
    // optional values
    "optional.of",
    "optional.none",
    "optional.ofNonZeroValue",
    "hasValue",
    "value",
    "or",
    "orValue",
    // strings extension
    "charAt",
    "indexOf",
    "lastIndexOf",
    "join",
    "lowerAscii",
    "upperAscii",
    "trim",
    "replace",
    "split",
    "substring",
    "format",
    "strings.quote",
    "reverse",
    // lists extension
    "slice",
    "flatten",
    "distinct",
    "sort",
    // math extension
    "math.abs",
    "math.ceil",
    "math.floor",
    "math.round",
    "math.trunc",
    "math.sign",
    "math.sqrt",
    "math.isInf",
    "math.isNaN",
    "math.isFinite",
    "math.bitAnd",
    "math.bitOr",
    "math.bitXor",
    "math.bitNot",
    "math.bitShiftLeft",
    "math.bitShiftRight",
    "math.greatest",
    "math.least",
];

/// Whether `name` is a function tenantlint can evaluate.
pub fn is_supported(name: &str) -> bool {
    SUPPORTED.contains(&name) || k8s_lib::FUNCTIONS.contains(&name)
}

/// Kubernetes CEL functions and variables that need a live cluster, with
/// what to say about them.
fn unavailable_offline(name: &str) -> Option<&'static str> {
    match name {
        "authorizer" => {
            Some("`authorizer` asks the API server's authorizer, which is not available offline")
        }
        "duration" | "timestamp" | "getFullYear" | "getMonth" | "getDate" | "getHours"
        | "getMinutes" | "getSeconds" | "getMilliseconds" | "getDayOfWeek" | "getDayOfMonth"
        | "getDayOfYear" => {
            Some("durations and timestamps are not supported by tenantlint's CEL evaluator")
        }
        _ => None,
    }
}

/// An expression that cannot be used, with its position (a 0-based
/// character offset into the expression).
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// What an expression must evaluate to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Bool,
    String,
    Any,
}

/// Compile `source`, then reject what tenantlint cannot run: calls to
/// functions it does not support (before any evaluation, so that such a
/// policy is reported rather than silently passing), and type errors that
/// the literals and known functions already show.
pub fn compile(source: &str, expect: Expect) -> Result<Program, ExprError> {
    if source.len() > MAX_EXPRESSION {
        return Err(ExprError {
            offset: 0,
            message: format!(
                "the expression is longer than {} KiB",
                MAX_EXPRESSION / 1024
            ),
        });
    }
    let program = env().compile(source).map_err(|errors| {
        let first = errors.errors.first();
        ExprError {
            offset: first
                .map(|e| line_col_to_offset(source, e.pos.0, e.pos.1))
                .unwrap_or(0),
            message: first
                .map(|e| syntax_message(&e.msg))
                .unwrap_or_else(|| "syntax error".to_string()),
        }
    })?;
    let info = program.source_info();
    let offset_of = |id: u64| {
        info.offset_for(id)
            .map(|(start, _)| start as usize)
            .unwrap_or(0)
    };
    // What needs a live cluster is the cause to report, even when the
    // calls made on it (`authorizer.group(…).check(…)`) are unknown too;
    // otherwise the first unknown function.
    let mut offline: Option<ExprError> = None;
    let mut unknown: Option<ExprError> = None;
    walk(program.expression(), &mut |e| match &e.expr {
        Expr::Call(call) => {
            let name = call.func_name.as_str();
            // `math.abs(x)` is a call of `abs` on the identifier `math`.
            let qualified = match call.target.as_deref().map(|t| &t.expr) {
                Some(Expr::Ident(ns)) => is_supported(&format!("{ns}.{name}")),
                _ => false,
            };
            if is_operator(name) || is_supported(name) || qualified {
                return;
            }
            let offset = call_offset(source, offset_of(e.id), call);
            let (slot, message) = match unavailable_offline(name) {
                Some(why) => (&mut offline, why.to_string()),
                None => (
                    &mut unknown,
                    format!("function `{name}` is not supported by tenantlint"),
                ),
            };
            if slot.as_ref().is_none_or(|p| offset < p.offset) {
                *slot = Some(ExprError { offset, message });
            }
        }
        Expr::Ident(name) => {
            if let Some(why) = unavailable_offline(name) {
                let offset = offset_of(e.id);
                if offline.as_ref().is_none_or(|p| offset < p.offset) {
                    offline = Some(ExprError {
                        offset,
                        message: why.to_string(),
                    });
                }
            }
        }
        _ => {}
    });
    let problem = offline.or(unknown).or_else(|| {
        // Each nested comprehension multiplies the work by the size of its
        // list; Kubernetes bounds this with a cost budget, tenantlint with
        // the nesting depth.
        nested_comprehension(program.expression(), 0).map(|id| ExprError {
            offset: offset_of(id),
            message: format!(
                "comprehensions (`all`, `exists`, `map`, `filter`) are nested more than {MAX_NESTED_COMPREHENSIONS} deep"
            ),
        })
    });
    if let Some(p) = problem {
        return Err(p);
    }
    let mut checker = TypeCheck {
        error: None,
        offset_of: &offset_of,
    };
    let ty = checker.infer(program.expression());
    if let Some(e) = checker.error {
        return Err(e);
    }
    let wanted = match expect {
        Expect::Bool => Some(Ty::Bool),
        Expect::String => Some(Ty::String),
        Expect::Any => None,
    };
    if let Some(w) = wanted
        && ty != Ty::Dyn
        && ty != w
    {
        return Err(ExprError {
            offset: 0,
            message: format!(
                "the expression evaluates to `{}`, but must evaluate to `{}`",
                ty.name(),
                w.name()
            ),
        });
    }
    Ok(program)
}

/// The parser's message, without the list of every token it expected.
fn syntax_message(msg: &str) -> String {
    if msg.contains("input '<EOF>'") {
        return "syntax error: the expression ends too early".to_string();
    }
    match msg.split_once(" expecting {") {
        Some((head, _)) => head.to_lowercase(),
        None => msg.to_lowercase(),
    }
}

/// Expressions longer than this are refused (policies are short).
pub const MAX_EXPRESSION: usize = 16 * 1024;

/// Comprehensions nested deeper than this are refused.
pub const MAX_NESTED_COMPREHENSIONS: usize = 3;

/// The id of a comprehension nested deeper than allowed, if any.
fn nested_comprehension(e: &IdedExpr, depth: usize) -> Option<u64> {
    let mut found = None;
    let mut visit = |child: &IdedExpr, depth: usize| {
        if found.is_none() {
            found = nested_comprehension(child, depth);
        }
    };
    match &e.expr {
        Expr::Comprehension(c) => {
            if depth + 1 > MAX_NESTED_COMPREHENSIONS {
                return Some(e.id);
            }
            visit(&c.iter_range, depth);
            visit(&c.accu_init, depth);
            visit(&c.loop_cond, depth + 1);
            visit(&c.loop_step, depth + 1);
            visit(&c.result, depth);
        }
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                visit(t, depth);
            }
            for a in &c.args {
                visit(a, depth);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|x| visit(x, depth)),
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    visit(&me.key, depth);
                    visit(&me.value, depth);
                }
            }
        }
        Expr::Select(s) => visit(&s.operand, depth),
        _ => {}
    }
    found
}

/// Whether a value is larger than an expression should ever need to build
/// (a variable that doubles the one before it, many times over).
pub fn oversized(v: &Value) -> bool {
    match v {
        Value::String(s) => s.len() > 1 << 20,
        Value::Bytes(b) => b.len() > 1 << 20,
        Value::List(l) => l.len() > 100_000,
        Value::Map(m) => m.map.len() > 100_000,
        _ => false,
    }
}

fn is_operator(name: &str) -> bool {
    name.starts_with(['_', '@', '!', '-'])
}

/// A call's offset points at its `(` for member calls in some parsers; show
/// the function's name instead when it is written there.
fn call_offset(source: &str, offset: usize, call: &cel::common::ast::CallExpr) -> usize {
    let chars: Vec<char> = source.chars().collect();
    let name: Vec<char> = call
        .func_name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .chars()
        .collect();
    if name.is_empty() {
        return offset;
    }
    // The name ends just before the offset (member calls) or starts at it.
    if chars.get(offset..offset + name.len()) == Some(&name[..]) {
        return offset;
    }
    if offset >= name.len() && chars.get(offset - name.len()..offset) == Some(&name[..]) {
        return offset - name.len();
    }
    offset
}

/// Every expression of a tree, parents first.
pub fn walk<'a>(e: &'a IdedExpr, f: &mut dyn FnMut(&'a IdedExpr)) {
    f(e);
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                walk(t, f);
            }
            for a in &c.args {
                walk(a, f);
            }
        }
        Expr::Comprehension(c) => {
            walk(&c.iter_range, f);
            walk(&c.accu_init, f);
            walk(&c.loop_cond, f);
            walk(&c.loop_step, f);
            walk(&c.result, f);
        }
        Expr::List(l) => {
            for x in &l.elements {
                walk(x, f);
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                if let EntryExpr::MapEntry(me) = &entry.expr {
                    walk(&me.key, f);
                    walk(&me.value, f);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    walk(&sf.value, f);
                }
            }
        }
        Expr::Select(s) => walk(&s.operand, f),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// 1-based line, column (as the parser reports them) → character offset.
fn line_col_to_offset(source: &str, line: isize, col: isize) -> usize {
    let mut offset = 0usize;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i as isize + 1 == line {
            return offset + (col.max(0) as usize).min(l.chars().count());
        }
        offset += l.chars().count();
    }
    offset
}

/// The static types the checker can tell apart; `Dyn` is anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    UInt,
    Double,
    String,
    Bytes,
    Null,
    List,
    Map,
    Dyn,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::UInt => "uint",
            Ty::Double => "double",
            Ty::String => "string",
            Ty::Bytes => "bytes",
            Ty::Null => "null",
            Ty::List => "list",
            Ty::Map => "map",
            Ty::Dyn => "dyn",
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::UInt | Ty::Double)
    }
}

/// A small type checker: literals, operators, the common functions and the
/// fields every Kubernetes object has. It reports only what is certainly
/// wrong; anything it cannot type is `dyn` and left to evaluation.
struct TypeCheck<'a> {
    error: Option<ExprError>,
    offset_of: &'a dyn Fn(u64) -> usize,
}

impl TypeCheck<'_> {
    fn fail(&mut self, id: u64, message: String) -> Ty {
        if self.error.is_none() {
            self.error = Some(ExprError {
                offset: (self.offset_of)(id),
                message,
            });
        }
        Ty::Dyn
    }

    fn infer(&mut self, e: &IdedExpr) -> Ty {
        match &e.expr {
            Expr::Literal(l) => match l {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Bytes(_) => Ty::Bytes,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::Int(_) => Ty::Int,
                LiteralValue::Null => Ty::Null,
                LiteralValue::String(_) => Ty::String,
                LiteralValue::UInt(_) => Ty::UInt,
            },
            Expr::List(l) => {
                for x in &l.elements {
                    self.infer(x);
                }
                Ty::List
            }
            Expr::Map(m) => {
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        self.infer(&me.key);
                        self.infer(&me.value);
                    }
                }
                Ty::Map
            }
            Expr::Select(s) => {
                let operand = self.infer(&s.operand);
                if s.test {
                    return Ty::Bool;
                }
                if matches!(
                    operand,
                    Ty::Bool | Ty::Int | Ty::UInt | Ty::Double | Ty::String | Ty::Bytes
                ) {
                    return self.fail(
                        e.id,
                        format!("`{}` has no fields: it is a `{}`", s.field, operand.name()),
                    );
                }
                known_field(&s.operand, &s.field)
            }
            Expr::Comprehension(c) => {
                self.infer(&c.iter_range);
                self.infer(&c.loop_step);
                self.infer(&c.result);
                Ty::Dyn
            }
            Expr::Call(c) => self.call(e.id, c),
            Expr::Ident(_) | Expr::Struct(_) | Expr::Unspecified => Ty::Dyn,
        }
    }

    fn call(&mut self, id: u64, c: &cel::common::ast::CallExpr) -> Ty {
        let target = c.target.as_ref().map(|t| self.infer(t));
        let args: Vec<Ty> = c.args.iter().map(|a| self.infer(a)).collect();
        let arg_id = |i: usize| c.args.get(i).map_or(id, |a| a.id);
        let name = c.func_name.as_str();
        let mismatch = |this: &mut Self, at: u64, a: Ty, b: Ty, op: &str| {
            this.fail(
                at,
                format!(
                    "no matching overload for `{op}` applied to `({}, {})`",
                    a.name(),
                    b.name()
                ),
            )
        };
        match name {
            "_&&_" | "_||_" | "!_" => {
                for (i, t) in args.iter().enumerate() {
                    if *t != Ty::Bool && *t != Ty::Dyn {
                        let op = match name {
                            "_&&_" => "&&",
                            "_||_" => "||",
                            _ => "!",
                        };
                        return self.fail(
                            arg_id(i),
                            format!("`{op}` takes `bool` operands, not `{}`", t.name()),
                        );
                    }
                }
                Ty::Bool
            }
            "_?_:_" => {
                if let Some(cond) = args.first()
                    && *cond != Ty::Bool
                    && *cond != Ty::Dyn
                {
                    return self.fail(
                        arg_id(0),
                        format!("a condition must be `bool`, not `{}`", cond.name()),
                    );
                }
                match (args.get(1), args.get(2)) {
                    (Some(a), Some(b)) if a == b => *a,
                    _ => Ty::Dyn,
                }
            }
            "_==_" | "_!=_" | "_<_" | "_<=_" | "_>_" | "_>=_" => {
                if let [a, b] = args[..]
                    && a != Ty::Dyn
                    && b != Ty::Dyn
                    && a != b
                    && !(a.numeric() && b.numeric())
                    && a != Ty::Null
                    && b != Ty::Null
                {
                    let op = name.trim_matches('_');
                    return mismatch(self, id, a, b, op);
                }
                Ty::Bool
            }
            "_+_" | "_-_" | "_*_" | "_/_" | "_%_" => {
                let op = name.trim_matches('_');
                if let [a, b] = args[..] {
                    if a == Ty::Dyn || b == Ty::Dyn {
                        return if a == b { a } else { Ty::Dyn };
                    }
                    let ok = a == b
                        && match op {
                            "+" => a.numeric() || matches!(a, Ty::String | Ty::Bytes | Ty::List),
                            "%" => matches!(a, Ty::Int | Ty::UInt),
                            _ => a.numeric(),
                        };
                    if !ok {
                        return mismatch(self, id, a, b, op);
                    }
                    return a;
                }
                Ty::Dyn
            }
            "-_" => match args.first() {
                Some(t) if matches!(t, Ty::Bool | Ty::String | Ty::Bytes | Ty::List | Ty::Map) => {
                    self.fail(id, format!("`-` cannot negate a `{}`", t.name()))
                }
                Some(t) => *t,
                None => Ty::Dyn,
            },
            "@in" => {
                if let Some(container) = args.get(1)
                    && !matches!(container, Ty::List | Ty::Map | Ty::Dyn)
                {
                    return self.fail(
                        arg_id(1),
                        format!("`in` needs a list or a map, not `{}`", container.name()),
                    );
                }
                Ty::Bool
            }
            "size" => {
                let on = target.or(args.first().copied()).unwrap_or(Ty::Dyn);
                if !matches!(on, Ty::String | Ty::Bytes | Ty::List | Ty::Map | Ty::Dyn) {
                    return self.fail(id, format!("`size` is not defined on `{}`", on.name()));
                }
                Ty::Int
            }
            "contains" | "startsWith" | "endsWith" | "matches" => {
                if let Some(t) = target
                    && t != Ty::String
                    && t != Ty::Dyn
                {
                    return self.fail(id, format!("`{name}` is not defined on `{}`", t.name()));
                }
                if let Some(a) = args.last()
                    && *a != Ty::String
                    && *a != Ty::Dyn
                {
                    return self.fail(
                        arg_id(args.len() - 1),
                        format!("`{name}` takes a `string`, not `{}`", a.name()),
                    );
                }
                Ty::Bool
            }
            "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring" | "charAt" => {
                if let Some(t) = target
                    && t != Ty::String
                    && t != Ty::Dyn
                {
                    return self.fail(id, format!("`{name}` is not defined on `{}`", t.name()));
                }
                Ty::String
            }
            "split" | "findAll" => Ty::List,
            "find" | "format" | "join" => Ty::String,
            "string" => Ty::String,
            "int" => Ty::Int,
            "uint" => Ty::UInt,
            "double" => Ty::Double,
            "bool" => Ty::Bool,
            _ => Ty::Dyn,
        }
    }
}

/// Types of the fields every Kubernetes object has.
fn known_field(operand: &IdedExpr, field: &str) -> Ty {
    let Expr::Select(parent) = &operand.expr else {
        return Ty::Dyn;
    };
    let Expr::Ident(root) = &parent.operand.expr else {
        return Ty::Dyn;
    };
    if parent.field != "metadata" || !matches!(root.as_str(), "object" | "namespaceObject") {
        return Ty::Dyn;
    }
    match field {
        "name" | "namespace" | "generateName" | "uid" | "resourceVersion" => Ty::String,
        "labels" | "annotations" => Ty::Map,
        "finalizers" | "ownerReferences" | "managedFields" => Ty::List,
        _ => Ty::Dyn,
    }
}

/// A YAML node as a CEL value, read the way the API server reads the
/// manifest: plain scalars are numbers, booleans or null where YAML says so,
/// every other scalar is a string.
pub fn to_value(node: &Node) -> Value {
    match &node.value {
        YamlValue::Scalar(s, ScalarStyle::Plain) => {
            if node.is_null() {
                Value::Null
            } else if let Some(b) = node.as_bool() {
                Value::Bool(b)
            } else if let Some(n) = plain_number(s) {
                n
            } else {
                Value::String(Arc::new(s.to_string()))
            }
        }
        YamlValue::Scalar(s, _) => Value::String(Arc::new(s.to_string())),
        YamlValue::Seq(items) => Value::List(Arc::new(items.iter().map(to_value).collect())),
        YamlValue::Map(entries) => {
            let mut map = std::collections::HashMap::with_capacity(entries.len());
            for e in entries {
                let key = e.key.as_scalar().unwrap_or_default().to_string();
                // The last of two equal keys wins, as in Kubernetes.
                map.insert(Key::String(Arc::new(key)), to_value(&e.value));
            }
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// [`to_value`] as a CEL runtime value that borrows the tree's strings: the
/// form an object takes once per evaluation context, without copies.
pub fn to_val(node: &Node) -> Box<dyn Val + '_> {
    match &node.value {
        YamlValue::Scalar(s, ScalarStyle::Plain) => {
            if node.is_null() {
                Box::new(CelNull)
            } else if let Some(b) = node.as_bool() {
                Box::new(CelBool::from(b))
            } else {
                match plain_number(s) {
                    Some(Value::Int(i)) => Box::new(CelInt::from(i)),
                    Some(Value::Float(f)) => Box::new(CelDouble::from(f)),
                    _ => Box::new(CelString::from(&**s)),
                }
            }
        }
        YamlValue::Scalar(s, _) => Box::new(CelString::from(&**s)),
        YamlValue::Seq(items) => {
            Box::new(CelList::from(items.iter().map(to_val).collect::<Vec<_>>()))
        }
        YamlValue::Map(entries) => {
            let mut map = std::collections::HashMap::with_capacity(entries.len());
            for e in entries {
                // The last of two equal keys wins, as in Kubernetes.
                map.insert(
                    CelMapKey::from(e.key.as_scalar().unwrap_or_default()),
                    to_val(&e.value),
                );
            }
            Box::new(CelMap::from(map))
        }
    }
}

fn plain_number(s: &str) -> Option<Value> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().map(Value::Int);
    }
    let looks_float = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float {
        return s.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// Where a character of an expression is in the YAML source: `node` is the
/// scalar that holds the expression, `offset` a character offset into the
/// expression's text. Plain, quoted, literal and folded scalars all keep the
/// expression's characters in order, with only quotes, escapes, indentation
/// and line breaks between them, so the characters are matched in turn.
pub fn span_in_scalar(file: &SourceFile, node: &Node, offset: usize) -> Span {
    let Some(text) = node.as_scalar() else {
        return node.span;
    };
    let start = node.span.start.byte as usize;
    let end = (node.span.end.byte as usize).min(file.text.len());
    let Some(source) = file.text.get(start..end) else {
        return node.span;
    };
    let mut body_start = 0;
    match &node.value {
        YamlValue::Scalar(_, ScalarStyle::Block) if source.starts_with(['|', '>']) => {
            // Skip the `|` / `>` header line.
            body_start = source.find('\n').map_or(source.len(), |i| i + 1);
        }
        YamlValue::Scalar(_, ScalarStyle::Quoted) if source.starts_with(['"', '\'']) => {
            body_start = 1
        }
        _ => {}
    }
    let mut src = source[body_start..].char_indices().peekable();
    // An error at the end of the expression points at its last character.
    let offset = offset.min(text.trim_end().chars().count().saturating_sub(1));
    let mut target = None;
    let mut target_len = 1;
    for (i, c) in text.chars().enumerate() {
        // Advance the source to the next occurrence of `c`; whitespace in
        // the expression may come from a folded line break.
        let found = loop {
            match src.next() {
                Some((at, sc)) if sc == c || (c.is_whitespace() && sc.is_whitespace()) => {
                    break Some((at, sc));
                }
                Some(_) => continue,
                None => break None,
            }
        };
        let Some((at, sc)) = found else {
            break;
        };
        if i == offset {
            target = Some(start + body_start + at);
            target_len = sc.len_utf8();
            break;
        }
    }
    match target {
        Some(byte) => file.span_of_bytes(byte..byte + target_len),
        None => node.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(source: &str) -> ExprError {
        compile(source, Expect::Bool).expect_err(source)
    }

    #[test]
    fn syntax_errors_have_a_column() {
        let e = err("object.spec.replicas <= ");
        assert!(e.offset >= 20, "{e:?}");
    }

    #[test]
    fn unsupported_functions_are_found_before_evaluation() {
        let e = err("object.metadata.name.frobnicate()");
        assert_eq!(e.offset, 21);
        assert!(e.message.contains("`frobnicate`"), "{}", e.message);
        let e = err("authorizer.group('apps').resource('deployments').check('create').allowed()");
        assert!(e.message.contains("authorizer"), "{}", e.message);
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn unbounded_work_is_refused() {
        let e = err("[1].all(a, [1].all(b, [1].all(c, [1].all(d, a == d))))");
        assert!(e.message.contains("nested more than 3"), "{}", e.message);
        assert!(compile("[1].all(a, [1].all(b, [1].all(c, a == c)))", Expect::Bool).is_ok());
        let e = err("lists.range(1000000).size() > 0");
        assert!(e.message.contains("`range`"), "{}", e.message);
        for ok in [
            "math.abs(-1) == 1",
            "ip.isCanonical('10.0.0.1')",
            "optional.of(1).hasValue()",
            "strings.quote('a') != ''",
        ] {
            assert!(compile(ok, Expect::Bool).is_ok(), "{ok}");
        }
        let deep = format!("{}1{} == 1", "(".repeat(5000), ")".repeat(5000));
        assert!(compile(&deep, Expect::Bool).is_err());
        let long = format!("'{}' == ''", "a".repeat(MAX_EXPRESSION));
        assert!(err(&long).message.contains("longer than"));
    }

    #[test]
    fn obvious_type_errors() {
        let e = err("object.spec.replicas > 1 && 'a' + 1 == 'a1'");
        assert_eq!(e.offset, 32, "{e:?}");
        let e = err("size(object.metadata.name) > 'three'");
        assert!(e.message.contains("(int, string)"), "{}", e.message);
        let e = err("size(object.metadata.labels)");
        assert!(
            e.message.contains("must evaluate to `bool`"),
            "{}",
            e.message
        );
        assert!(compile("object.spec.replicas <= 5", Expect::Bool).is_ok());
        assert!(compile("'x' + object.metadata.name", Expect::String).is_ok());
    }

    #[test]
    fn every_supported_function_is_registered() {
        let ctx = cel::Context::with_env(env().clone());
        for name in SUPPORTED.iter().chain(k8s_lib::FUNCTIONS) {
            // Calling with no arguments must fail for a lack of overload,
            // never because the name is unknown.
            let source = if name.contains('.') {
                format!("{name}()")
            } else {
                format!("x.{name}()")
            };
            let Ok(program) = env().compile(&source) else {
                continue;
            };
            let mut ctx = ctx.new_inner_scope();
            ctx.add_variable_from_value("x", Value::Null);
            if let Err(cel::ExecutionError::UndeclaredReference(r)) = program.execute(&ctx) {
                // Global-only functions are not members: try the call form.
                let program = env().compile(&format!("{name}(x)")).unwrap();
                assert!(
                    !matches!(
                        program.execute(&ctx),
                        Err(cel::ExecutionError::UndeclaredReference(_))
                    ),
                    "`{name}` is not registered ({r})"
                );
            }
        }
    }

    #[test]
    fn yaml_scalars_become_typed_values() {
        let file = SourceFile::new(
            0,
            "t.yaml".into(),
            "t.yaml".into(),
            crate::source::FileKind::Yaml,
            "a: 5\nb: '5'\nc: true\nd: ~\ne: 1.5\nf: nginx:1.25\n".into(),
        );
        let doc = crate::load::parse_yaml(&file).docs.remove(0).root;
        let v = to_value(&doc);
        let Value::Map(m) = v else { panic!() };
        let get = |k: &str| m.map.get(&Key::String(Arc::new(k.to_string()))).cloned();
        assert_eq!(get("a"), Some(Value::Int(5)));
        assert_eq!(get("b"), Some(Value::String(Arc::new("5".into()))));
        assert_eq!(get("c"), Some(Value::Bool(true)));
        assert_eq!(get("d"), Some(Value::Null));
        assert_eq!(get("e"), Some(Value::Float(1.5)));
        assert_eq!(get("f"), Some(Value::String(Arc::new("nginx:1.25".into()))));
    }

    #[test]
    fn offsets_map_into_plain_quoted_and_block_scalars() {
        let text = "a: object.x > 1\nb: \"object.x > 1\"\nc: |\n  object.x\n    > 1\n";
        let file = SourceFile::new(
            0,
            "t.yaml".into(),
            "t.yaml".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        let doc = crate::load::parse_yaml(&file).docs.remove(0).root;
        let at = |key: &str, offset| {
            let s = span_in_scalar(&file, doc.get(key).unwrap(), offset);
            (s.start.line, s.start.col)
        };
        assert_eq!(at("a", 9), (1, 13));
        assert_eq!(at("b", 9), (2, 14));
        assert_eq!(at("c", 11), (5, 5));
    }
}
