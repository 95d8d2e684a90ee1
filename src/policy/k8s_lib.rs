//! The Kubernetes CEL libraries that admission policies use, on top of CEL's
//! standard library: lists (`isSorted`, `sum`, `min`, `max`, `indexOf`,
//! `lastIndexOf`), regex (`find`, `findAll`), `quantity`, `url`, `ip` and
//! `cidr`, as documented in "CEL in Kubernetes".

use std::cmp::Ordering;
use std::net::IpAddr;
use std::sync::Arc;

use cel::common::types::{DYN_TYPE, INT_TYPE, LIST_TYPE, STRING_TYPE, Type};
use cel::common::value::{CowVal, Val};
use cel::objects::{Key, Map, Opaque};
use cel::{Env, ExecutionError, Value};

/// Every function name this module registers (for the supported-function
/// check).
pub const FUNCTIONS: &[&str] = &[
    // lists
    "isSorted",
    "sum",
    "min",
    "max",
    // regex
    "find",
    "findAll",
    // quantity
    "quantity",
    "isQuantity",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "sign",
    "add",
    "sub",
    "isLessThan",
    "isGreaterThan",
    "compareTo",
    // url
    "url",
    "isURL",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    // ip and cidr
    "ip",
    "isIP",
    "ip.isCanonical",
    "family",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "cidr",
    "isCIDR",
    "containsIP",
    "containsCIDR",
    "prefixLength",
    "masked",
];

type Impl = fn(&[Value]) -> Result<Value, ExecutionError>;

/// A CEL overload around a function on owned values.
macro_rules! overload {
    ($wrapper:ident, $body:path) => {
        fn $wrapper<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
            let values = args
                .iter()
                .map(|a| Value::try_from(&**a))
                .collect::<Result<Vec<_>, _>>()?;
            let f: Impl = $body;
            let out: Box<dyn Val> = f(&values)?.try_into()?;
            Ok(CowVal::Owned(out))
        }
    };
}

overload!(w_is_sorted, is_sorted);
overload!(w_sum, sum);
overload!(w_min, min);
overload!(w_max, max);
overload!(w_index_of, index_of);
overload!(w_last_index_of, last_index_of);
overload!(w_find, find);
overload!(w_find_all, find_all);
overload!(w_quantity, quantity);
overload!(w_is_quantity, is_quantity);
overload!(w_q_is_integer, q_is_integer);
overload!(w_q_as_integer, q_as_integer);
overload!(w_q_as_float, q_as_float);
overload!(w_q_sign, q_sign);
overload!(w_q_add, q_add);
overload!(w_q_sub, q_sub);
overload!(w_q_less, q_less);
overload!(w_q_greater, q_greater);
overload!(w_q_compare, q_compare);
overload!(w_url, url);
overload!(w_is_url, is_url);
overload!(w_url_scheme, url_scheme);
overload!(w_url_host, url_host);
overload!(w_url_hostname, url_hostname);
overload!(w_url_port, url_port);
overload!(w_url_path, url_path);
overload!(w_url_query, url_query);
overload!(w_ip, ip);
overload!(w_is_ip, is_ip);
overload!(w_ip_is_canonical, ip_is_canonical);
overload!(w_ip_family, ip_family);
overload!(w_ip_unspecified, ip_unspecified);
overload!(w_ip_loopback, ip_loopback);
overload!(w_ip_ll_multicast, ip_ll_multicast);
overload!(w_ip_ll_unicast, ip_ll_unicast);
overload!(w_ip_global_unicast, ip_global_unicast);
overload!(w_cidr, cidr);
overload!(w_is_cidr, is_cidr);
overload!(w_cidr_contains_ip, cidr_contains_ip);
overload!(w_cidr_contains_cidr, cidr_contains_cidr);
overload!(w_cidr_ip, cidr_ip);
overload!(w_cidr_prefix, cidr_prefix);
overload!(w_cidr_masked, cidr_masked);

/// Register the libraries on `env`.
pub fn register(env: &mut Env) {
    type Member = (
        &'static str,
        Type,
        Vec<Type>,
        cel::common::functions::Function,
    );
    let members: Vec<Member> = vec![
        ("isSorted", LIST_TYPE, vec![], w_is_sorted),
        ("sum", LIST_TYPE, vec![], w_sum),
        ("min", LIST_TYPE, vec![], w_min),
        ("max", LIST_TYPE, vec![], w_max),
        ("indexOf", LIST_TYPE, vec![DYN_TYPE], w_index_of),
        ("lastIndexOf", LIST_TYPE, vec![DYN_TYPE], w_last_index_of),
        ("find", STRING_TYPE, vec![STRING_TYPE], w_find),
        ("findAll", STRING_TYPE, vec![STRING_TYPE], w_find_all),
        (
            "findAll",
            STRING_TYPE,
            vec![STRING_TYPE, INT_TYPE],
            w_find_all,
        ),
        ("isInteger", DYN_TYPE, vec![], w_q_is_integer),
        ("asInteger", DYN_TYPE, vec![], w_q_as_integer),
        ("asApproximateFloat", DYN_TYPE, vec![], w_q_as_float),
        ("sign", DYN_TYPE, vec![], w_q_sign),
        ("add", DYN_TYPE, vec![DYN_TYPE], w_q_add),
        ("sub", DYN_TYPE, vec![DYN_TYPE], w_q_sub),
        ("isLessThan", DYN_TYPE, vec![DYN_TYPE], w_q_less),
        ("isGreaterThan", DYN_TYPE, vec![DYN_TYPE], w_q_greater),
        ("compareTo", DYN_TYPE, vec![DYN_TYPE], w_q_compare),
        ("getScheme", DYN_TYPE, vec![], w_url_scheme),
        ("getHost", DYN_TYPE, vec![], w_url_host),
        ("getHostname", DYN_TYPE, vec![], w_url_hostname),
        ("getPort", DYN_TYPE, vec![], w_url_port),
        ("getEscapedPath", DYN_TYPE, vec![], w_url_path),
        ("getQuery", DYN_TYPE, vec![], w_url_query),
        ("family", DYN_TYPE, vec![], w_ip_family),
        ("isUnspecified", DYN_TYPE, vec![], w_ip_unspecified),
        ("isLoopback", DYN_TYPE, vec![], w_ip_loopback),
        ("isLinkLocalMulticast", DYN_TYPE, vec![], w_ip_ll_multicast),
        ("isLinkLocalUnicast", DYN_TYPE, vec![], w_ip_ll_unicast),
        ("isGlobalUnicast", DYN_TYPE, vec![], w_ip_global_unicast),
        ("containsIP", DYN_TYPE, vec![DYN_TYPE], w_cidr_contains_ip),
        (
            "containsCIDR",
            DYN_TYPE,
            vec![DYN_TYPE],
            w_cidr_contains_cidr,
        ),
        ("ip", DYN_TYPE, vec![], w_cidr_ip),
        ("prefixLength", DYN_TYPE, vec![], w_cidr_prefix),
        ("masked", DYN_TYPE, vec![], w_cidr_masked),
    ];
    for (i, (name, target, args, f)) in members.into_iter().enumerate() {
        let id = format!("k8s_{name}_{i}");
        let _ = env.add_member_overload(name, &id, target, args, f);
    }
    let globals: Vec<(&str, cel::common::functions::Function)> = vec![
        ("quantity", w_quantity),
        ("isQuantity", w_is_quantity),
        ("url", w_url),
        ("isURL", w_is_url),
        ("ip", w_ip),
        ("isIP", w_is_ip),
        ("ip.isCanonical", w_ip_is_canonical),
        ("cidr", w_cidr),
        ("isCIDR", w_is_cidr),
    ];
    for (name, f) in globals {
        let _ = env.add_overload(name, &format!("k8s_{name}"), vec![STRING_TYPE], f);
    }
}

fn error(function: &str, message: impl ToString) -> ExecutionError {
    ExecutionError::function_error(function, message)
}

fn no_overload(function: &str, args: &[Value]) -> ExecutionError {
    ExecutionError::no_such_member_overload(
        function,
        args.iter().map(|a| a.type_of().to_string()).collect(),
    )
}

fn list<'a>(function: &str, args: &'a [Value]) -> Result<&'a [Value], ExecutionError> {
    match args.first() {
        Some(Value::List(l)) => Ok(l),
        _ => Err(no_overload(function, args)),
    }
}

fn string<'a>(function: &str, args: &'a [Value], i: usize) -> Result<&'a str, ExecutionError> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(no_overload(function, args)),
    }
}

fn compare(function: &str, a: &Value, b: &Value) -> Result<Ordering, ExecutionError> {
    let ord = match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.partial_cmp(y),
        (Value::UInt(x), Value::UInt(y)) => x.partial_cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::String(x), Value::String(y)) => x.partial_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.partial_cmp(y),
        (Value::Bytes(x), Value::Bytes(y)) => x.partial_cmp(y),
        (Value::Opaque(x), Value::Opaque(y)) => {
            match (x.downcast_ref::<Quantity>(), y.downcast_ref::<Quantity>()) {
                (Some(x), Some(y)) => x.0.partial_cmp(&y.0),
                _ => None,
            }
        }
        _ => None,
    };
    ord.ok_or_else(|| {
        error(
            function,
            format!("cannot compare `{}` with `{}`", a.type_of(), b.type_of()),
        )
    })
}

fn is_sorted(args: &[Value]) -> Result<Value, ExecutionError> {
    let items = list("isSorted", args)?;
    for w in items.windows(2) {
        if compare("isSorted", &w[0], &w[1])? == Ordering::Greater {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn sum(args: &[Value]) -> Result<Value, ExecutionError> {
    let items = list("sum", args)?;
    let mut total = match items.first() {
        None | Some(Value::Int(_)) => Value::Int(0),
        Some(Value::UInt(_)) => Value::UInt(0),
        Some(Value::Float(_)) => Value::Float(0.0),
        Some(Value::Opaque(o)) if o.downcast_ref::<Quantity>().is_some() => {
            Value::Opaque(Arc::new(Quantity(0)))
        }
        Some(other) => return Err(error("sum", format!("cannot sum `{}`", other.type_of()))),
    };
    for item in items.iter() {
        total = match (&total, item) {
            (Value::Int(a), Value::Int(b)) => {
                Value::Int(a.checked_add(*b).ok_or_else(|| error("sum", "overflow"))?)
            }
            (Value::UInt(a), Value::UInt(b)) => {
                Value::UInt(a.checked_add(*b).ok_or_else(|| error("sum", "overflow"))?)
            }
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
            (Value::Opaque(a), Value::Opaque(b)) => {
                match (a.downcast_ref::<Quantity>(), b.downcast_ref::<Quantity>()) {
                    (Some(a), Some(b)) => Value::Opaque(Arc::new(Quantity(
                        a.0.checked_add(b.0)
                            .ok_or_else(|| error("sum", "overflow"))?,
                    ))),
                    _ => return Err(error("sum", "a list of mixed types cannot be summed")),
                }
            }
            _ => return Err(error("sum", "a list of mixed types cannot be summed")),
        };
    }
    Ok(total)
}

fn extreme(function: &str, args: &[Value], want: Ordering) -> Result<Value, ExecutionError> {
    let items = list(function, args)?;
    let mut best = items
        .first()
        .ok_or_else(|| error(function, "the list is empty"))?;
    for item in &items[1..] {
        if compare(function, item, best)? == want {
            best = item;
        }
    }
    Ok(best.clone())
}

fn min(args: &[Value]) -> Result<Value, ExecutionError> {
    extreme("min", args, Ordering::Less)
}

fn max(args: &[Value]) -> Result<Value, ExecutionError> {
    extreme("max", args, Ordering::Greater)
}

fn index_of(args: &[Value]) -> Result<Value, ExecutionError> {
    let items = list("indexOf", args)?;
    let needle = args.get(1).ok_or_else(|| no_overload("indexOf", args))?;
    Ok(Value::Int(
        items
            .iter()
            .position(|x| x == needle)
            .map_or(-1, |i| i as i64),
    ))
}

fn last_index_of(args: &[Value]) -> Result<Value, ExecutionError> {
    let items = list("lastIndexOf", args)?;
    let needle = args
        .get(1)
        .ok_or_else(|| no_overload("lastIndexOf", args))?;
    Ok(Value::Int(
        items
            .iter()
            .rposition(|x| x == needle)
            .map_or(-1, |i| i as i64),
    ))
}

fn regex(function: &str, pattern: &str) -> Result<regex::Regex, ExecutionError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| error(function, e))
}

fn find(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("find", args, 0)?;
    let re = regex("find", string("find", args, 1)?)?;
    Ok(Value::String(Arc::new(
        re.find(s)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    )))
}

fn find_all(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("findAll", args, 0)?;
    let re = regex("findAll", string("findAll", args, 1)?)?;
    let limit = match args.get(2) {
        Some(Value::Int(n)) if *n >= 0 => *n as usize,
        _ => usize::MAX,
    };
    Ok(Value::List(Arc::new(
        re.find_iter(s)
            .take(limit)
            .map(|m| Value::String(Arc::new(m.as_str().to_string())))
            .collect(),
    )))
}

/// A Kubernetes resource quantity, in billionths (`1n`) of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity(pub i128);

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.Quantity"
    }
}

/// Parse `500m`, `1.5Gi`, `2e3`, `64`.
pub fn parse_quantity(s: &str) -> Option<Quantity> {
    let s = s.trim();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1i128, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let num_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(num_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    // value = digits × 10^(exp10) × 2^(exp2)
    let mut exp10: i32 = -(frac_part.len() as i32);
    let mut exp2: u32 = 0;
    match suffix {
        "" => {}
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        "Ki" => exp2 = 10,
        "Mi" => exp2 = 20,
        "Gi" => exp2 = 30,
        "Ti" => exp2 = 40,
        "Pi" => exp2 = 50,
        "Ei" => exp2 = 60,
        _ => {
            let e = suffix.strip_prefix(['e', 'E'])?;
            exp10 += e.parse::<i32>().ok().filter(|e| e.abs() <= 30)?;
        }
    }
    let digits: String = format!("{int_part}{frac_part}");
    if digits.len() > 30 {
        return None;
    }
    let mut value: i128 = digits.parse().ok()?;
    value = value.checked_mul(1i128 << exp2)?;
    // To billionths: multiply by 10^(exp10 + 9), rounding up what is finer.
    let scale = exp10 + 9;
    if scale >= 0 {
        value = value.checked_mul(10i128.checked_pow(scale as u32)?)?;
    } else {
        let div = 10i128.checked_pow((-scale) as u32)?;
        value = (value + div - 1) / div;
    }
    Some(Quantity(sign * value))
}

const NANO: i128 = 1_000_000_000;

fn quantity_arg(function: &str, v: Option<&Value>) -> Result<Quantity, ExecutionError> {
    match v {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Quantity>()
            .copied()
            .ok_or_else(|| error(function, "not a quantity")),
        Some(Value::Int(i)) => Ok(Quantity(*i as i128 * NANO)),
        _ => Err(error(function, "not a quantity")),
    }
}

fn quantity(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("quantity", args, 0)?;
    parse_quantity(s)
        .map(|q| Value::Opaque(Arc::new(q)))
        .ok_or_else(|| error("quantity", format!("`{s}` is not a quantity")))
}

fn is_quantity(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(
        parse_quantity(string("isQuantity", args, 0)?).is_some(),
    ))
}

fn q_is_integer(args: &[Value]) -> Result<Value, ExecutionError> {
    let q = quantity_arg("isInteger", args.first())?;
    Ok(Value::Bool(
        q.0 % NANO == 0 && i64::try_from(q.0 / NANO).is_ok(),
    ))
}

fn q_as_integer(args: &[Value]) -> Result<Value, ExecutionError> {
    let q = quantity_arg("asInteger", args.first())?;
    if q.0 % NANO != 0 {
        return Err(error("asInteger", "the quantity is not an integer"));
    }
    i64::try_from(q.0 / NANO)
        .map(Value::Int)
        .map_err(|_| error("asInteger", "the quantity does not fit an int"))
}

fn q_as_float(args: &[Value]) -> Result<Value, ExecutionError> {
    let q = quantity_arg("asApproximateFloat", args.first())?;
    Ok(Value::Float(q.0 as f64 / NANO as f64))
}

fn q_sign(args: &[Value]) -> Result<Value, ExecutionError> {
    let q = quantity_arg("sign", args.first())?;
    Ok(Value::Int(q.0.signum() as i64))
}

fn q_add(args: &[Value]) -> Result<Value, ExecutionError> {
    let a = quantity_arg("add", args.first())?;
    let b = quantity_arg("add", args.get(1))?;
    let sum =
        a.0.checked_add(b.0)
            .ok_or_else(|| error("add", "overflow"))?;
    Ok(Value::Opaque(Arc::new(Quantity(sum))))
}

fn q_sub(args: &[Value]) -> Result<Value, ExecutionError> {
    let a = quantity_arg("sub", args.first())?;
    let b = quantity_arg("sub", args.get(1))?;
    let diff =
        a.0.checked_sub(b.0)
            .ok_or_else(|| error("sub", "overflow"))?;
    Ok(Value::Opaque(Arc::new(Quantity(diff))))
}

fn q_cmp(function: &str, args: &[Value]) -> Result<Ordering, ExecutionError> {
    let a = quantity_arg(function, args.first())?;
    let b = match args.get(1) {
        Some(Value::Opaque(_)) => quantity_arg(function, args.get(1))?,
        _ => return Err(no_overload(function, args)),
    };
    Ok(a.0.cmp(&b.0))
}

fn q_less(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(q_cmp("isLessThan", args)? == Ordering::Less))
}

fn q_greater(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(
        q_cmp("isGreaterThan", args)? == Ordering::Greater,
    ))
}

fn q_compare(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Int(match q_cmp("compareTo", args)? {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// An absolute URL, split the way Go's `net/url` splits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    scheme: String,
    host: String,
    path: String,
    query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.URL"
    }
}

fn parse_url(s: &str) -> Option<Url> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let (authority, path) = match authority_and_path.find('/') {
                Some(i) => authority_and_path.split_at(i),
                None => (authority_and_path, ""),
            };
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            (host.to_string(), path.to_string())
        }
        // `url()` accepts absolute paths and absolute URIs only.
        None if rest.starts_with('/') || !rest.is_empty() => (String::new(), rest.to_string()),
        None => return None,
    };
    Some(Url {
        scheme: scheme.to_string(),
        host,
        path,
        query: query.to_string(),
    })
}

fn url_arg(function: &str, args: &[Value]) -> Result<Url, ExecutionError> {
    match args.first() {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Url>()
            .cloned()
            .ok_or_else(|| no_overload(function, args)),
        _ => Err(no_overload(function, args)),
    }
}

fn url(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("url", args, 0)?;
    parse_url(s)
        .map(|u| Value::Opaque(Arc::new(u)))
        .ok_or_else(|| error("url", format!("`{s}` is not an absolute URL")))
}

fn is_url(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(parse_url(string("isURL", args, 0)?).is_some()))
}

fn split_host_port(host: &str) -> (&str, &str) {
    if let Some(rest) = host.strip_prefix('[') {
        if let Some((h, after)) = rest.split_once(']') {
            return (h, after.strip_prefix(':').unwrap_or(""));
        }
        return (rest, "");
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p),
        _ => (host, ""),
    }
}

fn text(s: &str) -> Value {
    Value::String(Arc::new(s.to_string()))
}

fn url_scheme(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(text(&url_arg("getScheme", args)?.scheme))
}

fn url_host(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(text(&url_arg("getHost", args)?.host))
}

fn url_hostname(args: &[Value]) -> Result<Value, ExecutionError> {
    let u = url_arg("getHostname", args)?;
    Ok(text(split_host_port(&u.host).0))
}

fn url_port(args: &[Value]) -> Result<Value, ExecutionError> {
    let u = url_arg("getPort", args)?;
    Ok(text(split_host_port(&u.host).1))
}

fn url_path(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(text(&url_arg("getEscapedPath", args)?.path))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_query(args: &[Value]) -> Result<Value, ExecutionError> {
    let u = url_arg("getQuery", args)?;
    let mut map: std::collections::HashMap<Key, Vec<Value>> = std::collections::HashMap::new();
    for pair in u.query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.entry(Key::String(Arc::new(percent_decode(k))))
            .or_default()
            .push(text(&percent_decode(v)));
    }
    Ok(Value::Map(Map {
        map: Arc::new(
            map.into_iter()
                .map(|(k, v)| (k, Value::List(Arc::new(v))))
                .collect(),
        ),
    }))
}

/// An IP address as Kubernetes' `ip()` accepts it (no zone, no IPv4-mapped
/// IPv6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        "net.IP"
    }
}

/// A CIDR block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        "net.CIDR"
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let addr: IpAddr = s.parse().ok()?;
    if let IpAddr::V6(v6) = addr
        && v6.to_ipv4_mapped().is_some()
    {
        return None;
    }
    Some(addr)
}

fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, prefix) = s.split_once('/')?;
    let addr = parse_ip(addr)?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then_some(Cidr { addr, prefix })
}

fn ip_arg(function: &str, args: &[Value], i: usize) -> Result<IpAddr, ExecutionError> {
    match args.get(i) {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Ip>()
            .map(|ip| ip.0)
            .ok_or_else(|| no_overload(function, args)),
        Some(Value::String(s)) if i > 0 => {
            parse_ip(s).ok_or_else(|| error(function, format!("`{s}` is not an IP address")))
        }
        _ => Err(no_overload(function, args)),
    }
}

fn cidr_arg(function: &str, args: &[Value], i: usize) -> Result<Cidr, ExecutionError> {
    match args.get(i) {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Cidr>()
            .cloned()
            .ok_or_else(|| no_overload(function, args)),
        Some(Value::String(s)) if i > 0 => {
            parse_cidr(s).ok_or_else(|| error(function, format!("`{s}` is not a CIDR")))
        }
        _ => Err(no_overload(function, args)),
    }
}

fn ip(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("ip", args, 0)?;
    parse_ip(s)
        .map(|a| Value::Opaque(Arc::new(Ip(a))))
        .ok_or_else(|| error("ip", format!("`{s}` is not an IP address")))
}

fn is_ip(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(parse_ip(string("isIP", args, 0)?).is_some()))
}

fn ip_is_canonical(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("ip.isCanonical", args, 0)?;
    let addr = parse_ip(s)
        .ok_or_else(|| error("ip.isCanonical", format!("`{s}` is not an IP address")))?;
    Ok(Value::Bool(addr.to_string() == s))
}

fn ip_family(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Int(match ip_arg("family", args, 0)? {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 6,
    }))
}

fn ip_unspecified(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(
        ip_arg("isUnspecified", args, 0)?.is_unspecified(),
    ))
}

fn ip_loopback(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(ip_arg("isLoopback", args, 0)?.is_loopback()))
}

fn link_local_multicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

fn link_local_unicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

fn ip_ll_multicast(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(link_local_multicast(ip_arg(
        "isLinkLocalMulticast",
        args,
        0,
    )?)))
}

fn ip_ll_unicast(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(link_local_unicast(ip_arg(
        "isLinkLocalUnicast",
        args,
        0,
    )?)))
}

/// Go's `IP.IsGlobalUnicast`.
fn ip_global_unicast(args: &[Value]) -> Result<Value, ExecutionError> {
    let a = ip_arg("isGlobalUnicast", args, 0)?;
    let broadcast = matches!(a, IpAddr::V4(v4) if v4.is_broadcast());
    Ok(Value::Bool(
        !a.is_unspecified()
            && !a.is_loopback()
            && !a.is_multicast()
            && !link_local_unicast(a)
            && !broadcast,
    ))
}

fn cidr(args: &[Value]) -> Result<Value, ExecutionError> {
    let s = string("cidr", args, 0)?;
    parse_cidr(s)
        .map(|c| Value::Opaque(Arc::new(c)))
        .ok_or_else(|| error("cidr", format!("`{s}` is not a CIDR")))
}

fn is_cidr(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Bool(
        parse_cidr(string("isCIDR", args, 0)?).is_some(),
    ))
}

fn bits(a: IpAddr) -> (u128, u8) {
    match a {
        IpAddr::V4(v4) => (u32::from(v4) as u128, 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

fn mask(value: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let host_bits = (width - prefix) as u32;
    value & (u128::MAX << host_bits) & (u128::MAX >> (128 - width as u32))
}

fn contains(c: &Cidr, a: IpAddr) -> bool {
    let (net, width) = bits(c.addr);
    let (ip, w2) = bits(a);
    width == w2 && mask(net, width, c.prefix) == mask(ip, width, c.prefix)
}

fn cidr_contains_ip(args: &[Value]) -> Result<Value, ExecutionError> {
    let c = cidr_arg("containsIP", args, 0)?;
    let a = ip_arg("containsIP", args, 1)?;
    Ok(Value::Bool(contains(&c, a)))
}

fn cidr_contains_cidr(args: &[Value]) -> Result<Value, ExecutionError> {
    let c = cidr_arg("containsCIDR", args, 0)?;
    let other = cidr_arg("containsCIDR", args, 1)?;
    Ok(Value::Bool(
        other.prefix >= c.prefix && contains(&c, other.addr),
    ))
}

fn cidr_ip(args: &[Value]) -> Result<Value, ExecutionError> {
    let c = cidr_arg("ip", args, 0)?;
    Ok(Value::Opaque(Arc::new(Ip(c.addr))))
}

fn cidr_prefix(args: &[Value]) -> Result<Value, ExecutionError> {
    Ok(Value::Int(cidr_arg("prefixLength", args, 0)?.prefix as i64))
}

fn cidr_masked(args: &[Value]) -> Result<Value, ExecutionError> {
    let c = cidr_arg("masked", args, 0)?;
    let (value, width) = bits(c.addr);
    let m = mask(value, width, c.prefix);
    let addr = match c.addr {
        IpAddr::V4(_) => IpAddr::V4((m as u32).into()),
        IpAddr::V6(_) => IpAddr::V6(m.into()),
    };
    Ok(Value::Opaque(Arc::new(Cidr {
        addr,
        prefix: c.prefix,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(source: &str) -> Result<Value, String> {
        let program = super::super::expr::env()
            .compile(source)
            .map_err(|e| e.to_string())?;
        let ctx = cel::Context::with_env(super::super::expr::env().clone());
        program.execute(&ctx).map_err(|e| e.to_string())
    }

    fn holds(source: &str) {
        assert_eq!(eval(source), Ok(Value::Bool(true)), "{source}");
    }

    #[test]
    fn lists() {
        holds("[1, 2, 3].isSorted() && ![2, 1].isSorted()");
        holds("[1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0 && [].sum() == 0");
        holds("[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ['b', 'a'].min() == 'a'");
        holds("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1");
        holds("'abc'.indexOf('c') == 2");
        assert!(eval("[].min()").is_err());
    }

    #[test]
    fn regex_and_strings() {
        holds("'abc 123'.find('[0-9]+') == '123' && 'a1b2'.findAll('[0-9]') == ['1', '2']");
        holds("'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']");
        holds("'TacoCat'.lowerAscii() == 'tacocat' && 'a,b'.split(',') == ['a', 'b']");
        holds("['a', 'b'].join('-') == 'a-b' && '%s-%d'.format(['x', 1]) == 'x-1'");
    }

    #[test]
    fn quantities() {
        holds("quantity('1Gi').isGreaterThan(quantity('1000Mi'))");
        holds("quantity('500m').isLessThan(quantity('1'))");
        holds("quantity('1.5').compareTo(quantity('1500m')) == 0");
        holds("quantity('2').add(quantity('500m')).asApproximateFloat() == 2.5");
        holds("quantity('2').sub(1).asInteger() == 1 && quantity('64').isInteger()");
        holds("isQuantity('1e3') && !isQuantity('12 apples') && quantity('-1').sign() == -1");
        holds("[quantity('1'), quantity('2')].sum().asInteger() == 3");
        assert!(eval("quantity('500m').asInteger()").is_err());
        assert_eq!(parse_quantity("1Ki"), Some(Quantity(1024 * NANO)));
        assert_eq!(parse_quantity("1e3"), Some(Quantity(1000 * NANO)));
        assert_eq!(parse_quantity("Gi"), None);
    }

    #[test]
    fn urls() {
        holds("url('https://user@example.com:8443/a/b?x=1&x=2').getHost() == 'example.com:8443'");
        holds("url('https://example.com:8443/a').getHostname() == 'example.com'");
        holds("url('https://example.com:8443/a').getPort() == '8443'");
        holds("url('https://[::1]:80/').getHostname() == '::1'");
        holds("url('https://example.com/a%20b').getEscapedPath() == '/a%20b'");
        holds(
            "url('https://example.com/?x=1&x=2&y=a+b').getQuery() == {'x': ['1', '2'], 'y': ['a b']}",
        );
        holds("url('/absolute/path').getScheme() == '' || true");
        holds("isURL('https://example.com') && !isURL('not a url')");
    }

    #[test]
    fn ips_and_cidrs() {
        holds("ip('10.0.0.1').family() == 4 && ip('::1').family() == 6");
        holds("ip('127.0.0.1').isLoopback() && ip('0.0.0.0').isUnspecified()");
        holds("ip('169.254.1.1').isLinkLocalUnicast() && ip('224.0.0.1').isLinkLocalMulticast()");
        holds("ip('8.8.8.8').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()");
        holds(
            "cidr('10.0.0.0/8').containsIP(ip('10.1.2.3')) && cidr('10.0.0.0/8').containsIP('10.1.2.3')",
        );
        holds("!cidr('10.0.0.0/8').containsIP('11.0.0.1')");
        holds(
            "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')",
        );
        holds(
            "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('10.0.0.0/8').prefixLength() == 8",
        );
        holds("cidr('10.1.2.3/8').ip() == ip('10.1.2.3')");
        holds("isIP('::1') && !isIP('::ffff:1.2.3.4') && isCIDR('::/0') && !isCIDR('1.2.3.4/33')");
        holds("ip.isCanonical('10.0.0.1') && !ip.isCanonical('2001:DB8::1')");
    }
}
