//! Network rules, and how they read a NetworkPolicy.
pub mod net001_missing_default_deny;
pub mod net002_allow_all_namespaces;
pub mod net003_cross_tenant_service_reference;

use crate::load::Node;
use crate::model::Object;

pub fn is_network_policy(obj: &Object) -> bool {
    obj.is_kind("networking.k8s.io", "NetworkPolicy")
}

/// A label selector that selects everything: absent, `{}`, or with no
/// `matchLabels` and no `matchExpressions`.
pub fn selects_all(selector: Option<&Node>) -> bool {
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

/// The directions a policy isolates: `policyTypes`, or when absent Ingress,
/// plus Egress when it has egress rules (as the API server defaults it).
pub struct PolicyTypes {
    pub ingress: bool,
    pub egress: bool,
}

pub fn policy_types(spec: &Node) -> PolicyTypes {
    match spec.get("policyTypes").map(Node::items) {
        Some(types) if !types.is_empty() => PolicyTypes {
            ingress: types.iter().any(|t| t.as_str() == Some("Ingress")),
            egress: types.iter().any(|t| t.as_str() == Some("Egress")),
        },
        _ => PolicyTypes {
            ingress: true,
            egress: spec.get("egress").is_some_and(|e| !e.items().is_empty()),
        },
    }
}
