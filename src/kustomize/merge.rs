//! Strategic merge patches: Kubernetes' merge keys, `$patch` directives.
//!
//! Values a patch sets keep the patch's spans, so a finding on them points
//! into the patch file; everything the patch leaves alone keeps the base's.

use super::tree::{get_mut, remove, set_entry};
use crate::load::{Entry, Node, Value};

/// What became of the patched object.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Kept,
    /// The patch said `$patch: delete` at its top.
    Deleted,
}

fn directive(node: &Node) -> Option<&str> {
    node.get("$patch").and_then(Node::as_str)
}

fn is_directive_key(key: &str) -> bool {
    key == "$patch"
        || key == "$retainKeys"
        || key.starts_with("$setElementOrder/")
        || key.starts_with("$deleteFromPrimitiveList/")
}

/// A copy of a patch value without its directives.
pub fn strip(node: &Node) -> Node {
    match &node.value {
        Value::Map(entries) => Node {
            span: node.span,
            value: Value::Map(
                entries
                    .iter()
                    .filter(|e| !e.key.as_scalar().is_some_and(is_directive_key))
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: strip(&e.value),
                    })
                    .collect(),
            ),
        },
        Value::Seq(items) => Node {
            span: node.span,
            value: Value::Seq(
                items
                    .iter()
                    .filter(|i| !(i.is_map() && directive(i).is_some() && i.entries().len() == 1))
                    .map(strip)
                    .collect(),
            ),
        },
        Value::Scalar(..) => node.clone(),
    }
}

/// Apply a strategic merge patch to an object.
pub fn merge_object(dst: &mut Node, patch: &Node) -> Outcome {
    match directive(patch) {
        Some("delete") => return Outcome::Deleted,
        Some("replace") => {
            *dst = strip(patch);
            return Outcome::Kept;
        }
        _ => {}
    }
    merge_map(dst, patch, Level::Root);
    drop_nulls(dst);
    Outcome::Kept
}

/// kustomize's merge walks the whole object and leaves out fields whose
/// value is null.
fn drop_nulls(node: &mut Node) {
    match &mut node.value {
        Value::Map(entries) => {
            // `creationTimestamp: null` (what controller-gen writes) stays,
            // as kustomize keeps a null where the schema has a scalar.
            entries
                .retain(|e| !e.value.is_null() || e.key.as_scalar() == Some("creationTimestamp"));
            for e in entries {
                drop_nulls(&mut e.value);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(drop_nulls),
        Value::Scalar(..) => {}
    }
}

/// Where a map sits: kustomize treats the object's own labels and
/// annotations as string maps (a null there is the string `null`, and
/// `labels: null` changes nothing).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Metadata,
    MetaStrings,
    Other,
}

fn merge_map(dst: &mut Node, patch: &Node, level: Level) {
    let string_map = level == Level::MetaStrings;
    if !dst.is_map() {
        *dst = strip(patch);
        return;
    }
    for entry in patch.entries() {
        let Some(key) = entry.key.as_scalar() else {
            continue;
        };
        if is_directive_key(key) {
            continue;
        }
        let value = &entry.value;
        if value.is_null() && string_map {
            let text =
                crate::load::Node::scalar("null", crate::load::ScalarStyle::Quoted, value.span);
            set_entry(
                dst,
                Entry {
                    key: entry.key.clone(),
                    value: text,
                },
            );
            continue;
        }
        if value.is_null() && level == Level::Metadata && matches!(key, "labels" | "annotations") {
            continue;
        }
        if value.is_null() {
            remove(dst, key);
            continue;
        }
        let child = match (level, key) {
            (Level::Root, "metadata") => Level::Metadata,
            (Level::Metadata, "labels" | "annotations") => Level::MetaStrings,
            _ => Level::Other,
        };
        if value.is_map() {
            match directive(value) {
                Some("delete") => {
                    remove(dst, key);
                    continue;
                }
                Some("replace") => {
                    set_entry(
                        dst,
                        Entry {
                            key: entry.key.clone(),
                            value: strip(value),
                        },
                    );
                    continue;
                }
                _ => {}
            }
        }
        match get_mut(dst, key) {
            Some(existing) if !existing.is_null() => merge_value(existing, value, key, child),
            _ => set_entry(
                dst,
                Entry {
                    key: entry.key.clone(),
                    value: strip(value),
                },
            ),
        }
    }
}

fn merge_value(dst: &mut Node, patch: &Node, field: &str, level: Level) {
    match (&patch.value, &dst.value) {
        (Value::Map(_), Value::Map(_)) => merge_map(dst, patch, level),
        (Value::Seq(_), Value::Seq(_)) => merge_list(dst, patch, field),
        _ => *dst = strip(patch),
    }
}

/// Fields whose lists are replaced whole, whatever their elements hold.
const ATOMIC_LISTS: &[&str] = &[
    "args",
    "command",
    "tolerations",
    "envFrom",
    "subjects",
    "rules",
    "verbs",
    "apiGroups",
    "resources",
    "resourceNames",
    "nonResourceURLs",
    "accessModes",
    "finalizers",
];

/// The merge key of a list field, from Kubernetes' API (`patchMergeKey`),
/// or `name` when every element of a list of an unknown type has one.
fn merge_key(field: &str, dst: &[Node], patch: &[Node]) -> Option<&'static str> {
    let all_have = |key: &str| {
        dst.iter()
            .chain(patch.iter().filter(|p| !is_list_directive(p)))
            .all(|n| n.is_map() && n.get(key).is_some())
    };
    let all_maps = dst
        .iter()
        .chain(patch.iter().filter(|p| !is_list_directive(p)))
        .all(Node::is_map);
    if !all_maps {
        return None;
    }
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => {
            if all_have("containerPort") {
                Some("containerPort")
            } else if all_have("port") {
                Some("port")
            } else {
                None
            }
        }
        f if ATOMIC_LISTS.contains(&f) => None,
        _ if all_have("name") => Some("name"),
        _ => None,
    }
}

fn is_list_directive(n: &Node) -> bool {
    n.is_map() && n.entries().len() == 1 && directive(n).is_some()
}

fn same_key(a: &Node, b: &Node, key: &str) -> bool {
    match (a.get(key), b.get(key)) {
        (Some(x), Some(y)) => x.as_scalar() == y.as_scalar(),
        _ => false,
    }
}

fn merge_list(dst: &mut Node, patch: &Node, field: &str) {
    let patch_items = patch.items();
    if patch_items
        .iter()
        .any(|p| is_list_directive(p) && directive(p) == Some("replace"))
    {
        *dst = strip(patch);
        return;
    }
    let Value::Seq(items) = &mut dst.value else {
        return;
    };
    let Some(key) = merge_key(field, items, patch_items) else {
        *dst = strip(patch);
        return;
    };
    // kustomize's order: the patch's elements first (merged with the
    // element of the same key), then the rest of the base in its order.
    let mut base: Vec<Option<Node>> = std::mem::take(items).into_iter().map(Some).collect();
    let mut out: Vec<Node> = Vec::with_capacity(base.len() + patch_items.len());
    for p in patch_items {
        if is_list_directive(p) {
            continue;
        }
        let found = base
            .iter_mut()
            .find(|b| b.as_ref().is_some_and(|b| same_key(b, p, key)));
        match directive(p) {
            Some("delete") => {
                if let Some(b) = found {
                    *b = None;
                }
            }
            Some("replace") => {
                if let Some(b) = found {
                    *b = None;
                }
                out.push(strip(p));
            }
            _ => match found.and_then(Option::take) {
                Some(mut b) => {
                    merge_map(&mut b, p, Level::Other);
                    out.push(b);
                }
                None => out.push(strip(p)),
            },
        }
    }
    out.extend(base.into_iter().flatten());
    *items = out;
}
