//! Resource and quota rules.
rules! {
    quota001_missing_resource_quota,
    quota002_missing_limit_range,
    quota003_missing_container_resources,
    quota004_gpu_not_in_quota,
}

use crate::model::Object;
use crate::model::k8s::{Container, PodTemplate};

/// How messages name a container: `` container `train` of `Job team-a/x` (Worker) ``.
pub(crate) fn container_label(obj: &Object, template: &PodTemplate, c: &Container) -> String {
    let name = c.name.as_deref().map_or("<unnamed>", String::as_str);
    format!(
        "{} `{name}` of `{}`{}",
        c.kind.noun(),
        obj.describe(),
        template.role_suffix()
    )
}
