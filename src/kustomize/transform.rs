//! kustomize's built-in transformers: namespace, name prefix and suffix,
//! labels, annotations, images, replicas. Field lists are Kubernetes facts
//! (where a pod template's labels are, which selectors must match them).

use super::res::{Gvk, Res};
use super::tree::{self, get_mut, set, string};
use crate::load::{Node, ScalarStyle, Value};
use crate::source::Span;

/// A field path (segments) on the objects a selector picks.
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: Vec<String>,
    pub create: bool,
}

impl FieldSpec {
    pub fn new(group: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk::new(group, "", kind),
            path: split_path(path),
            create,
        }
    }
}

/// `a/b\/c/d[]` → `["a", "b/c", "d"]`.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    // `containers[]` keeps its marker: a list is never created.
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Run `f` on every node at `path` (lists on the way are entered element by
/// element); with `create`, missing maps on the way and the last field (made
/// by `make`) are added.
pub fn visit(
    node: &mut Node,
    path: &[String],
    create: bool,
    make: &dyn Fn() -> Node,
    f: &mut dyn FnMut(&mut Node),
) {
    if let Value::Seq(items) = &mut node.value {
        for item in items {
            visit(item, path, create, make, f);
        }
        return;
    }
    let Some((key, rest)) = path.split_first() else {
        f(node);
        return;
    };
    let (key, create) = match key.strip_suffix("[]") {
        Some(k) => (k, false),
        None => (key.as_str(), create),
    };
    if !node.is_map() {
        return;
    }
    let present = node.get(key).is_some_and(|n| !n.is_null());
    if !present {
        if !create {
            return;
        }
        let fresh = if rest.is_empty() {
            make()
        } else {
            tree::empty_map(make().span)
        };
        set(node, key, fresh);
    }
    if let Some(child) = get_mut(node, key) {
        visit(child, rest, create, make, f);
    }
}

fn pod_template_kinds() -> [(&'static str, &'static str); 6] {
    [
        ("", "Deployment"),
        ("", "ReplicaSet"),
        ("", "DaemonSet"),
        ("apps", "StatefulSet"),
        ("batch", "Job"),
        ("", "ReplicationController"),
    ]
}

/// Where labels go: metadata, and with `templates` the pod templates too.
fn label_specs(templates: bool, selectors: bool) -> Vec<FieldSpec> {
    let mut specs = vec![FieldSpec::new("", "", "metadata/labels", true)];
    if templates || selectors {
        for (g, k) in pod_template_kinds() {
            specs.push(FieldSpec::new(g, k, "spec/template/metadata/labels", true));
        }
        specs.push(FieldSpec::new(
            "batch",
            "CronJob",
            "spec/jobTemplate/metadata/labels",
            true,
        ));
        specs.push(FieldSpec::new(
            "batch",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/labels",
            true,
        ));
        specs.push(FieldSpec::new(
            "apps",
            "StatefulSet",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ));
    }
    if selectors {
        specs.push(FieldSpec::new("", "Service", "spec/selector", true));
        specs.push(FieldSpec::new(
            "",
            "ReplicationController",
            "spec/selector",
            true,
        ));
        for k in ["Deployment", "ReplicaSet", "DaemonSet"] {
            specs.push(FieldSpec::new("", k, "spec/selector/matchLabels", true));
        }
        specs.push(FieldSpec::new(
            "apps",
            "StatefulSet",
            "spec/selector/matchLabels",
            true,
        ));
        for k in ["Deployment", "StatefulSet"] {
            for p in [
                "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
                "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
                "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
                "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
                "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
            ] {
                specs.push(FieldSpec::new("apps", k, p, false));
            }
        }
        specs.push(FieldSpec::new(
            "batch",
            "Job",
            "spec/selector/matchLabels",
            false,
        ));
        specs.push(FieldSpec::new(
            "batch",
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ));
        specs.push(FieldSpec::new(
            "policy",
            "PodDisruptionBudget",
            "spec/selector/matchLabels",
            false,
        ));
        for p in [
            "spec/podSelector/matchLabels",
            "spec/ingress/from/podSelector/matchLabels",
            "spec/egress/to/podSelector/matchLabels",
        ] {
            specs.push(FieldSpec::new(
                "networking.k8s.io",
                "NetworkPolicy",
                p,
                false,
            ));
        }
    }
    specs
}

fn annotation_specs() -> Vec<FieldSpec> {
    let mut specs = vec![FieldSpec::new("", "", "metadata/annotations", true)];
    for (g, k) in pod_template_kinds() {
        let g = if k == "StatefulSet" { "" } else { g };
        specs.push(FieldSpec::new(
            g,
            k,
            "spec/template/metadata/annotations",
            true,
        ));
    }
    specs.push(FieldSpec::new(
        "batch",
        "CronJob",
        "spec/jobTemplate/metadata/annotations",
        true,
    ));
    specs.push(FieldSpec::new(
        "batch",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ));
    specs
}

/// Key/value pairs a kustomization sets, each with the span of its value.
pub type Pairs = Vec<(String, Node)>;

fn put_pairs(map: &mut Node, pairs: &Pairs) {
    if !map.is_map() {
        if map.is_null() {
            *map = tree::empty_map(map.span);
        } else {
            return;
        }
    }
    for (k, v) in pairs {
        set(map, k, v.clone());
    }
}

fn apply_pairs(res: &mut [Res], specs: &[FieldSpec], pairs: &Pairs, at: Span) {
    if pairs.is_empty() {
        return;
    }
    for r in res.iter_mut() {
        let id = r.cur_id();
        for spec in specs {
            if spec.gvk.selects(&id) {
                visit(
                    &mut r.node,
                    &spec.path,
                    spec.create,
                    &|| tree::empty_map(at),
                    &mut |m| put_pairs(m, pairs),
                );
            }
        }
    }
}

pub fn labels(res: &mut [Res], pairs: &Pairs, templates: bool, selectors: bool, at: Span) {
    apply_pairs(res, &label_specs(templates, selectors), pairs, at);
}

pub fn annotations(res: &mut [Res], pairs: &Pairs, at: Span) {
    apply_pairs(res, &annotation_specs(), pairs, at);
}

/// The namespace transformer: `metadata.namespace` of namespaced objects,
/// the name of `Namespace` objects, the service namespaces of APIServices
/// and CRD conversion webhooks, and RoleBinding subjects named `default`.
pub fn namespace(res: &mut [Res], ns: &Node) -> Result<(), String> {
    let Some(value) = ns.as_str() else {
        return Ok(());
    };
    let make = || string(value, ns.span);
    let mut setter = |n: &mut Node| {
        if !n.is_map() {
            *n = make();
        }
    };
    for r in res.iter_mut() {
        if r.node.entries().is_empty() {
            continue;
        }
        r.store_previous_id();
        let id = r.cur_id();
        if !id.cluster_scoped() {
            visit(
                &mut r.node,
                &split_path("metadata/namespace"),
                true,
                &make,
                &mut setter,
            );
        }
        if id.kind == "Namespace" && r.node.get_str("apiVersion") == Some("v1") {
            visit(
                &mut r.node,
                &split_path("metadata/name"),
                true,
                &make,
                &mut setter,
            );
        }
        if id.kind == "APIService" && id.group == "apiregistration.k8s.io" {
            visit(
                &mut r.node,
                &split_path("spec/service/namespace"),
                true,
                &make,
                &mut setter,
            );
        }
        if id.kind == "CustomResourceDefinition" && id.group == "apiextensions.k8s.io" {
            visit(
                &mut r.node,
                &split_path("spec/conversion/webhook/clientConfig/service/namespace"),
                false,
                &make,
                &mut setter,
            );
        }
        if (id.kind == "RoleBinding" || id.kind == "ClusterRoleBinding")
            && let Some(Value::Seq(subjects)) =
                get_mut(&mut r.node, "subjects").map(|s| &mut s.value)
        {
            for s in subjects {
                if s.get_str("name") == Some("default") {
                    set(s, "namespace", make());
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for r in res.iter() {
        let id = r.cur_id();
        if !seen.insert((
            id.group.clone(),
            id.version.clone(),
            id.kind.clone(),
            id.name.clone(),
            id.effective_namespace().to_string(),
        )) {
            return Err(format!(
                "namespace transformation produces ID conflict: {} {}",
                id.kind, id.name
            ));
        }
    }
    Ok(())
}

fn skips_prefix(r: &Res) -> bool {
    let id = r.org_id();
    id.kind == "CustomResourceDefinition"
        || id.kind == "Namespace"
        || (id.kind == "APIService" && id.group == "apiregistration.k8s.io")
}

/// `namePrefix` / `nameSuffix`.
pub fn affix(res: &mut [Res], text: &str, suffix: bool) {
    if text.is_empty() {
        return;
    }
    for r in res.iter_mut() {
        if skips_prefix(r) {
            continue;
        }
        if suffix {
            r.suffixes.push(text.to_string());
        } else {
            r.prefixes.push(text.to_string());
        }
        r.store_previous_id();
        if let Some(name) = get_mut(&mut r.node, "metadata").and_then(|m| get_mut(m, "name"))
            && let Some(old) = name.as_scalar().map(str::to_string)
        {
            let new = if suffix {
                format!("{old}{text}")
            } else {
                format!("{text}{old}")
            };
            *name = Node::scalar(&new, ScalarStyle::Quoted, name.span);
        }
    }
}

/// One entry of `images`.
pub struct Image {
    pub name: String,
    pub new_name: Option<Node>,
    pub new_tag: Option<Node>,
    pub digest: Option<Node>,
    pub tag_suffix: Option<String>,
}

/// `name`, `tag`, `digest` of an image reference.
fn split_image(image: &str) -> (&str, &str, &str) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, d),
        None => (image, ""),
    };
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], &rest[slash + i + 1..], digest),
        None => (rest, "", digest),
    }
}

fn retag(node: &mut Node, img: &Image) {
    let Some(value) = node.as_str() else {
        return;
    };
    let (name, tag, digest) = split_image(value);
    if name != img.name {
        return;
    }
    let mut span = node.span;
    let mut name = name.to_string();
    let mut tag = tag.to_string();
    let mut digest = digest.to_string();
    if let Some(n) = img
        .new_name
        .as_ref()
        .and_then(|n| n.as_str().map(|s| (s, n.span)))
    {
        name = n.0.to_string();
        span = n.1;
    }
    let new_tag = img
        .new_tag
        .as_ref()
        .and_then(|n| n.as_str().map(|s| (s, n.span)));
    let new_digest = img
        .digest
        .as_ref()
        .and_then(|n| n.as_str().map(|s| (s, n.span)));
    match (new_tag, new_digest) {
        (Some(t), Some(d)) => {
            tag = t.0.to_string();
            digest = d.0.to_string();
            span = t.1;
        }
        (Some(t), None) => {
            tag = t.0.to_string();
            digest.clear();
            span = t.1;
        }
        (None, Some(d)) => {
            tag.clear();
            digest = d.0.to_string();
            span = d.1;
        }
        (None, None) => {
            if let Some(s) = &img.tag_suffix {
                tag.push_str(s);
                digest.clear();
            }
        }
    }
    let mut out = name;
    if !tag.is_empty() {
        out.push(':');
        out.push_str(&tag);
    }
    if !digest.is_empty() {
        out.push('@');
        out.push_str(&digest);
    }
    *node = Node::scalar(&out, ScalarStyle::Quoted, span);
}

fn retag_containers(node: &mut Node, img: &Image) {
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                retag_containers(&mut e.value, img);
                let key = e.key.as_scalar();
                if matches!(key, Some("containers" | "initContainers"))
                    && let Value::Seq(items) = &mut e.value.value
                {
                    for c in items {
                        if let Some(image) = get_mut(c, "image") {
                            retag(image, img);
                        }
                    }
                }
            }
        }
        Value::Seq(items) => {
            for i in items {
                retag_containers(i, img);
            }
        }
        Value::Scalar(..) => {}
    }
}

/// `images`: every `containers` / `initContainers` list anywhere in an
/// object (CRDs aside), as kustomize's image transformer walks them.
pub fn images(res: &mut [Res], imgs: &[Image]) {
    for r in res.iter_mut() {
        if r.cur_id().kind == "CustomResourceDefinition" {
            continue;
        }
        for img in imgs {
            retag_containers(&mut r.node, img);
        }
    }
}

/// `replicas`: `spec.replicas` of the named workloads.
pub fn replicas(res: &mut [Res], name: &str, count: &Node) {
    for r in res.iter_mut() {
        let id = r.cur_id();
        let org = r.org_id();
        if (id.name != name && org.name != name)
            || !matches!(
                id.kind.as_str(),
                "Deployment" | "ReplicationController" | "ReplicaSet" | "StatefulSet"
            )
        {
            continue;
        }
        let value = Node::scalar(
            count.as_scalar().unwrap_or("0"),
            ScalarStyle::Plain,
            count.span,
        );
        let spec = tree::map_at(&mut r.node, "spec", count.span);
        set(spec, "replicas", value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split_at_tag_and_digest() {
        assert_eq!(split_image("nginx"), ("nginx", "", ""));
        assert_eq!(split_image("nginx:1.2"), ("nginx", "1.2", ""));
        assert_eq!(
            split_image("localhost:5000/app:v1@sha256:ab"),
            ("localhost:5000/app", "v1", "sha256:ab")
        );
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", "", "")
        );
    }

    #[test]
    fn escaped_slashes_stay_in_one_segment() {
        assert_eq!(
            split_path("metadata/annotations/a.io\\/b"),
            ["metadata", "annotations", "a.io/b"]
        );
        assert_eq!(
            split_path("spec/containers[]/image"),
            ["spec", "containers[]", "image"]
        );
    }
}
