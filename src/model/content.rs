//! An object's content as `kubectl apply` writes it, in one canonical
//! string: copies of one object compare equal exactly when applying either
//! gives the same result.

use super::k8s::Object;
use crate::load::{Node, Value};

/// What `kubectl apply` writes of an object, canonically: mapping keys
/// sorted, without `status` and the metadata the server fills in (nor the
/// namespace, already part of the identity). Two copies with the same
/// content do not overwrite each other with anything different.
pub fn applied_content(obj: &Object) -> String {
    let mut out = String::new();
    canonical(&obj.root(), Level::Root, &mut out);
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Root,
    Metadata,
    Annotations,
    Other,
}

const SERVER_METADATA: &[&str] = &[
    "namespace",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
];

fn canonical(node: &Node, level: Level, out: &mut String) {
    use std::fmt::Write;
    match &node.value {
        Value::Scalar(s, _) => {
            let _ = write!(out, "{s:?}");
        }
        Value::Seq(items) => {
            out.push('[');
            for item in items {
                canonical(item, Level::Other, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut entries: Vec<_> = entries
                .iter()
                .filter_map(|e| Some((e.key.as_scalar()?, &e.value)))
                .filter(|(k, _)| match level {
                    Level::Root => *k != "status",
                    Level::Metadata => !SERVER_METADATA.contains(k),
                    Level::Annotations => *k != "kubectl.kubernetes.io/last-applied-configuration",
                    Level::Other => true,
                })
                .collect();
            // The last of duplicate keys wins, as in Kubernetes.
            entries.reverse();
            entries.sort_by_key(|(k, _)| *k);
            entries.dedup_by_key(|(k, _)| *k);
            out.push('{');
            for (k, v) in entries {
                let next = match (level, k) {
                    (Level::Root, "metadata") => Level::Metadata,
                    (Level::Metadata, "annotations") => Level::Annotations,
                    _ => Level::Other,
                };
                let _ = write!(out, "{k:?}:");
                canonical(v, next, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}
