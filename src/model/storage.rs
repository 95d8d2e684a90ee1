//! Storage: what a pod references (Secrets, ConfigMaps, claims) and where a
//! PersistentVolume keeps its data, read once per object.

use crate::load::Node;
use crate::model::uri::normalize_path;
use crate::source::{Span, Spanned};

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

    /// The reference kind of a core kind.
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
#[derive(Debug)]
pub struct PodRef {
    pub kind: RefKind,
    /// The name, where the pod spec writes it.
    pub name: Spanned<String>,
    /// For a claim volume: whether the pod only reads it (the volume, or
    /// every container mount of it, is `readOnly`).
    pub read_only: bool,
}

fn push(out: &mut Vec<PodRef>, kind: RefKind, node: Option<&Node>, read_only: bool) {
    if let Some(node) = node
        && let Some(name) = node.as_str()
    {
        out.push(PodRef {
            kind,
            name: Spanned::new(name.to_string(), node.span),
            read_only,
        });
    }
}

/// `source.key`.
fn named<'a>(source: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    source.and_then(|s| s.get(key))
}

/// Every Secret, ConfigMap and claim a pod uses, named by a string:
/// `volumes` (its own and inherited; also projected), then `envFrom` and
/// `valueFrom` of each of `containers`.
pub fn references(volumes: &[&Node], containers: &[&Node]) -> Vec<PodRef> {
    let mut out = Vec::new();
    for volume in volumes {
        push(
            &mut out,
            RefKind::Secret,
            named(volume.get("secret"), "secretName"),
            false,
        );
        push(
            &mut out,
            RefKind::ConfigMap,
            named(volume.get("configMap"), "name"),
            false,
        );
        for source in volume
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or_default()
        {
            push(
                &mut out,
                RefKind::Secret,
                named(source.get("secret"), "name"),
                false,
            );
            push(
                &mut out,
                RefKind::ConfigMap,
                named(source.get("configMap"), "name"),
                false,
            );
        }
        if let Some(claim) = volume.get("persistentVolumeClaim")
            && let Some(name) = claim.get("claimName")
        {
            let read_only = is_true(claim.get("readOnly"))
                || mounts_read_only(containers, volume.get_str("name"));
            push(&mut out, RefKind::Claim, Some(name), read_only);
        }
    }
    for c in containers {
        for from in c.get("envFrom").map(Node::items).unwrap_or_default() {
            for (key, kind) in [
                ("secretRef", RefKind::Secret),
                ("configMapRef", RefKind::ConfigMap),
            ] {
                push(&mut out, kind, from.path(&[key, "name"]), true);
            }
        }
        for env in c.get("env").map(Node::items).unwrap_or_default() {
            for (key, kind) in [
                ("secretKeyRef", RefKind::Secret),
                ("configMapKeyRef", RefKind::ConfigMap),
            ] {
                push(&mut out, kind, env.path(&["valueFrom", key, "name"]), true);
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

/// A core PersistentVolume.
#[derive(Debug)]
pub struct PersistentVolume {
    /// `spec.claimRef.namespace`: the namespace whose claim it is bound to.
    pub claim_namespace: Option<String>,
    /// Where it keeps its data, and the span of the path or handle.
    pub backing: Option<(Backing, Span)>,
}

/// Where a PersistentVolume keeps its data.
#[derive(Debug, PartialEq, Eq)]
pub enum Backing {
    Nfs { server: String, path: String },
    HostPath(String),
    Csi { driver: String, handle: String },
}

impl Backing {
    fn of(spec: &Node) -> Option<(Backing, Span)> {
        if let Some(nfs) = spec.get("nfs") {
            let path = nfs.get("path")?;
            let backing = Backing::Nfs {
                server: nfs.get_str("server")?.to_ascii_lowercase(),
                path: normalize_path(path.as_str()?),
            };
            return Some((backing, path.span));
        }
        if let Some(host) = spec.get("hostPath") {
            let path = host.get("path")?;
            return Some((Backing::HostPath(normalize_path(path.as_str()?)), path.span));
        }
        let csi = spec.get("csi")?;
        let handle = csi.get("volumeHandle")?;
        let backing = Backing::Csi {
            driver: csi.get_str("driver")?.to_string(),
            handle: handle.as_str()?.to_string(),
        };
        Some((backing, handle.span))
    }

    /// Whether one holds the other's data: the same storage, or for paths
    /// one directory inside the other.
    pub fn overlaps(&self, other: &Backing) -> bool {
        match (self, other) {
            (
                Backing::Nfs { server, path },
                Backing::Nfs {
                    server: s2,
                    path: p2,
                },
            ) => server == s2 && nested(path, p2),
            (Backing::HostPath(a), Backing::HostPath(b)) => nested(a, b),
            _ => self == other,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Backing::Nfs { server, path } => format!("NFS export `{server}:{path}`"),
            Backing::HostPath(p) => format!("host path `{p}`"),
            Backing::Csi { driver, handle } => format!("CSI volume `{handle}` of `{driver}`"),
        }
    }
}

/// `a` and `b` are the same directory or one is inside the other.
fn nested(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        outer == "/" || inner == outer || inner.starts_with(&format!("{outer}/"))
    };
    inside(a, b) || inside(b, a)
}

pub fn persistent_volume(root: &Node) -> PersistentVolume {
    let spec = root.get("spec");
    PersistentVolume {
        claim_namespace: spec
            .and_then(|s| s.path(&["claimRef", "namespace"]))
            .and_then(Node::as_str)
            .map(str::to_string),
        backing: spec.and_then(Backing::of),
    }
}
