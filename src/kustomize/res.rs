//! Resources during a build: the object tree plus what kustomize tracks
//! beside it (previous ids for name references, prefixes, hash flag).

use crate::load::Node;
use crate::model::k8s::{Scope, builtin_scope, group_of};
use crate::source::FileId;

/// Group, version, kind, name, namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Id {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    /// As written; see [`Id::effective_namespace`].
    pub namespace: String,
}

impl Id {
    pub fn of(node: &Node) -> Id {
        let api = node.get_str("apiVersion").unwrap_or("");
        let (group, version) = match api.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api.to_string()),
        };
        let meta = node.get("metadata");
        Id {
            group,
            version,
            kind: node.get_str("kind").unwrap_or("").to_string(),
            name: meta
                .and_then(|m| m.get_str("name"))
                .unwrap_or("")
                .to_string(),
            namespace: meta
                .and_then(|m| m.get_str("namespace"))
                .unwrap_or("")
                .to_string(),
        }
    }

    pub fn cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.kind)
    }

    /// `default` for a namespaced object without one; empty for a
    /// cluster-scoped object.
    pub fn effective_namespace(&self) -> &str {
        if self.cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    pub fn ns_equals(&self, other: &Id) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// kustomize's `ResId.Equals`: same group, version, kind, name and
    /// effective namespace.
    pub fn equals(&self, other: &Id) -> bool {
        self.group == other.group
            && self.version == other.version
            && self.kind == other.kind
            && self.name == other.name
            && self.ns_equals(other)
    }
}

/// Cluster-scoped as kustomize knows it: Kubernetes' own API groups only
/// (it treats every custom resource as namespaced).
pub fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    let kubernetes_group = matches!(group, "" | "apps" | "batch" | "policy" | "autoscaling")
        || (group.ends_with(".k8s.io") && group != "gateway.networking.k8s.io");
    kubernetes_group && builtin_scope(group, kind) == Scope::Cluster
}

/// A group/version/kind selector: empty fields match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn new(group: &str, version: &str, kind: &str) -> Gvk {
        Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    pub fn selects(&self, id: &Id) -> bool {
        (self.group.is_empty() || self.group == id.group)
            && (self.version.is_empty() || self.version == id.version)
            && (self.kind.is_empty() || self.kind == id.kind)
    }
}

#[derive(Clone, Debug)]
pub struct Res {
    pub node: Node,
    /// The file the object's document is in (the kustomization for a
    /// generated object).
    pub file: FileId,
    pub doc: u32,
    /// Every id the object had before a transformer renamed it, oldest
    /// first (kustomize's previous-id annotations).
    pub prev: Vec<Id>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// A generated ConfigMap or Secret whose name takes a content hash.
    pub needs_hash: bool,
    /// Made by a generator (so `behavior: merge` can find it).
    pub generated: bool,
    /// `metadata.namespace` as the resource file wrote it.
    pub written_namespace: Option<Node>,
}

impl Res {
    pub fn new(node: Node, file: FileId, doc: u32) -> Res {
        Res {
            node,
            file,
            doc,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            generated: false,
            written_namespace: None,
        }
    }

    pub fn cur_id(&self) -> Id {
        Id::of(&self.node)
    }

    pub fn org_id(&self) -> Id {
        self.prev.first().cloned().unwrap_or_else(|| self.cur_id())
    }

    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev.push(id);
    }

    pub fn any_id_equals(&self, id: &Id) -> bool {
        self.cur_id().equals(id) || self.prev.iter().any(|p| p.equals(id))
    }

    pub fn name(&self) -> String {
        self.cur_id().name
    }
}

/// `group/version` → the group of an `apiVersion`.
pub fn group(api_version: &str) -> &str {
    group_of(api_version)
}
