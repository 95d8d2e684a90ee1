//! Kinds to API resources, for the `resourceRules` of admission policies.

use std::collections::HashMap;

use crate::index::Index;
use crate::model::Object;

/// The resource (plural) of a kind, and whether it was guessed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub plural: String,
    /// `true` when neither the built-in table nor a CRD of the set knew the
    /// kind, and the plural is the lowercase-plural heuristic.
    pub guessed: bool,
}

/// Plurals of the kinds whose plural is not the lowercase kind plus `s`, and
/// of the common kinds (so they are never a guess).
const PLURALS: &[(&str, &str)] = &[
    ("Pod", "pods"),
    ("Deployment", "deployments"),
    ("StatefulSet", "statefulsets"),
    ("DaemonSet", "daemonsets"),
    ("ReplicaSet", "replicasets"),
    ("ReplicationController", "replicationcontrollers"),
    ("Job", "jobs"),
    ("CronJob", "cronjobs"),
    ("Service", "services"),
    ("ServiceAccount", "serviceaccounts"),
    ("ConfigMap", "configmaps"),
    ("Secret", "secrets"),
    ("PersistentVolumeClaim", "persistentvolumeclaims"),
    ("PersistentVolume", "persistentvolumes"),
    ("Namespace", "namespaces"),
    ("Node", "nodes"),
    ("Role", "roles"),
    ("RoleBinding", "rolebindings"),
    ("ClusterRole", "clusterroles"),
    ("ClusterRoleBinding", "clusterrolebindings"),
    ("ResourceQuota", "resourcequotas"),
    ("LimitRange", "limitranges"),
    ("NetworkPolicy", "networkpolicies"),
    ("Ingress", "ingresses"),
    ("IngressClass", "ingressclasses"),
    ("HorizontalPodAutoscaler", "horizontalpodautoscalers"),
    ("PodDisruptionBudget", "poddisruptionbudgets"),
    ("Endpoints", "endpoints"),
    ("EndpointSlice", "endpointslices"),
    ("StorageClass", "storageclasses"),
    ("PriorityClass", "priorityclasses"),
    ("RuntimeClass", "runtimeclasses"),
    ("CustomResourceDefinition", "customresourcedefinitions"),
    ("PodSecurityPolicy", "podsecuritypolicies"),
    ("ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
    (
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
    ),
    (
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
    ),
    (
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
    ),
    ("PodTemplate", "podtemplates"),
    ("Event", "events"),
    ("Lease", "leases"),
    ("Gateway", "gateways"),
    ("GatewayClass", "gatewayclasses"),
    ("HTTPRoute", "httproutes"),
    ("GRPCRoute", "grpcroutes"),
    ("PyTorchJob", "pytorchjobs"),
    ("TFJob", "tfjobs"),
    ("MPIJob", "mpijobs"),
    ("XGBoostJob", "xgboostjobs"),
    ("PaddleJob", "paddlejobs"),
    ("JAXJob", "jaxjobs"),
    ("TrainJob", "trainjobs"),
    ("Notebook", "notebooks"),
    ("Experiment", "experiments"),
    ("RayCluster", "rayclusters"),
    ("RayJob", "rayjobs"),
    ("RayService", "rayservices"),
    ("JobSet", "jobsets"),
    ("LeaderWorkerSet", "leaderworkersets"),
    ("InferenceService", "inferenceservices"),
    ("Workflow", "workflows"),
    ("WorkflowTemplate", "workflowtemplates"),
    ("CronWorkflow", "cronworkflows"),
    ("SparkApplication", "sparkapplications"),
];

/// The plurals that the CRDs of the set declare, by (group, kind).
#[derive(Debug, Default)]
pub struct Crds(HashMap<(String, String), String>);

impl Crds {
    pub fn of(index: &Index) -> Crds {
        let mut map = HashMap::new();
        for o in &index.objects {
            if o.group != "apiextensions.k8s.io" || o.kind.as_str() != "CustomResourceDefinition" {
                continue;
            }
            let o_root = o.root();
            let Some(spec) = o_root.get("spec") else {
                continue;
            };
            let group = spec.get_str("group");
            let kind = spec.path(&["names", "kind"]).and_then(|n| n.as_str());
            let plural = spec.path(&["names", "plural"]).and_then(|n| n.as_str());
            if let (Some(g), Some(k), Some(p)) = (group, kind, plural) {
                // The first definition wins, as for other duplicates.
                map.entry((g.to_string(), k.to_string()))
                    .or_insert_with(|| p.to_string());
            }
        }
        Crds(map)
    }
}

/// `kind` → its resource: the built-in table, else a CRD of the set, else
/// the lowercase plural (a guess).
pub fn resource_of(obj: &Object, crds: &Crds) -> Resource {
    let api_version = obj.api_version.as_deref().map_or("", String::as_str);
    let version = api_version
        .rsplit_once('/')
        .map_or(api_version, |(_, v)| v)
        .to_string();
    let kind = obj.kind.as_str();
    let known = PLURALS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| p.to_string())
        .or_else(|| crds.0.get(&(obj.group.clone(), kind.to_string())).cloned());
    Resource {
        group: obj.group.clone(),
        version,
        guessed: known.is_none(),
        plural: known.unwrap_or_else(|| guess_plural(kind)),
    }
}

/// What `kubectl` would guess: lowercase, then English plural endings.
pub fn guess_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s')
        || lower.ends_with("sh")
        || lower.ends_with("ch")
        || lower.ends_with('x')
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// Groups whose resources Kubernetes serves under another group too, for
/// `matchPolicy: Equivalent`.
pub fn equivalent_groups(group: &str, plural: &str) -> &'static [&'static str] {
    match (group, plural) {
        ("apps" | "extensions", "deployments" | "daemonsets" | "replicasets") => {
            &["apps", "extensions"]
        }
        ("networking.k8s.io" | "extensions", "ingresses" | "networkpolicies") => {
            &["networking.k8s.io", "extensions"]
        }
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(guess_plural("ReplicaLimit"), "replicalimits");
        assert_eq!(guess_plural("Policy"), "policies");
        assert_eq!(guess_plural("Gateway"), "gateways");
        assert_eq!(guess_plural("Ingress"), "ingresses");
    }
}
