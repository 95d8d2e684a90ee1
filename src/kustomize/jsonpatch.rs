//! JSON patches (RFC 6902): `add`, `remove`, `replace`, `move`, `copy`,
//! `test`. Values come from the patch with their spans.

use super::json::to_json;
use super::tree::{get_mut, remove, set_entry};
use crate::load::{Entry, Node, ScalarStyle, Value};

fn pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("JSON pointer `{path}` does not start with `/`"));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn child_mut<'a>(node: &'a mut Node, seg: &str) -> Option<&'a mut Node> {
    if node.is_map() {
        return get_mut(node, seg);
    }
    match &mut node.value {
        Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

fn resolve_mut<'a>(root: &'a mut Node, segs: &[String]) -> Option<&'a mut Node> {
    let mut node = root;
    for s in segs {
        node = child_mut(node, s)?;
    }
    Some(node)
}

fn resolve<'a>(root: &'a Node, segs: &[String]) -> Option<&'a Node> {
    let mut node = root;
    for s in segs {
        node = match &node.value {
            Value::Map(_) => node.get(s)?,
            Value::Seq(items) => items.get(s.parse::<usize>().ok()?)?,
            Value::Scalar(..) => return None,
        };
    }
    Some(node)
}

fn add(root: &mut Node, segs: &[String], value: Node, key_span: Node) -> Result<(), String> {
    let Some((last, parent)) = segs.split_last() else {
        *root = value;
        return Ok(());
    };
    let parent = resolve_mut(root, parent).ok_or("the parent of the path does not exist")?;
    match &mut parent.value {
        Value::Map(_) => {
            set_entry(
                parent,
                Entry {
                    key: Node::scalar(last, ScalarStyle::Plain, key_span.span),
                    value,
                },
            );
            Ok(())
        }
        Value::Seq(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| format!("`{last}` is not an index"))?;
            if i > items.len() {
                return Err(format!("index {i} is out of range"));
            }
            items.insert(i, value);
            Ok(())
        }
        Value::Scalar(..) => Err("the parent of the path is a scalar".into()),
    }
}

fn take(root: &mut Node, segs: &[String]) -> Result<Node, String> {
    let Some((last, parent)) = segs.split_last() else {
        return Err("cannot remove the whole object".into());
    };
    let parent = resolve_mut(root, parent).ok_or("the parent of the path does not exist")?;
    match &mut parent.value {
        Value::Map(_) => remove(parent, last).ok_or_else(|| format!("no field `{last}` to remove")),
        Value::Seq(items) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("`{last}` is not an index"))?;
            if i >= items.len() {
                return Err(format!("index {i} is out of range"));
            }
            Ok(items.remove(i))
        }
        Value::Scalar(..) => Err("the parent of the path is a scalar".into()),
    }
}

/// Apply the operations (a sequence of maps) to `obj`.
pub fn apply(obj: &mut Node, ops: &Node) -> Result<(), String> {
    for op in ops.items() {
        let name = op.get_str("op").unwrap_or("");
        let path_node = op
            .get("path")
            .ok_or("a JSON patch operation has no `path`")?;
        let path = pointer(path_node.as_scalar().unwrap_or(""))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a `value`"))
        };
        let from = || pointer(op.get_str("from").unwrap_or(""));
        let at = |e: String| format!("{name} {}: {e}", path_node.as_scalar().unwrap_or(""));
        match name {
            "add" => add(obj, &path, value()?, path_node.clone()).map_err(at)?,
            "remove" => {
                take(obj, &path).map_err(at)?;
            }
            "replace" => {
                let v = value()?;
                match resolve_mut(obj, &path) {
                    Some(target) => *target = v,
                    // kustomize's JSON patch library replaces a missing key
                    // of a map by adding it.
                    None => add(obj, &path, v, path_node.clone())
                        .map_err(|_| at("the path does not exist".into()))?,
                }
            }
            "move" => {
                let v = take(obj, &from()?).map_err(at)?;
                add(obj, &path, v, path_node.clone()).map_err(at)?;
            }
            "copy" => {
                let v = resolve(obj, &from()?)
                    .cloned()
                    .ok_or_else(|| at("`from` does not exist".into()))?;
                add(obj, &path, v, path_node.clone()).map_err(at)?;
            }
            "test" => {
                let v = value()?;
                let got =
                    resolve(obj, &path).ok_or_else(|| at("the path does not exist".into()))?;
                if to_json(got) != to_json(&v) {
                    return Err(at("test failed".into()));
                }
            }
            other => return Err(format!("unknown JSON patch operation `{other}`")),
        }
    }
    Ok(())
}
