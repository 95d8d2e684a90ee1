//! YAML004 incomplete-object.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "YAML004",
        name: "incomplete-object",
        category: Category::Input,
        severity: Severity::Warning,
        summary: "a document with `kind` but no `apiVersion`, or an object without a name",
        docs: Docs {
            what: "Reports a document that has a `kind` but no `apiVersion` (on the `kind` \
                   value), and a Kubernetes object with neither `metadata.name` nor \
                   `metadata.generateName` (on the `metadata:` key, or on `kind` when there is \
                   no metadata). Documents without a `kind` — Helm's `Chart.yaml`, values \
                   files — are not objects, and neither is a `kind: List` (its items are).",
            why: "The API server rejects such a document, so the tenant's quota, policy or \
                  binding it was meant to create never exists — often unnoticed when the \
                  document is one of many in a `kubectl apply`. Every other rule also has to \
                  guess what the object is: without an `apiVersion` its group is unknown, \
                  without a name it cannot be referenced or compared.",
            example: "kind: ResourceQuota\nmetadata:\n  namespace: team-a\nspec:\n  hard:\n    requests.nvidia.com/gpu: \"4\"\n",
            use_instead: "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: gpus\n  namespace: team-a\nspec:\n  hard:\n    requests.nvidia.com/gpu: \"4\"\n",
            options: None,
            known_problems: Some(
                "Configuration files of Kubernetes tools that look like objects but are read \
                 by the tool, not the API server (kubeconfig `Config`, kubeadm, kubelet, \
                 scheduler, audit and admission configuration, kind and k3d clusters, \
                 kustomize and Skaffold files, `IstioOperator`) may legitimately have no name \
                 and are not checked for one; nor are documents with a `status`, which record \
                 the state of a live object (health-check test data) rather than a manifest.",
            ),
            references: Some(
                "- [Kubernetes: required fields](https://kubernetes.io/docs/concepts/overview/working-with-objects/#required-fields)",
            ),
        },
    },
    check: Check::Object(check),
};

/// API groups of configuration files that tools read themselves; they have
/// `apiVersion` and `kind` but need no name.
const TOOL_CONFIG_GROUPS: &[&str] = &[
    "apiserver.config.k8s.io",
    "apiserver.k8s.io",
    "audit.k8s.io",
    "client.authentication.k8s.io",
    "config.kubernetes.io",
    "ctlptl.dev",
    "eventratelimit.admission.k8s.io",
    "install.istio.io",
    "k3d.io",
    "kind.x-k8s.io",
    "kpt.dev",
    "kubeadm.k8s.io",
    "kubecontrollermanager.config.k8s.io",
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
    "kubescheduler.config.k8s.io",
    "kustomize.config.k8s.io",
    "pod-security.admission.config.k8s.io",
    "skaffold",
];

fn is_tool_config(obj: &Object) -> bool {
    TOOL_CONFIG_GROUPS.contains(&obj.group.as_str())
        || obj.group.ends_with(".config.k8s.io")
        // A kubeconfig: `apiVersion: v1`, `kind: Config`.
        || (obj.group.is_empty() && *obj.kind == "Config")
}

fn check(obj: &Object, _ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A `kind: List` without items is an empty list, not an object.
    if *obj.kind == "List" {
        return;
    }
    if obj.api_version.is_none() {
        let help = match crate::model::k8s::usual_api_version(&obj.kind) {
            Some(v) => format!("add `apiVersion: {v}`"),
            None => format!("add the `apiVersion` of the {}", *obj.kind),
        };
        out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                obj.kind.span,
                format!("`kind: {}` has no `apiVersion`", *obj.kind),
            )
            .help(help),
        );
    }
    // A document with a `status` is a recorded state of a live object (what
    // tools and tests capture), not a manifest anyone applies.
    if obj.name.is_some()
        || is_tool_config(obj)
        || obj.has_status
        || obj.generate_name
    {
        return;
    }
    let (span, message) = match obj.name_scalar_span {
        Some(span) => (
            span,
            format!("the {} has an empty `metadata.name`", *obj.kind),
        ),
        _ => (
            obj.metadata_key,
            format!(
                "the {} has neither `metadata.name` nor `metadata.generateName`",
                *obj.kind
            ),
        ),
    };
    out.push(
        Diagnostic::on(&RULE.meta, obj, span, message)
            .help(format!("give the {} a `metadata.name`", *obj.kind)),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    #[test]
    fn kind_without_api_version() {
        let text = "kind: ConfigMap\nmetadata:\n  name: a\n";
        assert_eq!(positions("YAML004", text), [(1, 7)]);
    }

    #[test]
    fn object_without_a_name() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: t\n";
        assert_eq!(positions("YAML004", text), [(3, 1)]);
        let bare = "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n";
        assert_eq!(positions("YAML004", bare), [(2, 7)]);
        let empty = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\"\n";
        assert_eq!(positions("YAML004", empty), [(4, 9)]);
        let both = "kind: ConfigMap\ndata: {a: b}\n";
        assert_eq!(positions("YAML004", both), [(1, 7), (1, 7)]);
    }

    #[test]
    fn generate_name_counts() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: train-\n";
        assert!(positions("YAML004", text).is_empty());
    }

    #[test]
    fn not_objects() {
        // Helm's Chart.yaml: `apiVersion` without `kind`.
        assert!(positions("YAML004", "apiVersion: v2\nname: chart\nversion: 1.0.0\n").is_empty());
        assert!(positions("YAML004", "apiVersion: v1\nkind: List\nitems: []\n").is_empty());
        assert!(positions("YAML004", "apiVersion: v1\nkind: List\n").is_empty());
        let kind =
            "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n";
        assert!(positions("YAML004", kind).is_empty());
        let kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
        assert!(positions("YAML004", kubeconfig).is_empty());
        let status = "apiVersion: example.com/v1\nkind: Rollout\nstatus: {phase: Healthy}\n";
        assert!(positions("YAML004", status).is_empty());
        let typed_list = "apiVersion: v1\nkind: ConfigMapList\nitems: []\n";
        assert!(positions("YAML004", typed_list).is_empty());
    }

    #[test]
    fn list_items_are_objects() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data: {a: b}\n";
        assert_eq!(positions("YAML004", text), [(5, 9)]);
    }
}
