//! Typed, span-carrying views of Kubernetes objects.

use super::network::{NetworkPolicy, ReferenceGrant, Route, Service};
use super::rbac::{Role, RoleBinding};
use super::storage::{PersistentVolume, PodRef};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::load::Node;
use crate::source::{FileId, SourceFile, Span, Spanned};

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
    /// A template placeholder (`{{ .Release.Namespace }}`, `${NS}`): set,
    /// but to a value not known until deploy time (SPEC §1).
    Unknown(Span),
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
    /// The object's mapping: see [`Object::root`].
    pub(crate) root: Root,
    pub api_version: Option<Spanned<String>>,
    /// The API group (`""` for the core group).
    pub group: String,
    pub kind: Spanned<String>,
    pub name: Option<Spanned<String>>,
    /// The span of `metadata.name` when it is a scalar, also an empty or
    /// null one (which `name` leaves out).
    pub name_scalar_span: Option<Span>,
    /// `metadata.generateName` is a non-empty string.
    pub generate_name: bool,
    /// The document has a `status`: a recorded state of a live object.
    pub has_status: bool,
    /// Span of the `metadata:` key, or of `kind:`'s value when there is no metadata.
    pub metadata_key: Span,
    /// `metadata.namespace` as written.
    pub explicit_namespace: Option<Spanned<String>>,
    /// Resolved by the index (explicit, kustomize, deploy time, unset).
    pub namespace: NamespaceSource,
    pub scope: Scope,
    pub spec: Spec,
    /// The kustomize build (index into the run's roots) that made this
    /// object; `None` for an object linted as written.
    pub build: Option<u32>,
    /// The `app.kubernetes.io/name` label, else the `app` label.
    pub app_label: Option<String>,
    /// The `tenantlint.io/ignore` annotation (a suppression), when a string.
    pub ignore_annotation: Option<Box<Spanned<String>>>,
}

/// The annotation that suppresses findings on an object.
pub const IGNORE_ANNOTATION: &str = "tenantlint.io/ignore";

/// What the model knows of an object's kind. (The larger views are boxed:
/// every object of a set carries a `Spec`.)
#[derive(Debug)]
pub enum Spec {
    Workload(Workload),
    ServiceAccount(Box<ServiceAccount>),
    Namespace(Namespace),
    ResourceQuota(Box<ResourceQuota>),
    LimitRange(LimitRange),
    Role(Role),
    RoleBinding(Box<RoleBinding>),
    NetworkPolicy(Box<NetworkPolicy>),
    Service(Box<Service>),
    Route(Route),
    ReferenceGrant(ReferenceGrant),
    PersistentVolume(Box<PersistentVolume>),
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
    /// The resources `min` names (a minimum makes pods request them).
    pub min: Vec<String>,
}

/// Anything that runs pods: one or more pod templates, found by the one
/// walker in [`crate::model::workloads`].
#[derive(Debug)]
pub struct Workload {
    pub templates: Vec<PodTemplate>,
    /// A batch kind that runs to completion (Job, training job, workflow),
    /// as opposed to a long-running service.
    pub runs_to_completion: bool,
}

/// One pod a workload runs: a pod template, a replica role, an Argo
/// template, a KServe component, a Spark driver or executor.
#[derive(Debug)]
pub struct PodTemplate {
    /// Replica role for Kubeflow / Ray kinds (`Worker`, `head`, …).
    pub role: Option<String>,
    /// Path from the object root to the mapping that holds the pod's own
    /// fields (the pod spec; an Argo template; a KServe component).
    pub spec_path: Vec<Seg>,
    /// Mappings whose pod-level fields apply where the pod's own leave them
    /// unset (an Argo workflow's `spec`), nearest first.
    pub inherited: Vec<Vec<Seg>>,
    /// Where absences are reported: the pod template's `spec:` key (an Argo
    /// workflow's `spec:`, a KServe component's key).
    pub spec_key: Span,
    /// `serviceAccountName` (or the deprecated `serviceAccount`).
    pub service_account: Option<Spanned<String>>,
    pub automount_token: Option<Spanned<bool>>,
    /// Pod template labels, then the workload's own labels.
    pub app: Option<String>,
    pub containers: Vec<Container>,
    /// `hostNetwork`, `hostPID` and `hostIPC`, when any is set to a
    /// boolean (boxed: most pods set none).
    pub host_namespaces: Option<Box<HostNamespaces>>,
    /// Pod-level `resources` (Kubernetes 1.32+): the resources it requests
    /// and limits for all containers together.
    pub pod_requests: Vec<String>,
    pub pod_limits: Vec<String>,
    /// The `hostPath` volumes the containers can mount.
    pub host_path_volumes: Vec<HostPathVolume>,
    /// Every Secret, ConfigMap and claim the pod uses.
    pub refs: Vec<PodRef>,
}

/// A pod's `hostNetwork`, `hostPID` and `hostIPC`, when set to a boolean.
#[derive(Debug, Default)]
pub struct HostNamespaces {
    pub network: Option<Spanned<bool>>,
    pub pid: Option<Spanned<bool>>,
    pub ipc: Option<Spanned<bool>>,
}

/// A `hostPath` volume of a pod.
#[derive(Debug)]
pub struct HostPathVolume {
    /// The volume's `name`.
    pub name: Option<String>,
    /// The node path, when written.
    pub path: Option<String>,
    /// The `hostPath:` key.
    pub key_span: Span,
}

/// Where a container is declared in its pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Main,
    Ephemeral,
    /// An Argo template's `sidecars`, a Spark pod's `sidecars`.
    Sidecar,
}

impl ContainerKind {
    /// How messages name it: `init container`, `container`, …
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Main => "container",
            ContainerKind::Ephemeral => "ephemeral container",
            ContainerKind::Sidecar => "sidecar",
        }
    }
}

#[derive(Debug)]
pub struct Container {
    pub name: Option<Spanned<String>>,
    /// The span of the container's `name` key (or the item start; the
    /// `container:` key of an Argo template).
    pub entry_span: Span,
    pub kind: ContainerKind,
    pub path: Vec<Seg>,
    pub command: Vec<Spanned<String>>,
    pub args: Vec<Spanned<String>>,
    pub env: Vec<EnvVar>,
    /// `resources.requests` and `resources.limits`.
    pub requests: Quantities,
    pub limits: Quantities,
    /// `securityContext`, when the container has one.
    pub security_context: Option<Box<SecurityContext>>,
    /// `ports[].hostPort`, as written.
    pub host_ports: Vec<Spanned<String>>,
    /// `image` and `workingDir`, when strings.
    pub image: Option<String>,
    pub working_dir: Option<String>,
    /// The container has an `envFrom`.
    pub env_from: bool,
}

/// A container's `securityContext`.
#[derive(Debug, Default)]
pub struct SecurityContext {
    /// `privileged`, when a boolean.
    pub privileged: Option<Spanned<bool>>,
    /// `allowPrivilegeEscalation`, when a boolean.
    pub allow_privilege_escalation: Option<Spanned<bool>>,
    /// `capabilities.add`, its strings as written.
    pub capabilities_add: Vec<Spanned<String>>,
}

impl PodTemplate {
    /// The pod-level mappings: the pod's own, then those it inherits.
    pub fn layers<'a>(&self, root: &'a Node) -> Vec<&'a Node> {
        std::iter::once(&self.spec_path)
            .chain(&self.inherited)
            .filter_map(|p| follow(root, p))
            .collect()
    }

    /// A pod-level field (`hostNetwork`, `resources`, …): the pod's own,
    /// else the nearest inherited one.
    pub fn field<'a>(&self, root: &'a Node, key: &str) -> Option<&'a Node> {
        self.layers(root).into_iter().find_map(|l| l.get(key))
    }

    /// Every volume the pod's containers can mount: its own and inherited.
    pub fn volumes<'a>(&self, root: &'a Node) -> Vec<&'a Node> {
        self.layers(root)
            .into_iter()
            .flat_map(|l| l.get("volumes").map(Node::items).unwrap_or_default())
            .collect()
    }

    /// Each container with its mapping.
    pub fn container_nodes<'a>(
        &'a self,
        root: &'a Node,
    ) -> impl Iterator<Item = (&'a Container, &'a Node)> {
        self.containers
            .iter()
            .filter_map(move |c| Some((c, follow(root, &c.path)?)))
    }

    /// ` (role)` for messages, or nothing.
    pub fn role_suffix(&self) -> String {
        self.role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    }
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

/// An object's mapping: in memory, or — in a set too big to keep every
/// tree (see `crate::engine`) — the place of its document in its file, read
/// again whenever a rule asks for it.
#[derive(Debug)]
pub(crate) enum Root {
    Resident(Node),
    Stored(StoredRoot),
}

#[derive(Debug)]
pub(crate) struct StoredRoot {
    /// Unique in the run: the key of the per-thread cache.
    id: u64,
    file: Arc<SourceFile>,
    region: std::ops::Range<u32>,
    span: Span,
}

/// An object's mapping, borrowed or read again from its file.
pub enum RootRef<'a> {
    Resident(&'a Node),
    Parsed(Rc<Node>),
}

impl std::ops::Deref for RootRef<'_> {
    type Target = Node;
    fn deref(&self) -> &Node {
        match self {
            RootRef::Resident(n) => n,
            RootRef::Parsed(n) => n,
        }
    }
}

/// Trees read again, most recent first, per thread: a rule that reads an
/// object's labels, then its containers, parses its document once.
const PARSED_CACHE: usize = 4;

thread_local! {
    static PARSED: RefCell<Vec<(u64, Rc<Node>)>> = const { RefCell::new(Vec::new()) };
}

static NEXT_STORED: AtomicU64 = AtomicU64::new(0);

impl StoredRoot {
    fn parse(&self) -> Rc<Node> {
        if let Some(hit) = PARSED.with_borrow_mut(|cache| {
            let i = cache.iter().position(|(id, _)| *id == self.id)?;
            let hit = cache.remove(i);
            let node = hit.1.clone();
            cache.insert(0, hit);
            Some(node)
        }) {
            return hit;
        }
        let node = crate::load::reparse_document(&self.file, self.region.clone())
            // The bytes parsed once; they parse again. An empty mapping
            // rather than a panic if they somehow do not.
            .unwrap_or(Node {
                span: self.span,
                value: crate::load::Value::Map(Vec::new()),
            });
        let node = Rc::new(node);
        PARSED.with_borrow_mut(|cache| {
            cache.insert(0, (self.id, node.clone()));
            cache.truncate(PARSED_CACHE);
        });
        node
    }
}

impl Object {
    /// The object's mapping (the whole document, or a `kind: List` item).
    pub fn root(&self) -> RootRef<'_> {
        match &self.root {
            Root::Resident(n) => RootRef::Resident(n),
            Root::Stored(s) => RootRef::Parsed(s.parse()),
        }
    }

    /// The span of the object's mapping, without reading it.
    pub fn root_span(&self) -> Span {
        match &self.root {
            Root::Resident(n) => n.span,
            Root::Stored(s) => s.span,
        }
    }

    /// Drop the tree of an object that is a whole document, keeping where
    /// it is in `file`: a rule that asks for it gets `region` parsed again.
    pub fn store_root(&mut self, file: &Arc<SourceFile>, region: std::ops::Range<u32>) {
        let span = self.root_span();
        self.root = Root::Stored(StoredRoot {
            id: NEXT_STORED.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            file: file.clone(),
            region,
            span,
        });
    }

    /// The effective namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        match &self.namespace {
            NamespaceSource::Explicit(ns) => Some(ns),
            NamespaceSource::Kustomize { namespace, .. } => Some(namespace),
            NamespaceSource::DeployTime(ns) => Some(ns),
            NamespaceSource::ClusterScoped
            | NamespaceSource::Unset
            | NamespaceSource::Unknown(_) => None,
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

    /// The keys of `metadata.annotations`.
    pub fn annotation_keys(&self) -> Vec<String> {
        self.root()
            .path(&["metadata", "annotations"])
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.key.as_str().map(str::to_string))
            .collect()
    }

    /// A string field of the object by its path (`["spec", "parent"]`), for
    /// kinds the model has no view of.
    pub fn str_at(&self, path: &[&str]) -> Option<String> {
        self.root().path(path)?.as_str().map(str::to_string)
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

const RBAC: &str = "rbac.authorization.k8s.io";
const STORAGE: &str = "storage.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";
const GATEWAY: &str = "gateway.networking.k8s.io";

/// Kinds that are cluster-scoped, by API group and kind: Kubernetes' own and
/// common add-ons'.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    (RBAC, "ClusterRole"),
    (RBAC, "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    (STORAGE, "StorageClass"),
    (STORAGE, "VolumeAttachment"),
    (STORAGE, "CSIDriver"),
    (STORAGE, "CSINode"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("apiregistration.k8s.io", "APIService"),
    (ADMISSION, "MutatingWebhookConfiguration"),
    (ADMISSION, "ValidatingWebhookConfiguration"),
    (ADMISSION, "ValidatingAdmissionPolicy"),
    (ADMISSION, "ValidatingAdmissionPolicyBinding"),
    (ADMISSION, "MutatingAdmissionPolicy"),
    (ADMISSION, "MutatingAdmissionPolicyBinding"),
    ("policy", "PodSecurityPolicy"),
    ("extensions", "PodSecurityPolicy"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    (GATEWAY, "GatewayClass"),
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("serving.kserve.io", "ClusterServingRuntime"),
    ("serving.kserve.io", "ClusterStorageContainer"),
    ("trainer.kubeflow.org", "ClusterTrainingRuntime"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
    ("kueue.x-k8s.io", "ClusterQueue"),
    ("kueue.x-k8s.io", "ResourceFlavor"),
    ("kubeflow.org", "Profile"),
    ("capsule.clastix.io", "Tenant"),
    ("kyverno.io", "ClusterPolicy"),
    ("quota.openshift.io", "ClusterResourceQuota"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
    ("resource.k8s.io", "DeviceClass"),
];

/// Namespaced kinds we know, by API group and kind (Kubernetes' own and the
/// ML kinds we model). Other kinds are `Unknown` unless a CRD in the set
/// declares their scope.
const NAMESPACED: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "ReplicationController"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "PersistentVolumeClaim"),
    ("", "ResourceQuota"),
    ("", "LimitRange"),
    ("", "Endpoints"),
    ("", "Event"),
    ("", "PodTemplate"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("apps", "ControllerRevision"),
    ("extensions", "Deployment"),
    ("extensions", "DaemonSet"),
    ("extensions", "ReplicaSet"),
    ("extensions", "Ingress"),
    ("extensions", "NetworkPolicy"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    (RBAC, "Role"),
    (RBAC, "RoleBinding"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("networking.k8s.io", "Ingress"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("events.k8s.io", "Event"),
    ("coordination.k8s.io", "Lease"),
    ("kubeflow.org", "PyTorchJob"),
    ("kubeflow.org", "TFJob"),
    ("kubeflow.org", "MPIJob"),
    ("kubeflow.org", "XGBoostJob"),
    ("kubeflow.org", "PaddleJob"),
    ("kubeflow.org", "JAXJob"),
    ("kubeflow.org", "Notebook"),
    ("kubeflow.org", "Experiment"),
    ("trainer.kubeflow.org", "TrainJob"),
    ("trainer.kubeflow.org", "TrainingRuntime"),
    ("ray.io", "RayCluster"),
    ("ray.io", "RayJob"),
    ("ray.io", "RayService"),
    ("ray.io", "RayCronJob"),
    ("jobset.x-k8s.io", "JobSet"),
    ("leaderworkerset.x-k8s.io", "LeaderWorkerSet"),
    ("batch.volcano.sh", "Job"),
    ("argoproj.io", "Workflow"),
    ("argoproj.io", "WorkflowTemplate"),
    ("argoproj.io", "CronWorkflow"),
    ("serving.kserve.io", "InferenceService"),
    ("serving.kserve.io", "LLMInferenceService"),
    ("serving.kserve.io", "ServingRuntime"),
    ("serving.knative.dev", "Service"),
    ("sparkoperator.k8s.io", "SparkApplication"),
    ("sparkoperator.k8s.io", "ScheduledSparkApplication"),
    (GATEWAY, "HTTPRoute"),
    (GATEWAY, "GRPCRoute"),
    (GATEWAY, "TCPRoute"),
    (GATEWAY, "Gateway"),
];

/// The scope of a kind of an API group: never the kind alone (an
/// `example.com/v1 Service` is not a core Service).
pub fn builtin_scope(group: &str, kind: &str) -> Scope {
    if CLUSTER_SCOPED.contains(&(group, kind)) {
        Scope::Cluster
    } else if NAMESPACED.contains(&(group, kind)) {
        Scope::Namespaced
    } else {
        Scope::Unknown
    }
}

/// The `apiVersion` of common built-in kinds (for help texts).
pub fn usual_api_version(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod"
        | "Service"
        | "ServiceAccount"
        | "ConfigMap"
        | "Secret"
        | "Namespace"
        | "ResourceQuota"
        | "LimitRange"
        | "PersistentVolumeClaim"
        | "PersistentVolume" => "v1",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
            "rbac.authorization.k8s.io/v1"
        }
        "NetworkPolicy" | "Ingress" => "networking.k8s.io/v1",
        _ => return None,
    })
}

/// The group of a built-in kind, for a document that has no `apiVersion`
/// (YAML004 reports it): the only place a kind alone decides.
pub fn group_of_bare_kind(kind: &str) -> Option<&'static str> {
    CLUSTER_SCOPED
        .iter()
        .chain(NAMESPACED)
        .find(|(_, k)| *k == kind)
        .map(|(g, _)| *g)
}

/// Objects Kubernetes itself creates in every cluster (SPEC §4): the
/// `default` ServiceAccount of any namespace, the `kubernetes` Service in
/// `default`, the `kube-root-ca.crt` ConfigMap. They are not tenant objects.
pub fn is_kubernetes_own(obj: &Object) -> bool {
    if !obj.group.is_empty() {
        return false;
    }
    match (obj.kind.as_str(), obj.name()) {
        ("ServiceAccount", "default") | ("ConfigMap", "kube-root-ca.crt") => true,
        ("Service", "kubernetes") => obj.namespace() == Some("default"),
        _ => false,
    }
}
