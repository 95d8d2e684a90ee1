//! Network objects: NetworkPolicies, Services, Gateway API routes and
//! ReferenceGrants, read once per object with the spans rules point at.

use crate::load::Node;
use crate::source::{Span, Spanned};

/// The API group of the Gateway API.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// Route kinds of the Gateway API: each sends traffic to `backendRefs`.
pub const ROUTE_KINDS: &[&str] = &["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"];

/// A `networking.k8s.io` NetworkPolicy.
#[derive(Debug)]
pub struct NetworkPolicy {
    /// `None` when the policy has no `spec`.
    pub spec: Option<PolicySpec>,
}

#[derive(Debug)]
pub struct PolicySpec {
    /// `podSelector` selects every pod of the namespace (absent or empty).
    pub selects_all_pods: bool,
    /// The directions the policy isolates: `policyTypes`, or when absent
    /// Ingress, plus Egress when it has egress rules (as the API server
    /// defaults it).
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
}

/// One entry of `ingress:` or `egress:`.
#[derive(Debug)]
pub struct PolicyRule {
    pub ports: Vec<PolicyPort>,
    /// `from:` (ingress) or `to:` (egress).
    pub peers: Vec<Peer>,
}

#[derive(Debug)]
pub struct PolicyPort {
    /// `port`, a number or a name, as written.
    pub port: Option<String>,
    pub end_port: Option<String>,
}

#[derive(Debug)]
pub struct Peer {
    /// A `namespaceSelector` that selects every namespace, and its span.
    pub every_namespace: Option<Span>,
    pub ip_block: Option<IpBlock>,
}

#[derive(Debug)]
pub struct IpBlock {
    /// `cidr`, when it is a string.
    pub cidr: Option<Spanned<String>>,
    /// `except` lists at least one range.
    pub excepts: bool,
}

/// A core Service.
#[derive(Debug)]
pub struct Service {
    /// `spec.externalName` of a `type: ExternalName` Service.
    pub external_name: Option<Spanned<String>>,
}

/// A Gateway API route.
#[derive(Debug)]
pub struct Route {
    /// `rules[].backendRefs[]` and the `requestMirror` filters of rules and
    /// backends, in order.
    pub backends: Vec<BackendRef>,
}

#[derive(Debug)]
pub struct BackendRef {
    /// `""` (the core group) when absent.
    pub group: String,
    /// `Service` when absent.
    pub kind: String,
    pub name: Option<String>,
    /// The backend's `namespace:`, when it names one.
    pub namespace: Option<Spanned<String>>,
}

/// A Gateway API ReferenceGrant.
#[derive(Debug)]
pub struct ReferenceGrant {
    pub from: Vec<GrantFrom>,
    pub to: Vec<GrantTo>,
}

#[derive(Debug)]
pub struct GrantFrom {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<Spanned<String>>,
}

#[derive(Debug)]
pub struct GrantTo {
    /// `""` (the core group) when absent.
    pub group: String,
    pub kind: Option<String>,
    /// Absent: every object of the kind.
    pub name: Option<String>,
}

fn text(node: &Node) -> Option<Spanned<String>> {
    node.as_str()
        .map(|s| Spanned::new(s.to_string(), node.span))
}

fn owned(node: &Node, key: &str) -> Option<String> {
    node.get_str(key).map(str::to_string)
}

/// A label selector that selects everything: absent, `{}`, or with no
/// `matchLabels` and no `matchExpressions`.
fn selects_all(selector: Option<&Node>) -> bool {
    let Some(s) = selector else { return true };
    if s.is_null() {
        return true;
    }
    s.is_map()
        && s.entries().iter().all(|e| match e.key.as_scalar() {
            Some("matchLabels") => e.value.entries().is_empty(),
            Some("matchExpressions") => e.value.items().is_empty(),
            _ => true,
        })
}

pub fn network_policy(root: &Node) -> NetworkPolicy {
    let Some(spec) = root.get("spec") else {
        return NetworkPolicy { spec: None };
    };
    let (isolates_ingress, isolates_egress) = match spec.get("policyTypes").map(Node::items) {
        Some(types) if !types.is_empty() => (
            types.iter().any(|t| t.as_str() == Some("Ingress")),
            types.iter().any(|t| t.as_str() == Some("Egress")),
        ),
        _ => (
            true,
            spec.get("egress").is_some_and(|e| !e.items().is_empty()),
        ),
    };
    let rules = |key: &str, peers: &str| -> Vec<PolicyRule> {
        spec.get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|rule| PolicyRule {
                ports: rule
                    .get("ports")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .map(|p| PolicyPort {
                        port: owned(p, "port"),
                        end_port: owned(p, "endPort"),
                    })
                    .collect(),
                peers: rule
                    .get(peers)
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .map(peer)
                    .collect(),
            })
            .collect()
    };
    NetworkPolicy {
        spec: Some(PolicySpec {
            selects_all_pods: selects_all(spec.get("podSelector")),
            isolates_ingress,
            isolates_egress,
            ingress: rules("ingress", "from"),
            egress: rules("egress", "to"),
        }),
    }
}

fn peer(peer: &Node) -> Peer {
    Peer {
        every_namespace: peer
            .get("namespaceSelector")
            .filter(|s| selects_all(Some(s)))
            .map(|s| s.span),
        ip_block: peer.get("ipBlock").map(|block| IpBlock {
            cidr: block.get("cidr").and_then(text),
            excepts: block.get("except").is_some_and(|e| !e.items().is_empty()),
        }),
    }
}

pub fn service(root: &Node) -> Service {
    let spec = root.get("spec");
    Service {
        external_name: spec
            .filter(|s| s.get_str("type") == Some("ExternalName"))
            .and_then(|s| s.get("externalName"))
            .and_then(text),
    }
}

pub fn route(root: &Node) -> Route {
    let mut nodes = Vec::new();
    let rules = root.path(&["spec", "rules"]);
    for rule in rules.map(Node::items).unwrap_or_default() {
        for b in rule.get("backendRefs").map(Node::items).unwrap_or_default() {
            nodes.push(b);
            mirrors(b.get("filters"), &mut nodes);
        }
        mirrors(rule.get("filters"), &mut nodes);
    }
    Route {
        backends: nodes
            .into_iter()
            .map(|b| BackendRef {
                group: b.get_str("group").unwrap_or("").to_string(),
                kind: b.get_str("kind").unwrap_or("Service").to_string(),
                name: owned(b, "name"),
                namespace: b.get("namespace").and_then(text),
            })
            .collect(),
    }
}

fn mirrors<'a>(filters: Option<&'a Node>, out: &mut Vec<&'a Node>) {
    for f in filters.map(Node::items).unwrap_or_default() {
        if let Some(b) = f.path(&["requestMirror", "backendRef"]) {
            out.push(b);
        }
    }
}

pub fn reference_grant(root: &Node) -> ReferenceGrant {
    let spec = root.get("spec");
    let items = |key: &str| {
        spec.and_then(|s| s.get(key))
            .map(Node::items)
            .unwrap_or_default()
    };
    ReferenceGrant {
        from: items("from")
            .iter()
            .map(|f| GrantFrom {
                group: owned(f, "group"),
                kind: owned(f, "kind"),
                namespace: f.get("namespace").and_then(text),
            })
            .collect(),
        to: items("to")
            .iter()
            .map(|t| GrantTo {
                group: t.get_str("group").unwrap_or("").to_string(),
                kind: owned(t, "kind"),
                name: owned(t, "name"),
            })
            .collect(),
    }
}
