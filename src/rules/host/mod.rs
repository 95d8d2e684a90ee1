//! Host rules: pods that reach through to the node every tenant shares.
pub mod host001_host_namespace;
pub mod host002_host_path_volume;
pub mod host003_privileged_container;
pub mod host004_host_port;

use crate::load::Node;
use crate::model::Object;
use crate::model::k8s::follow;

/// The pod spec mappings of a workload, each with how messages name it:
/// `` `Deployment team-a/x` `` or `` `RayCluster team-a/x` (head) ``.
pub(crate) fn pod_specs(obj: &Object) -> Vec<(String, &Node)> {
    let Some(w) = obj.workload() else {
        return Vec::new();
    };
    w.templates
        .iter()
        .filter_map(|t| {
            let spec = follow(&obj.root, &t.spec_path)?;
            let role = t
                .role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            Some((format!("`{}`{role}", obj.describe()), spec))
        })
        .collect()
}

/// Every container of a pod spec — init, regular and ephemeral — with how
/// messages name it: `` container `train` of `Job team-a/x` ``.
pub(crate) fn containers<'a>(pod: &str, spec: &'a Node) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    for (key, what) in [
        ("initContainers", "init container"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral container"),
    ] {
        let Some(list) = spec.get(key) else { continue };
        for c in list.items() {
            let name = c.get_str("name").unwrap_or("<unnamed>");
            out.push((format!("{what} `{name}` of {pod}"), c));
        }
    }
    out
}
