//! Storage rules, and what a pod spec references.
pub mod store001_shared_volume_claim;
pub mod store002_cross_namespace_reference;

use crate::load::Node;
use crate::model::k8s::PodTemplate;

/// A namespaced object a pod can only use from its own namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    Secret,
    ConfigMap,
    Claim,
}

impl RefKind {
    pub fn kind(self) -> &'static str {
        match self {
            RefKind::Secret => "Secret",
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Claim => "PersistentVolumeClaim",
        }
    }

    pub fn of_kind(kind: &str) -> Option<RefKind> {
        match kind {
            "Secret" => Some(RefKind::Secret),
            "ConfigMap" => Some(RefKind::ConfigMap),
            "PersistentVolumeClaim" => Some(RefKind::Claim),
            _ => None,
        }
    }
}

/// One reference from a pod spec to a Secret, ConfigMap or claim.
pub struct Ref<'a> {
    pub kind: RefKind,
    /// The node that names the object.
    pub name: &'a Node,
    /// For a claim volume: whether the pod only reads it (the volume, or
    /// every container mount of it, is `readOnly`).
    pub read_only: bool,
}

/// Every Secret, ConfigMap and claim a pod uses: volumes (also projected,
/// also inherited), `envFrom` and `valueFrom` of every container.
pub fn references<'a>(root: &'a Node, pod: &'a PodTemplate) -> Vec<Ref<'a>> {
    let mut out = Vec::new();
    let containers: Vec<&Node> = pod.container_nodes(root).map(|(_, n)| n).collect();
    for volume in pod.volumes(root) {
        let mut push = |kind, source: Option<&'a Node>, key: &str| {
            if let Some(node) = source.and_then(|s| s.get(key)) {
                out.push(Ref {
                    kind,
                    name: node,
                    read_only: false,
                });
            }
        };
        push(RefKind::Secret, volume.get("secret"), "secretName");
        push(RefKind::ConfigMap, volume.get("configMap"), "name");
        for source in volume
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or_default()
        {
            push(RefKind::Secret, source.get("secret"), "name");
            push(RefKind::ConfigMap, source.get("configMap"), "name");
        }
        if let Some(claim) = volume.get("persistentVolumeClaim")
            && let Some(name) = claim.get("claimName")
        {
            out.push(Ref {
                kind: RefKind::Claim,
                name,
                read_only: is_true(claim.get("readOnly"))
                    || mounts_read_only(&containers, volume.get_str("name")),
            });
        }
    }
    for c in &containers {
        for from in c.get("envFrom").map(Node::items).unwrap_or_default() {
            for (key, kind) in [
                ("secretRef", RefKind::Secret),
                ("configMapRef", RefKind::ConfigMap),
            ] {
                if let Some(name) = from.path(&[key, "name"]) {
                    out.push(Ref {
                        kind,
                        name,
                        read_only: true,
                    });
                }
            }
        }
        for env in c.get("env").map(Node::items).unwrap_or_default() {
            for (key, kind) in [
                ("secretKeyRef", RefKind::Secret),
                ("configMapKeyRef", RefKind::ConfigMap),
            ] {
                if let Some(name) = env.path(&["valueFrom", key, "name"]) {
                    out.push(Ref {
                        kind,
                        name,
                        read_only: true,
                    });
                }
            }
        }
    }
    out
}

fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_bool) == Some(true)
}

/// Whether the containers mount volume `name` at least once, and only read-only.
fn mounts_read_only(containers: &[&Node], name: Option<&str>) -> bool {
    let Some(name) = name else { return false };
    let mounts: Vec<&Node> = containers
        .iter()
        .flat_map(|c| c.get("volumeMounts").map(Node::items).unwrap_or_default())
        .filter(|m| m.get_str("name") == Some(name))
        .collect();
    !mounts.is_empty() && mounts.iter().all(|m| is_true(m.get("readOnly")))
}
