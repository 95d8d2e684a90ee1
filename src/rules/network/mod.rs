//! Network rules. They read NetworkPolicies, Services, routes and
//! ReferenceGrants through the model's views ([`crate::model::network`]).
rules! {
    net001_missing_default_deny,
    net002_allow_all_namespaces,
    net003_cross_tenant_service_reference,
}

use crate::model::network::PolicySpec;
use crate::model::{Object, Spec};

/// The spec of a NetworkPolicy that has one.
pub fn policy_spec(obj: &Object) -> Option<&PolicySpec> {
    match &obj.spec {
        Spec::NetworkPolicy(p) => p.spec.as_ref(),
        _ => None,
    }
}
