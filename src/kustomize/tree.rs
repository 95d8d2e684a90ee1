//! Small edits on the loader's span-carrying tree.

use crate::load::{Entry, Node, ScalarStyle, Value};
use crate::source::Span;

/// A string scalar written by the build (a namespace, a prefixed name),
/// located where the kustomization set it.
pub fn string(text: &str, span: Span) -> Node {
    Node::scalar(text, ScalarStyle::Quoted, span)
}

pub fn empty_map(span: Span) -> Node {
    Node {
        span,
        value: Value::Map(Vec::new()),
    }
}

pub fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key.as_scalar() == Some(key))
            .map(|e| &mut e.value),
        _ => None,
    }
}

/// Set `key` to `value`, keeping the key node when the key exists.
pub fn set(node: &mut Node, key: &str, value: Node) {
    if !node.is_map() {
        *node = empty_map(value.span);
    }
    if let Value::Map(entries) = &mut node.value {
        if let Some(e) = entries
            .iter_mut()
            .rev()
            .find(|e| e.key.as_scalar() == Some(key))
        {
            e.value = value;
        } else {
            entries.push(Entry {
                key: Node::scalar(key, ScalarStyle::Plain, value.span),
                value,
            });
        }
    }
}

/// Set `key` to an entry whose key node comes from elsewhere (a patch).
pub fn set_entry(node: &mut Node, entry: Entry) {
    let Some(key) = entry.key.as_scalar().map(str::to_string) else {
        return;
    };
    if let Value::Map(entries) = &mut node.value {
        if let Some(e) = entries
            .iter_mut()
            .rev()
            .find(|e| e.key.as_scalar() == Some(key.as_str()))
        {
            e.value = entry.value;
        } else {
            entries.push(entry);
        }
    }
}

pub fn remove(node: &mut Node, key: &str) -> Option<Node> {
    match &mut node.value {
        Value::Map(entries) => {
            let mut out = None;
            entries.retain_mut(|e| {
                if e.key.as_scalar() == Some(key) {
                    out = Some(std::mem::replace(&mut e.value, empty_map(Span::default())));
                    false
                } else {
                    true
                }
            });
            out
        }
        _ => None,
    }
}

/// The map at `key`, created (empty, located at `span`) when missing or null.
pub fn map_at<'a>(node: &'a mut Node, key: &str, span: Span) -> &'a mut Node {
    let missing = !node.get(key).is_some_and(Node::is_map);
    if missing {
        set(node, key, empty_map(span));
    }
    get_mut(node, key).expect("just set")
}

/// A key of a kustomization, matched without regard to case as kustomize
/// does (`patchesJSON6902` is `patchesJson6902`).
pub fn get_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.entries()
        .iter()
        .rev()
        .find(|e| {
            e.key
                .as_scalar()
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        })
        .map(|e| &e.value)
}

/// The scalar text of a node whatever its type (`null` is none).
pub fn text(node: &Node) -> Option<&str> {
    node.as_str()
}
