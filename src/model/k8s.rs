//! Typed, span-carrying views of Kubernetes objects.

use crate::load::Node;
use crate::source::{FileId, Span, Spanned};

/// Where an object's namespace comes from (SPEC §1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamespaceSource {
    /// Cluster-scoped kinds have no namespace.
    ClusterScoped,
    /// `metadata.namespace`.
    Explicit(Spanned<String>),
    /// The `namespace:` of the nearest `kustomization.yaml` (overrides explicit ones).
    Kustomize {
        namespace: Spanned<String>,
        file: FileId,
    },
    /// `--namespace` / the config's `namespace:`.
    DeployTime(String),
    /// No source at all.
    Unset,
}

/// Whether a kind lives in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Namespaced,
    Cluster,
    /// An unknown kind (a CRD not in the linted set): rules that depend on
    /// scope stay silent rather than guess.
    Unknown,
}

/// One step of a path from an object's root to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(&'static str),
    OwnedKey(String),
    Index(usize),
}

/// Follow a path from `root`.
pub fn follow<'a>(root: &'a Node, path: &[Seg]) -> Option<&'a Node> {
    path.iter().try_fold(root, |node, seg| match seg {
        Seg::Key(k) => node.get(k),
        Seg::OwnedKey(k) => node.get(k),
        Seg::Index(i) => node.items().get(*i),
    })
}

/// A Kubernetes object: any document (or `kind: List` item) with a `kind`.
#[derive(Debug)]
pub struct Object {
    pub file: FileId,
    /// 0-based document index in its file.
    pub doc: u32,
    /// The object's mapping.
    pub root: Node,
    pub api_version: Option<Spanned<String>>,
    /// The API group (`""` for the core group).
    pub group: String,
    pub kind: Spanned<String>,
    pub name: Option<Spanned<String>>,
    /// Span of the `metadata:` key, or of `kind:`'s value when there is no metadata.
    pub metadata_key: Span,
    /// `metadata.namespace` as written.
    pub explicit_namespace: Option<Spanned<String>>,
    /// Resolved by the index (explicit, kustomize, deploy time, unset).
    pub namespace: NamespaceSource,
    pub scope: Scope,
    pub spec: Spec,
}

#[derive(Debug)]
pub enum Spec {
    Workload(Workload),
    ServiceAccount(ServiceAccount),
    Namespace(Namespace),
    ResourceQuota(ResourceQuota),
    LimitRange(LimitRange),
    Other,
}

/// A resource name with its quantity as written (`requests.cpu: "64"`).
pub type Quantities = Vec<(String, Spanned<String>)>;

#[derive(Debug)]
pub struct Namespace {
    /// `metadata.labels` (the config's `tenant-label` names a tenant through them).
    pub labels: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct ResourceQuota {
    /// `spec.hard`.
    pub hard: Quantities,
    /// `spec.scopes` (a scoped quota caps only some pods).
    pub scopes: Vec<String>,
    /// The `spec:` key, or the `metadata:` key when there is no spec.
    pub spec_key: Span,
}

#[derive(Debug)]
pub struct LimitRange {
    pub limits: Vec<LimitRangeItem>,
}

#[derive(Debug)]
pub struct LimitRangeItem {
    /// `Container`, `Pod` or `PersistentVolumeClaim`.
    pub kind: String,
    pub default: Quantities,
    pub default_request: Quantities,
    pub max: Quantities,
}

/// Anything that runs pods: one or more pod templates.
#[derive(Debug)]
pub struct Workload {
    pub templates: Vec<PodTemplate>,
}

#[derive(Debug)]
pub struct PodTemplate {
    /// Replica role for Kubeflow / Ray kinds (`Worker`, `head`, …).
    pub role: Option<String>,
    /// Path from the object root to the pod spec mapping.
    pub spec_path: Vec<Seg>,
    /// The pod spec's `spec:` key (where absences are reported).
    pub spec_key: Span,
    /// `serviceAccountName` (or the deprecated `serviceAccount`).
    pub service_account: Option<Spanned<String>>,
    pub automount_token: Option<Spanned<bool>>,
    /// Pod template labels, then the workload's own labels.
    pub app: Option<String>,
    pub containers: Vec<Container>,
}

#[derive(Debug)]
pub struct Container {
    pub name: Option<Spanned<String>>,
    /// The span of the container's `name` key (or the item start).
    pub entry_span: Span,
    pub init: bool,
    pub path: Vec<Seg>,
    pub command: Vec<Spanned<String>>,
    pub args: Vec<Spanned<String>>,
    pub env: Vec<EnvVar>,
    /// `resources.requests` and `resources.limits`.
    pub requests: Quantities,
    pub limits: Quantities,
}

#[derive(Debug)]
pub struct EnvVar {
    pub name: Spanned<String>,
    /// A literal `value:`; `None` for `valueFrom` or no value.
    pub value: Option<Spanned<String>>,
    pub value_from: bool,
}

#[derive(Debug)]
pub struct ServiceAccount {
    pub automount_token: Option<Spanned<bool>>,
    /// Cloud IAM identity annotations (key, value).
    pub cloud_identities: Vec<(String, Spanned<String>)>,
}

pub const CLOUD_IDENTITY_ANNOTATIONS: &[&str] = &[
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
];

impl Object {
    /// The effective namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        match &self.namespace {
            NamespaceSource::Explicit(ns) => Some(ns),
            NamespaceSource::Kustomize { namespace, .. } => Some(namespace),
            NamespaceSource::DeployTime(ns) => Some(ns),
            NamespaceSource::ClusterScoped | NamespaceSource::Unset => None,
        }
    }

    /// The span that best shows where the namespace comes from.
    pub fn namespace_span(&self) -> Option<(FileId, Span)> {
        match &self.namespace {
            NamespaceSource::Explicit(ns) => Some((self.file, ns.span)),
            NamespaceSource::Kustomize { namespace, file } => Some((*file, namespace.span)),
            _ => None,
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().map(String::as_str).unwrap_or("")
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.root.path(&["metadata", "labels"])?.get_str(key)
    }

    pub fn annotation(&self, key: &str) -> Option<&Node> {
        self.root.path(&["metadata", "annotations"])?.get(key)
    }

    pub fn workload(&self) -> Option<&Workload> {
        match &self.spec {
            Spec::Workload(w) => Some(w),
            _ => None,
        }
    }

    pub fn is_kind(&self, group: &str, kind: &str) -> bool {
        self.group == group && *self.kind == kind
    }

    /// A short human label: `Deployment team-a/trainer`.
    pub fn describe(&self) -> String {
        let name = match self.name() {
            "" => "<unnamed>",
            n => n,
        };
        match self.namespace() {
            Some(ns) => format!("{} {}/{}", *self.kind, ns, name),
            None => format!("{} {}", *self.kind, name),
        }
    }
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
pub fn group_of(api_version: &str) -> &str {
    match api_version.rsplit_once('/') {
        Some((group, _)) => group,
        None => "",
    }
}

/// Kinds that are cluster-scoped in Kubernetes and common add-ons.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "VolumeAttachment",
    "CSIDriver",
    "CSINode",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "PodSecurityPolicy",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
    "GatewayClass",
    "ClusterIssuer",
    "ClusterSecretStore",
    "ClusterServingRuntime",
    "ClusterTrainingRuntime",
    "ClusterQueue",
    "ResourceFlavor",
    "Profile",
    "Tenant",
    "ClusterPolicy",
    "ClusterResourceQuota",
    "VolumeSnapshotClass",
    "VolumeSnapshotContent",
    "DeviceClass",
];

/// Namespaced kinds we know (core, apps, batch, networking, policy, rbac and
/// the ML kinds we model). Other kinds are `Unknown` unless a CRD in the set
/// declares their scope.
const NAMESPACED: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "ServiceAccount",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "Lease",
    "PodTemplate",
    "ControllerRevision",
    "PyTorchJob",
    "TFJob",
    "MPIJob",
    "XGBoostJob",
    "PaddleJob",
    "JAXJob",
    "RayCluster",
    "RayJob",
    "RayService",
    "HTTPRoute",
    "GRPCRoute",
    "TCPRoute",
    "Gateway",
];

pub fn builtin_scope(kind: &str) -> Scope {
    if CLUSTER_SCOPED.contains(&kind) {
        Scope::Cluster
    } else if NAMESPACED.contains(&kind) {
        Scope::Namespaced
    } else {
        Scope::Unknown
    }
}
