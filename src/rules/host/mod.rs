//! Host rules: pods that reach through to the node every tenant shares.
rules! {
    host001_host_namespace,
    host002_host_path_volume,
    host003_privileged_container,
    host004_host_port,
}

use crate::model::Object;
use crate::model::k8s::{Container, PodTemplate};

/// The pods of a workload, each with how messages name it:
/// `` `Deployment team-a/x` `` or `` `RayCluster team-a/x` (head) ``.
pub(crate) fn pods(obj: &Object) -> Vec<(String, &PodTemplate)> {
    let Some(w) = obj.workload() else {
        return Vec::new();
    };
    w.templates
        .iter()
        .map(|t| (format!("`{}`{}", obj.describe(), t.role_suffix()), t))
        .collect()
}

/// Every container of a pod — init, regular, ephemeral and sidecars — with
/// how messages name it: `` container `train` of `Job team-a/x` ``.
pub(crate) fn containers<'a>(pod: &str, template: &'a PodTemplate) -> Vec<(String, &'a Container)> {
    template
        .containers
        .iter()
        .map(|c| {
            let name = c.name.as_deref().map_or("<unnamed>", String::as_str);
            (format!("{} `{name}` of {pod}", c.kind.noun()), c)
        })
        .collect()
}
