//! Tree → JSON value (YAML 1.2 core schema), for comparisons, JSON patch
//! `test`, and the hashes of generated ConfigMaps and Secrets.

use crate::load::{Node, ScalarStyle, Value};

/// The JSON value of a node, typed as kustomize's YAML 1.2 reader types it.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Scalar(s, ScalarStyle::Plain) => plain_scalar(s),
        Value::Scalar(s, _) => J::String(s.to_string()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut m = serde_json::Map::new();
            for e in entries {
                let k = match &e.key.value {
                    Value::Scalar(s, _) => s.to_string(),
                    _ => serde_json::to_string(&to_json(&e.key)).unwrap_or_default(),
                };
                m.insert(k, to_json(&e.value));
            }
            J::Object(m)
        }
    }
}

fn plain_scalar(s: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return J::Null,
        "true" | "True" | "TRUE" => return J::Bool(true),
        "false" | "False" | "FALSE" => return J::Bool(false),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // A leading zero is octal to kustomize's reader (`0755` is 493).
        if digits.len() > 1
            && digits.starts_with('0')
            && digits.bytes().all(|b| b < b'8')
            && let Ok(i) = i64::from_str_radix(digits, 8)
        {
            return J::from(if s.starts_with('-') { -i } else { i });
        }
        if let Ok(i) = s.parse::<i64>() {
            return J::from(i);
        }
    }
    if let Some(hex) = s.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return J::from(i);
    }
    if let Some(oct) = s.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return J::from(i);
    }
    let looks_float = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_float && let Ok(f) = s.parse::<f64>() {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return J::from(f as i64);
        }
        if let Some(n) = serde_json::Number::from_f64(f) {
            return J::Number(n);
        }
    }
    match s {
        ".inf" | ".Inf" | ".INF" | "-.inf" | ".nan" | ".NaN" | ".NAN" => J::String(s.to_string()),
        _ => J::String(s.to_string()),
    }
}

/// Go's `encoding/json` string encoding (HTML-safe), which kustomize's hash
/// reads.
pub fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` of a decoded JSON value: keys sorted bytewise.
pub fn go_json(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => go_json_string(s, out),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                go_json(&m[k.as_str()], out);
            }
            out.push('}');
        }
    }
}
