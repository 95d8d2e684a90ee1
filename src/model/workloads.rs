//! The one walker that finds every pod of a workload (SPEC §4, Workloads):
//! each kind is matched by API group and kind, and an unknown kind is a
//! workload when its spec embeds a pod template (`template.spec.containers`)
//! at any depth. Rules never list kinds or container paths themselves; they
//! read the [`PodTemplate`]s and [`Container`]s built here.

use super::k8s::*;
use super::storage::references;
use crate::load::{Node, Value};
use crate::source::{Span, Spanned};

/// How a kind lays out its pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// The object is the pod (`spec` is the pod spec).
    Pod,
    /// `spec.template` is a pod template.
    Template,
    /// `spec.jobTemplate.spec.template`.
    CronJob,
    /// `spec.<key>.<role>.template` (Kubeflow training operators).
    ReplicaSpecs(&'static str),
    /// `headGroupSpec.template`, `workerGroupSpecs[].template` wherever the
    /// cluster spec sits, and a RayJob's `submitterPodTemplate`.
    Ray,
    /// `spec.replicatedJobs[].template` (a Job template).
    JobSet,
    /// `spec.template` is a JobSet template (TrainingRuntime).
    TrainingRuntime,
    /// `spec.leaderWorkerTemplate.{leaderTemplate,workerTemplate}`.
    LeaderWorkerSet,
    /// `spec.tasks[].template`.
    VolcanoJob,
    /// `spec.templates[]` with the workflow spec at `spec`.
    ArgoWorkflow,
    /// `spec.workflowSpec.templates[]`.
    ArgoCronWorkflow,
    /// `predictor`, `transformer`, `explainer` (also LLMInferenceService's
    /// `template`, `worker` and `prefill`).
    KServe,
    /// `spec.trialTemplate.trialSpec`, an object of its own kind.
    KatibExperiment,
    /// `spec.driver`, `spec.executor`.
    Spark,
    /// `spec.template` is a SparkApplication spec.
    ScheduledSpark,
}

/// A known workload kind: group, kind, layout, and whether it runs to
/// completion (a batch job, as opposed to a long-running service).
struct Known {
    group: &'static str,
    kind: &'static str,
    shape: Shape,
    runs_to_completion: bool,
}

const fn known(group: &'static str, kind: &'static str, shape: Shape, batch: bool) -> Known {
    Known {
        group,
        kind,
        shape,
        runs_to_completion: batch,
    }
}

const KUBEFLOW: &str = "kubeflow.org";
const RAY: &str = "ray.io";
const ARGO: &str = "argoproj.io";
const KSERVE: &str = "serving.kserve.io";
const SPARK: &str = "sparkoperator.k8s.io";

static KNOWN: &[Known] = &[
    known("", "Pod", Shape::Pod, true),
    known("", "ReplicationController", Shape::Template, false),
    known("apps", "Deployment", Shape::Template, false),
    known("apps", "StatefulSet", Shape::Template, false),
    known("apps", "DaemonSet", Shape::Template, false),
    known("apps", "ReplicaSet", Shape::Template, false),
    known("extensions", "Deployment", Shape::Template, false),
    known("extensions", "DaemonSet", Shape::Template, false),
    known("extensions", "ReplicaSet", Shape::Template, false),
    known("batch", "Job", Shape::Template, true),
    known("batch", "CronJob", Shape::CronJob, true),
    known(
        KUBEFLOW,
        "PyTorchJob",
        Shape::ReplicaSpecs("pytorchReplicaSpecs"),
        true,
    ),
    known(
        KUBEFLOW,
        "TFJob",
        Shape::ReplicaSpecs("tfReplicaSpecs"),
        true,
    ),
    known(
        KUBEFLOW,
        "MPIJob",
        Shape::ReplicaSpecs("mpiReplicaSpecs"),
        true,
    ),
    known(
        KUBEFLOW,
        "XGBoostJob",
        Shape::ReplicaSpecs("xgbReplicaSpecs"),
        true,
    ),
    known(
        KUBEFLOW,
        "PaddleJob",
        Shape::ReplicaSpecs("paddleReplicaSpecs"),
        true,
    ),
    known(
        KUBEFLOW,
        "JAXJob",
        Shape::ReplicaSpecs("jaxReplicaSpecs"),
        true,
    ),
    known(KUBEFLOW, "Notebook", Shape::Template, false),
    known(KUBEFLOW, "Experiment", Shape::KatibExperiment, true),
    known(
        "trainer.kubeflow.org",
        "TrainingRuntime",
        Shape::TrainingRuntime,
        true,
    ),
    known(
        "trainer.kubeflow.org",
        "ClusterTrainingRuntime",
        Shape::TrainingRuntime,
        true,
    ),
    known(RAY, "RayCluster", Shape::Ray, false),
    known(RAY, "RayJob", Shape::Ray, true),
    known(RAY, "RayService", Shape::Ray, false),
    known(RAY, "RayCronJob", Shape::Ray, true),
    known("jobset.x-k8s.io", "JobSet", Shape::JobSet, true),
    known(
        "leaderworkerset.x-k8s.io",
        "LeaderWorkerSet",
        Shape::LeaderWorkerSet,
        false,
    ),
    known("batch.volcano.sh", "Job", Shape::VolcanoJob, true),
    known(ARGO, "Workflow", Shape::ArgoWorkflow, true),
    known(ARGO, "WorkflowTemplate", Shape::ArgoWorkflow, true),
    known(ARGO, "ClusterWorkflowTemplate", Shape::ArgoWorkflow, true),
    known(ARGO, "CronWorkflow", Shape::ArgoCronWorkflow, true),
    known(KSERVE, "InferenceService", Shape::KServe, false),
    known(KSERVE, "LLMInferenceService", Shape::KServe, false),
    known("serving.knative.dev", "Service", Shape::Template, false),
    known(SPARK, "SparkApplication", Shape::Spark, true),
    known(
        SPARK,
        "ScheduledSparkApplication",
        Shape::ScheduledSpark,
        true,
    ),
];

/// Kinds that are never workloads even when their spec holds something
/// shaped like a pod template: schemas and policies describe pods, they do
/// not run them.
const NOT_WORKLOAD_GROUPS: &[&str] = &[
    "apiextensions.k8s.io",
    "kyverno.io",
    "templates.gatekeeper.sh",
    "constraints.gatekeeper.sh",
    "admissionregistration.k8s.io",
];

/// Keys below which a pod template is a pattern or a patch, not a pod.
const NOT_POD_KEYS: &[&str] = &[
    "pattern",
    "anyPattern",
    "patchStrategicMerge",
    "patchesJson6902",
    "openAPIV3Schema",
    "schema",
    "validation",
    "overlay",
];

/// How deep the generic search looks for an embedded pod template.
const GENERIC_DEPTH: usize = 12;

/// KServe model-format fields: each is a container (the predictor's fields
/// apply to it).
const KSERVE_MODEL_KEYS: &[&str] = &[
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "pmml",
    "lightgbm",
    "paddle",
    "huggingface",
    "art",
    "alibi",
];

/// The pods of an object, or `None` when it is not a workload.
pub fn workload(root: &Node, kind: &str, group: &str) -> Option<Workload> {
    let known = KNOWN.iter().find(|k| k.kind == kind && k.group == group);
    let mut walker = Walker {
        root,
        workload_app: app_of(root.path(&["metadata", "labels"])),
        pods: Vec::new(),
    };
    match known {
        Some(k) => walker.shape(k.shape, &[], Some(k.kind)),
        None => {
            if NOT_WORKLOAD_GROUPS.contains(&group) || group.is_empty() {
                return None;
            }
            walker.generic(&[]);
            if walker.pods.is_empty() {
                return None;
            }
        }
    }
    Some(Workload {
        templates: exact(walker.pods),
        runs_to_completion: known.is_some_and(|k| k.runs_to_completion),
    })
}

/// Where a container is declared in its pod.
#[derive(Clone, Copy)]
enum Slot {
    /// A sequence of containers under this key.
    List(&'static str, ContainerKind),
    /// A sequence of containers at this path.
    NestedList(&'static [&'static str], ContainerKind),
    /// One container mapping under this key (Argo `container`, `script`;
    /// KServe `model`), and the name it runs under when it gives none
    /// (Argo's `main`; else the key).
    Single(&'static str, ContainerKind, Option<&'static str>),
    /// The pod mapping is itself the main container (Spark's driver and
    /// executor), with resources in Spark's own fields.
    Spark,
}

const STANDARD: &[Slot] = &[
    Slot::List("initContainers", ContainerKind::Init),
    Slot::List("containers", ContainerKind::Main),
    Slot::List("ephemeralContainers", ContainerKind::Ephemeral),
];

const ARGO_SLOTS: &[Slot] = &[
    Slot::List("initContainers", ContainerKind::Init),
    Slot::Single("container", ContainerKind::Main, Some("main")),
    Slot::Single("script", ContainerKind::Main, Some("main")),
    Slot::NestedList(&["containerSet", "containers"], ContainerKind::Main),
    Slot::List("sidecars", ContainerKind::Sidecar),
];

const SPARK_SLOTS: &[Slot] = &[
    Slot::List("initContainers", ContainerKind::Init),
    Slot::Spark,
    Slot::List("sidecars", ContainerKind::Sidecar),
];

struct Walker<'a> {
    root: &'a Node,
    workload_app: Option<String>,
    pods: Vec<PodTemplate>,
}

fn join(base: &[Seg], rest: impl IntoIterator<Item = Seg>) -> Vec<Seg> {
    let mut p = base.to_vec();
    p.extend(rest);
    exact(p)
}

/// `v` without spare capacity. The model of every object is kept for the
/// whole run, and a vector grown by `push` or collected from a filter holds
/// room for at least four: for one pod template of 224 bytes, 900 bytes.
pub(crate) fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

impl<'a> Walker<'a> {
    fn at(&self, path: &[Seg]) -> Option<&'a Node> {
        follow(self.root, path)
    }

    /// `base` is the path of the object (or embedded object) whose pods to find.
    fn shape(&mut self, shape: Shape, base: &[Seg], kind: Option<&str>) {
        use Seg::Key;
        let spec = join(base, [Key("spec")]);
        match shape {
            Shape::Pod => {
                if let Some(entry) = self.at(base).and_then(|o| o.entry("spec")) {
                    let span = entry.key.span;
                    let labels = self.at(base).and_then(|o| o.path(&["metadata", "labels"]));
                    let app = app_of(labels).or(self.workload_app.clone());
                    self.pod(spec, span, None, app, vec![], STANDARD);
                }
            }
            Shape::Template => self.template(join(&spec, [Key("template")]), None),
            Shape::CronJob => self.template(
                join(&spec, [Key("jobTemplate"), Key("spec"), Key("template")]),
                None,
            ),
            Shape::ReplicaSpecs(key) => {
                let Some(specs) = self.at(&join(&spec, [Key(key)])) else {
                    return;
                };
                for e in specs.entries() {
                    let Some(role) = e.key.as_str() else { continue };
                    let path = join(
                        &spec,
                        [Key(key), Seg::OwnedKey(role.to_string()), Key("template")],
                    );
                    self.template(path, Some(role.to_string()));
                }
            }
            Shape::Ray => self.ray(&spec, 0),
            Shape::JobSet => self.jobset(&spec),
            Shape::TrainingRuntime => {
                self.jobset(&join(&spec, [Key("template"), Key("spec")]));
            }
            Shape::LeaderWorkerSet => {
                for (key, role) in [("leaderTemplate", "leader"), ("workerTemplate", "worker")] {
                    let path = join(&spec, [Key("leaderWorkerTemplate"), Key(key)]);
                    self.template(path, Some(role.to_string()));
                }
            }
            Shape::VolcanoJob => {
                let tasks = self.at(&join(&spec, [Key("tasks")]));
                for (i, task) in tasks
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    let role = task.get_str("name").unwrap_or("task").to_string();
                    let path = join(&spec, [Key("tasks"), Seg::Index(i), Key("template")]);
                    self.template(path, Some(role));
                }
            }
            Shape::ArgoWorkflow => self.argo(&spec),
            Shape::ArgoCronWorkflow => self.argo(&join(&spec, [Key("workflowSpec")])),
            Shape::KServe => self.kserve(&spec),
            Shape::KatibExperiment => {
                let trial = join(&spec, [Key("trialTemplate"), Key("trialSpec")]);
                self.embedded(&trial);
            }
            Shape::Spark => self.spark(&spec),
            Shape::ScheduledSpark => self.spark(&join(&spec, [Key("template")])),
        }
        let _ = kind;
    }

    /// An object embedded in another (a Katib trial): its own kind decides.
    fn embedded(&mut self, path: &[Seg]) {
        let Some(node) = self.at(path) else { return };
        let Some(kind) = node.get_str("kind") else {
            return;
        };
        let group = node.get_str("apiVersion").map(group_of).unwrap_or("");
        match KNOWN.iter().find(|k| k.kind == kind && k.group == group) {
            Some(k) => self.shape(k.shape, path, Some(k.kind)),
            None => self.generic(path),
        }
    }

    /// A pod template (`metadata` + `spec`) at `path`.
    fn template(&mut self, path: Vec<Seg>, role: Option<String>) {
        let Some(template) = self.at(&path) else {
            return;
        };
        let Some(spec_entry) = template.entry("spec") else {
            return;
        };
        let span = spec_entry.key.span;
        let app = app_of(template.path(&["metadata", "labels"])).or(self.workload_app.clone());
        self.pod(
            join(&path, [Seg::Key("spec")]),
            span,
            role,
            app,
            vec![],
            STANDARD,
        );
    }

    /// A pod whose own fields are at `spec_path`.
    fn pod(
        &mut self,
        spec_path: Vec<Seg>,
        spec_key: Span,
        role: Option<String>,
        app: Option<String>,
        inherited: Vec<Vec<Seg>>,
        slots: &[Slot],
    ) {
        let Some(own) = self.at(&spec_path) else {
            return;
        };
        if !own.is_map() {
            return;
        }
        let layers: Vec<&Node> = std::iter::once(own)
            .chain(inherited.iter().filter_map(|p| self.at(p)))
            .collect();
        let field = |key: &str| layers.iter().find_map(|l| l.get(key));
        let service_account = field("serviceAccountName")
            .or_else(|| field("serviceAccount"))
            .and_then(super::placeholder::spanned_value);
        let automount_token = field("automountServiceAccountToken")
            .and_then(|n| n.as_bool().map(|b| Spanned::new(b, n.span)));
        let containers = exact(containers(own, &spec_path, spec_key, slots));
        let flag =
            |key: &str| field(key).and_then(|n| n.as_bool().map(|b| Spanned::new(b, n.span)));
        let volumes: Vec<&Node> = layers
            .iter()
            .flat_map(|l| l.get("volumes").map(Node::items).unwrap_or_default())
            .collect();
        let host_path_volumes = volumes
            .iter()
            .filter_map(|v| {
                // `hostPath: null` is no volume source at all; the API rejects it.
                let entry = v.entry("hostPath").filter(|e| !e.value.is_null())?;
                Some(HostPathVolume {
                    name: v.get_str("name").map(str::to_string),
                    path: entry.value.get_str("path").map(str::to_string),
                    key_span: entry.key.span,
                })
            })
            .collect();
        // Only the nearest `resources` counts, as for every pod-level field.
        let pod_resources = field("resources");
        let resource_names = |kind: &str| -> Vec<String> {
            pod_resources
                .and_then(|r| r.get(kind))
                .map(|q| {
                    q.entries()
                        .iter()
                        .filter_map(|e| e.key.as_scalar().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let container_nodes: Vec<&Node> =
            containers.iter().filter_map(|c| self.at(&c.path)).collect();
        let refs = exact(references(&volumes, &container_nodes));
        self.pods.push(PodTemplate {
            role,
            spec_path,
            inherited,
            spec_key,
            service_account,
            automount_token,
            app,
            containers,
            host_namespaces: Some(HostNamespaces {
                network: flag("hostNetwork"),
                pid: flag("hostPID"),
                ipc: flag("hostIPC"),
            })
            .filter(|h| h.network.is_some() || h.pid.is_some() || h.ipc.is_some())
            .map(Box::new),
            pod_requests: resource_names("requests"),
            pod_limits: resource_names("limits"),
            host_path_volumes,
            refs,
        });
    }

    fn ray(&mut self, spec: &[Seg], depth: usize) {
        use Seg::Key;
        let Some(node) = self.at(spec) else { return };
        if node.get("headGroupSpec").is_some() {
            let path = join(spec, [Key("headGroupSpec"), Key("template")]);
            self.template(path, Some("head".to_string()));
        }
        if let Some(workers) = node.get("workerGroupSpecs") {
            for (i, w) in workers.items().iter().enumerate() {
                let role = w.get_str("groupName").unwrap_or("worker").to_string();
                let path = join(
                    spec,
                    [Key("workerGroupSpecs"), Seg::Index(i), Key("template")],
                );
                self.template(path, Some(role));
            }
        }
        if node.get("submitterPodTemplate").is_some() {
            let path = join(spec, [Key("submitterPodTemplate")]);
            self.template(path, Some("submitter".to_string()));
        }
        // The cluster spec of a RayJob, RayService or RayCronJob.
        if depth < 4 {
            for e in node.entries() {
                let Some(key) = e.key.as_str() else { continue };
                if e.value.is_map()
                    && matches!(
                        key,
                        "rayClusterSpec"
                            | "rayClusterConfig"
                            | "rayJobTemplate"
                            | "jobTemplate"
                            | "spec"
                    )
                {
                    self.ray(&join(spec, [Seg::OwnedKey(key.to_string())]), depth + 1);
                }
            }
        }
    }

    fn jobset(&mut self, spec: &[Seg]) {
        use Seg::Key;
        let jobs = self.at(&join(spec, [Key("replicatedJobs")]));
        for (i, job) in jobs.map(Node::items).unwrap_or_default().iter().enumerate() {
            let role = job.get_str("name").unwrap_or("job").to_string();
            let path = join(
                spec,
                [
                    Key("replicatedJobs"),
                    Seg::Index(i),
                    Key("template"),
                    Key("spec"),
                    Key("template"),
                ],
            );
            self.template(path, Some(role));
        }
    }

    /// Each template that runs a pod, with the workflow's pod-level fields
    /// (`serviceAccountName`, `securityContext`, `volumes`, host settings)
    /// inherited where the template leaves them unset.
    fn argo(&mut self, workflow: &[Seg]) {
        use Seg::Key;
        let Some(wf_entry) = workflow.split_last().and_then(|(last, parent)| match last {
            Key(k) => self.at(parent)?.entry(k),
            _ => None,
        }) else {
            return;
        };
        let wf_key = wf_entry.key.span;
        let wf = &wf_entry.value;
        for (i, t) in wf
            .get("templates")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let runs_pod = ["container", "script", "containerSet"]
                .iter()
                .any(|k| t.get(k).is_some_and(Node::is_map));
            if !runs_pod {
                continue;
            }
            let role = t.get_str("name").unwrap_or("template").to_string();
            let labels = t.path(&["metadata", "labels"]);
            let app = app_of(labels).or(self.workload_app.clone());
            self.pod(
                join(workflow, [Key("templates"), Seg::Index(i)]),
                wf_key,
                Some(role),
                app,
                vec![workflow.to_vec()],
                ARGO_SLOTS,
            );
        }
    }

    fn kserve(&mut self, spec: &[Seg]) {
        use Seg::Key;
        let Some(node) = self.at(spec) else { return };
        let mut slots: Vec<Slot> = STANDARD.to_vec();
        slots.extend(
            KSERVE_MODEL_KEYS
                .iter()
                .map(|k| Slot::Single(k, ContainerKind::Main, None)),
        );
        let app = self.workload_app.clone();
        // InferenceService components, and LLMInferenceService pod specs.
        for (keys, role) in [
            (&["predictor"][..], "predictor"),
            (&["predictor", "workerSpec"][..], "predictor worker"),
            (&["transformer"][..], "transformer"),
            (&["explainer"][..], "explainer"),
            (&["template"][..], "template"),
            (&["worker"][..], "worker"),
            (&["prefill", "template"][..], "prefill"),
            (&["prefill", "worker"][..], "prefill worker"),
        ] {
            let (last, parents) = keys.split_last().expect("non-empty");
            let Some(entry) = node.path(parents).and_then(|p| p.entry(last)) else {
                continue;
            };
            if !entry.value.is_map() {
                continue;
            }
            let path = join(spec, keys.iter().map(|k| Key(k)));
            self.pod(
                path,
                entry.key.span,
                Some(role.to_string()),
                app.clone(),
                vec![],
                &slots,
            );
        }
    }

    fn spark(&mut self, spec: &[Seg]) {
        use Seg::Key;
        let Some(node) = self.at(spec) else { return };
        for role in ["driver", "executor"] {
            let Some(entry) = node.entry(role) else {
                continue;
            };
            let labels = entry.value.get("labels");
            let app = app_of(labels).or(self.workload_app.clone());
            self.pod(
                join(spec, [Key(role)]),
                entry.key.span,
                Some(role.to_string()),
                app,
                vec![spec.to_vec()],
                SPARK_SLOTS,
            );
        }
    }

    /// An unknown kind: every `template` whose `spec.containers` is a
    /// sequence, at any depth below `spec`.
    fn generic(&mut self, base: &[Seg]) {
        let spec = join(base, [Seg::Key("spec")]);
        if let Some(node) = self.at(&spec) {
            self.search(node, spec, 0);
        }
    }

    fn search(&mut self, node: &'a Node, path: Vec<Seg>, depth: usize) {
        if depth > GENERIC_DEPTH {
            return;
        }
        match &node.value {
            Value::Map(entries) => {
                for (i, e) in entries.iter().enumerate() {
                    let Some(key) = e.key.as_str() else { continue };
                    if NOT_POD_KEYS.contains(&key) {
                        continue;
                    }
                    // The last of two equal keys is the one Kubernetes keeps.
                    if entries[i + 1..].iter().any(|x| x.key.as_str() == Some(key)) {
                        continue;
                    }
                    let child = join(&path, [Seg::OwnedKey(key.to_string())]);
                    if key == "template"
                        && e.value
                            .path(&["spec", "containers"])
                            .is_some_and(|c| matches!(c.value, Value::Seq(_)))
                    {
                        let role = role_of_path(&path);
                        self.template(child, role);
                    } else {
                        self.search(&e.value, child, depth + 1);
                    }
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.search(item, join(&path, [Seg::Index(i)]), depth + 1);
                }
            }
            Value::Scalar(..) => {}
        }
    }
}

/// A role for a template found by the generic search: the path below
/// `spec`, or none for `spec.template` itself.
fn role_of_path(path: &[Seg]) -> Option<String> {
    let rest = path.get(1..).unwrap_or_default();
    if rest.is_empty() {
        return None;
    }
    let mut s = String::new();
    for seg in rest {
        match seg {
            Seg::Key(k) => push_key(&mut s, k),
            Seg::OwnedKey(k) => push_key(&mut s, k),
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    Some(s)
}

fn push_key(s: &mut String, k: &str) {
    if !s.is_empty() {
        s.push('.');
    }
    s.push_str(k);
}

/// The application a pod belongs to: `app.kubernetes.io/name`, then `app`.
pub fn app_of(labels: Option<&Node>) -> Option<String> {
    let labels = labels?;
    labels
        .get_str("app.kubernetes.io/name")
        .or_else(|| labels.get_str("app"))
        .map(str::to_string)
}

/// A mapping of resource names to quantities.
pub fn quantities(node: Option<&Node>) -> Quantities {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| {
                let v = e.value.as_str()?;
                Some((
                    e.key.as_str()?.to_string(),
                    Spanned::new(v.to_string(), e.value.span),
                ))
            })
            .collect()
    })
    .map(exact)
    .unwrap_or_default()
}

fn string_list(node: Option<&Node>) -> Vec<Spanned<String>> {
    node.map(|n| {
        n.items()
            .iter()
            .filter_map(|i| i.as_scalar().map(|s| Spanned::new(s.to_string(), i.span)))
            .collect()
    })
    .map(exact)
    .unwrap_or_default()
}

fn containers(pod: &Node, pod_path: &[Seg], pod_key: Span, slots: &[Slot]) -> Vec<Container> {
    let mut out = Vec::new();
    for slot in slots {
        match *slot {
            Slot::List(key, kind) => {
                let list = pod.get(key).map(Node::items).unwrap_or_default();
                for (i, c) in list.iter().enumerate() {
                    let path = join(pod_path, [Seg::Key(key), Seg::Index(i)]);
                    let entry_span = c
                        .entry("name")
                        .map(|e| e.key.span)
                        .unwrap_or(Span::point(c.span.start));
                    out.push(container(c, path, entry_span, kind));
                }
            }
            Slot::NestedList(keys, kind) => {
                let list = pod.path(keys).map(Node::items).unwrap_or_default();
                for (i, c) in list.iter().enumerate() {
                    let path = join(
                        pod_path,
                        keys.iter().map(|k| Seg::Key(k)).chain([Seg::Index(i)]),
                    );
                    let entry_span = c
                        .entry("name")
                        .map(|e| e.key.span)
                        .unwrap_or(Span::point(c.span.start));
                    out.push(container(c, path, entry_span, kind));
                }
            }
            Slot::Single(key, kind, default_name) => {
                let Some(entry) = pod.entry(key).filter(|e| e.value.is_map()) else {
                    continue;
                };
                let path = join(pod_path, [Seg::Key(key)]);
                let mut c = container(&entry.value, path, entry.key.span, kind);
                if c.name.is_none() {
                    let name = default_name.unwrap_or(key);
                    c.name = Some(Spanned::new(name.to_string(), entry.key.span));
                }
                out.push(c);
            }
            Slot::Spark => {
                let span = pod_key;
                let mut c = container(pod, pod_path.to_vec(), span, ContainerKind::Main);
                if let Some(Seg::Key(role)) = pod_path.last() {
                    c.name = Some(Spanned::new(role.to_string(), span));
                }
                let (requests, limits) = spark_resources(pod);
                c.requests = requests;
                c.limits = limits;
                out.push(c);
            }
        }
    }
    out
}

/// Spark's resource fields as the operator turns them into the pod's:
/// `cores`/`coreRequest` request CPU, `memory` is requested and limited
/// (the operator adds the overhead), `coreLimit` limits CPU, `gpu` is
/// requested and limited.
fn spark_resources(pod: &Node) -> (Quantities, Quantities) {
    let mut requests = Quantities::new();
    let mut limits = Quantities::new();
    let q = |n: &Node| n.as_str().map(|v| Spanned::new(v.to_string(), n.span));
    if let Some(cpu) = pod
        .get("coreRequest")
        .or_else(|| pod.get("cores"))
        .and_then(q)
    {
        requests.push(("cpu".to_string(), cpu));
    }
    if let Some(cpu) = pod.get("coreLimit").and_then(q) {
        limits.push(("cpu".to_string(), cpu));
    }
    if let Some(memory) = pod.get("memory").and_then(q) {
        requests.push(("memory".to_string(), memory.clone()));
        limits.push(("memory".to_string(), memory));
    }
    if let (Some(name), Some(n)) = (
        pod.path(&["gpu", "name"]).and_then(Node::as_str),
        pod.path(&["gpu", "quantity"]).and_then(q),
    ) {
        requests.push((name.to_string(), n.clone()));
        limits.push((name.to_string(), n));
    }
    (requests, limits)
}

fn container(c: &Node, path: Vec<Seg>, entry_span: Span, kind: ContainerKind) -> Container {
    let env = c
        .get("env")
        .map(|env| {
            env.items()
                .iter()
                .filter_map(|e| {
                    Some(EnvVar {
                        name: e.get("name")?.spanned_str()?,
                        value: e.get("value").and_then(|v| {
                            v.as_scalar().map(|s| Spanned::new(s.to_string(), v.span))
                        }),
                        value_from: e.get("valueFrom").is_some(),
                    })
                })
                .collect()
        })
        .map(exact)
        .unwrap_or_default();
    Container {
        name: c.get("name").and_then(Node::spanned_str),
        entry_span,
        kind,
        path,
        command: string_list(c.get("command")),
        args: string_list(c.get("args")),
        env,
        requests: quantities(c.path(&["resources", "requests"])),
        limits: quantities(c.path(&["resources", "limits"])),
        security_context: c
            .get("securityContext")
            .map(|s| Box::new(security_context(s))),
        host_ports: c
            .get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let port = p.get("hostPort")?;
                port.as_str()
                    .map(|v| Spanned::new(v.to_string(), port.span))
            })
            .collect(),
        image: c.get_str("image").map(str::to_string),
        working_dir: c.get_str("workingDir").map(str::to_string),
        env_from: c.get("envFrom").is_some(),
    }
}

fn security_context(security: &Node) -> SecurityContext {
    let flag = |key: &str| {
        security
            .get(key)
            .and_then(|n| n.as_bool().map(|b| Spanned::new(b, n.span)))
    };
    SecurityContext {
        privileged: flag("privileged"),
        allow_privilege_escalation: flag("allowPrivilegeEscalation"),
        capabilities_add: security
            .path(&["capabilities", "add"])
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.as_str().map(|s| Spanned::new(s.to_string(), i.span)))
            .collect(),
    }
}
