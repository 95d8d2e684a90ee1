//! `configMapGenerator` and `secretGenerator`: literals, files, env files.
//! Every data value points at the line that set it (the literal in the
//! kustomization, the line of the env file, the file entry).

use std::path::Path;

use super::hash::wrapped_base64 as base64;
use super::res::Res;
use super::tree::{empty_map, get_ci, set, string};
use super::{Build, Dir};
use crate::load::{Node, ScalarStyle};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

/// One data entry: key, value bytes, and the node to locate it by.
struct Datum {
    key: String,
    value: Vec<u8>,
    span: crate::source::Span,
}

fn strip_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn env_lines(
    build: &mut Build,
    dir: &Dir,
    entry: &Node,
    out: &mut Vec<Datum>,
) -> Result<(), String> {
    let rel = entry.as_str().unwrap_or("");
    let (file, bytes) = build.read_input(dir, rel)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("env file {rel} is not UTF-8"))?;
    let mut offset = 0usize;
    for (n, raw) in text.split('\n').enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if n == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, v),
            // kustomize reads the process environment here; a linter must
            // not depend on it, so the value is empty (as in a clean one).
            None => (line, ""),
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("{rel}: `{line}` is not a valid key=value line"));
        }
        let span = file.span_of_bytes(start..start + raw.trim_end_matches('\r').len());
        out.push(Datum {
            key: key.to_string(),
            value: value.as_bytes().to_vec(),
            span,
        });
    }
    Ok(())
}

fn file_source(
    build: &mut Build,
    dir: &Dir,
    entry: &Node,
    out: &mut Vec<Datum>,
) -> Result<(), String> {
    let spec = entry.as_str().unwrap_or("");
    let (key, rel) = match spec.split_once('=') {
        Some((k, p)) => (k.to_string(), p),
        None => (
            Path::new(spec)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            spec,
        ),
    };
    let (_, bytes) = build.read_input(dir, rel)?;
    out.push(Datum {
        key,
        value: bytes,
        span: entry.span,
    });
    Ok(())
}

/// Labels or annotations of `options` and of `generatorOptions`, merged.
fn meta_pairs(opts: &[Option<&Node>], field: &str) -> Vec<(String, Node)> {
    let mut out: Vec<(String, Node)> = Vec::new();
    for o in opts.iter().flatten() {
        if let Some(m) = get_ci(o, field) {
            for e in m.entries() {
                if let Some(k) = e.key.as_scalar() {
                    let v = Node::scalar(
                        e.value.as_scalar().unwrap_or(""),
                        ScalarStyle::Quoted,
                        e.value.span,
                    );
                    out.retain(|(x, _)| x != k);
                    out.push((k.to_string(), v));
                }
            }
        }
    }
    out
}

fn option_bool(opts: &[Option<&Node>], field: &str) -> Option<bool> {
    opts.iter()
        .rev()
        .flatten()
        .find_map(|o| get_ci(o, field).and_then(Node::as_bool))
}

/// Generate the objects of one generator list.
pub fn generate(
    build: &mut Build,
    dir: &Dir,
    kind: &str,
    list: &Node,
    global: Option<&Node>,
) -> Result<Vec<(Res, Behavior)>, String> {
    let mut out = Vec::new();
    for g in list.items() {
        let name_node = get_ci(g, "name");
        let Some(name) = name_node.and_then(Node::as_str) else {
            return Err(format!("a {kind} generator has no name"));
        };
        let name_span = name_node.map(|n| n.span).unwrap_or(g.span);
        let behavior = match get_ci(g, "behavior").and_then(Node::as_str).unwrap_or("") {
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            // kustomize treats anything else as unspecified: create.
            _ => Behavior::Create,
        };
        let mut data: Vec<Datum> = Vec::new();
        for lit in get_ci(g, "literals").map(Node::items).unwrap_or_default() {
            let text = lit.as_scalar().unwrap_or("");
            let Some((k, v)) = text.split_once('=') else {
                return Err(format!("literal `{text}` is not key=value"));
            };
            if k.is_empty() {
                return Err(format!("literal `{text}` has no key"));
            }
            data.push(Datum {
                key: k.to_string(),
                value: strip_quotes(v).as_bytes().to_vec(),
                span: lit.span,
            });
        }
        for f in get_ci(g, "files").map(Node::items).unwrap_or_default() {
            file_source(build, dir, f, &mut data)?;
        }
        let mut envs: Vec<&Node> = get_ci(g, "envs")
            .map(|e| e.items().iter().collect())
            .unwrap_or_default();
        if let Some(e) = get_ci(g, "env").filter(|e| e.as_str().is_some()) {
            envs.push(e);
        }
        for e in envs {
            env_lines(build, dir, e, &mut data)?;
        }
        let opts = [global, get_ci(g, "options")];
        let mut obj = empty_map(g.span);
        set(&mut obj, "apiVersion", string("v1", g.span));
        set(&mut obj, "kind", string(kind, g.span));
        let mut meta = empty_map(g.span);
        set(&mut meta, "name", string(name, name_span));
        if let Some(ns) =
            get_ci(g, "namespace").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            set(
                &mut meta,
                "namespace",
                string(ns.as_str().unwrap_or(""), ns.span),
            );
        }
        for field in ["labels", "annotations"] {
            let pairs = meta_pairs(&opts, field);
            if !pairs.is_empty() {
                let mut m = empty_map(g.span);
                for (k, v) in pairs {
                    set(&mut m, &k, v);
                }
                set(&mut meta, field, m);
            }
        }
        set(&mut obj, "metadata", meta);
        let mut text_data = empty_map(g.span);
        let mut binary = empty_map(g.span);
        for d in data {
            if kind == "Secret" {
                set(&mut text_data, &d.key, string(&base64(&d.value), d.span));
            } else {
                match String::from_utf8(d.value) {
                    Ok(s) => set(&mut text_data, &d.key, string(&s, d.span)),
                    Err(e) => set(&mut binary, &d.key, string(&base64(e.as_bytes()), d.span)),
                }
            }
        }
        if !text_data.entries().is_empty() {
            set(&mut obj, "data", text_data);
        }
        if !binary.entries().is_empty() {
            set(&mut obj, "binaryData", binary);
        }
        if kind == "Secret" {
            let t = get_ci(g, "type")
                .and_then(Node::as_str)
                .filter(|t| !t.is_empty());
            let span = get_ci(g, "type").map(|t| t.span).unwrap_or(g.span);
            set(&mut obj, "type", string(t.unwrap_or("Opaque"), span));
        }
        if option_bool(&opts, "immutable") == Some(true) {
            set(
                &mut obj,
                "immutable",
                Node::scalar("true", ScalarStyle::Plain, g.span),
            );
        }
        let mut res = Res::new(obj, dir.kust_file, 0);
        res.generated = true;
        res.needs_hash = option_bool(&opts, "disableNameSuffixHash") != Some(true);
        out.push((res, behavior));
    }
    Ok(out)
}

/// `behavior: merge`: the new data, labels and annotations over the old.
pub fn merge_into(old: &mut Res, new: Res) {
    for field in ["data", "binaryData"] {
        if let Some(d) = new.node.get(field) {
            let target = super::tree::map_at(&mut old.node, field, d.span);
            for e in d.entries() {
                super::tree::set_entry(target, e.clone());
            }
        }
    }
    for field in ["labels", "annotations"] {
        if let Some(d) = new.node.path(&["metadata", field]) {
            let meta = super::tree::map_at(&mut old.node, "metadata", d.span);
            let target = super::tree::map_at(meta, field, d.span);
            for e in d.entries() {
                super::tree::set_entry(target, e.clone());
            }
        }
    }
    old.needs_hash = new.needs_hash;
}
