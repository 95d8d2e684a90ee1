//! Index: the whole linted set, resolved once — namespaces, tenants, service
//! accounts, quotas, MLflow servers and experiments — for the whole-set rules.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use crate::model::config_data::{DataKind, DataTable};
use crate::model::mlflow::{MlflowSet, find_server};
use crate::model::process::{Process, container_may_use_mlflow, from_container};
use crate::model::server_env::{add_referenced_settings, referenced_values};
use crate::model::{
    Experiment, FileModel, Kustomization, MlflowServer, NamespaceSource, Object, Scope, Spec,
};
use crate::source::{SourceFile, Span};

/// Index of an object in [`Index::objects`].
pub type ObjId = usize;

/// The API group of roles and bindings.
pub use crate::model::rbac::RBAC_GROUP;

/// Namespaces that belong to no tenant, always (SPEC §4, tenancy model).
pub const PLATFORM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// The well-known homes of cluster add-ons: platform namespaces unless the
/// config's `tenant-namespaces` claims them (with every namespace ending in
/// `-system` or starting with `openshift-` or `gke-`).
pub const ADD_ON_NAMESPACES: &[&str] = &[
    "argocd",
    "cert-manager",
    "ingress-nginx",
    "istio-ingress",
    "kyverno",
    "monitoring",
    "kubeflow",
    "knative-serving",
    "knative-eventing",
    "kserve",
    "tekton-pipelines",
];

/// Whether `ns` is the home of a cluster add-on by name.
pub fn is_add_on_namespace(ns: &str) -> bool {
    ns.ends_with("-system")
        || ns.starts_with("openshift-")
        || ns.starts_with("gke-")
        || ADD_ON_NAMESPACES.contains(&ns)
}

/// Who owns which namespace (SPEC §4, tenancy model).
#[derive(Debug, Clone, Default)]
pub struct Tenancy {
    /// The config's `platform-namespaces`.
    platform: Vec<String>,
    /// The config's `tenant-namespaces`: add-on names that are tenants here.
    claimed: Vec<String>,
    /// Config `tenants:`: tenant → namespace globs, first match wins.
    tenant_globs: Vec<(String, crate::config::Globs)>,
    /// `tenant_globs` compiled into one set.
    tenant_index: Arc<crate::config::GlobIndex>,
    /// Config `tenant-label:`: a Namespace label naming the tenant.
    tenant_label: Option<String>,
    /// Namespace → tenant, read from that label on the set's Namespace objects.
    by_label: HashMap<String, String>,
}

impl Tenancy {
    /// The tenancy a configuration describes.
    pub fn from_config(config: &crate::config::Config) -> Tenancy {
        Tenancy {
            platform: config.platform_namespaces.clone(),
            claimed: config.tenant_namespaces.clone(),
            tenant_globs: config.tenants.clone(),
            tenant_index: Arc::new(crate::config::GlobIndex::new(
                config.tenants.iter().map(|(_, g)| g),
            )),
            tenant_label: config.tenant_label.clone(),
            by_label: HashMap::new(),
        }
    }

    /// The tenant whose `tenants:` globs match `name` (an MLflow experiment
    /// or registered model name); no tenant without a match.
    pub fn tenant_of_name(&self, name: &str) -> Option<&str> {
        self.first_tenant_matching(name)
    }

    pub fn is_platform(&self, ns: &str) -> bool {
        self.platform.iter().any(|p| p == ns) || self.is_builtin_platform(ns)
    }

    /// Platform by the built-in rules alone (not named by the config's
    /// `platform-namespaces`, not claimed by its `tenant-namespaces`).
    pub fn is_builtin_platform(&self, ns: &str) -> bool {
        PLATFORM_NAMESPACES.contains(&ns)
            || (is_add_on_namespace(ns) && !self.claimed.iter().any(|c| c == ns))
    }

    /// The add-on namespaces of the set that the run assumed to be the
    /// platform's by name alone (not Kubernetes' own `kube-*`, which always
    /// are, nor those the config lists).
    pub fn assumed<'a>(&self, namespaces: impl Iterator<Item = &'a str>) -> Vec<String> {
        namespaces
            .filter(|ns| {
                !PLATFORM_NAMESPACES.contains(ns)
                    && self.is_builtin_platform(ns)
                    && !self.platform.iter().any(|p| p == ns)
            })
            .map(str::to_string)
            .collect()
    }

    /// The tenant that owns `ns`: the tenant its Namespace's tenant label
    /// names, else the first `tenants:` glob it matches, else the namespace
    /// itself. Platform namespaces and `default` belong to none.
    pub fn tenant_of<'a>(&'a self, ns: &'a str) -> Option<&'a str> {
        if ns == "default" || self.is_platform(ns) {
            return None;
        }
        if let Some(t) = self.by_label.get(ns) {
            return Some(t);
        }
        if let Some(tenant) = self.first_tenant_matching(ns) {
            return Some(tenant);
        }
        Some(ns)
    }

    /// The first tenant (in config order) with a glob matching `name`.
    fn first_tenant_matching(&self, name: &str) -> Option<&str> {
        if self.tenant_globs.is_empty() {
            return None;
        }
        let first = *self.tenant_index.matching(name).first()?;
        Some(self.tenant_globs[first].0.as_str())
    }

    /// Read the tenant label of the set's Namespace objects.
    fn learn_labels(&mut self, objects: &[Box<Object>]) {
        let Some(label) = &self.tenant_label else {
            return;
        };
        for o in objects {
            if let (Spec::Namespace(ns), Some(name)) = (&o.spec, &o.name)
                && let Some((_, tenant)) = ns.labels.iter().find(|(k, _)| k == label)
            {
                self.by_label.insert(name.value.clone(), tenant.clone());
            }
        }
    }

    /// SA and HOST rules apply to tenant namespaces and to objects whose
    /// namespace is unset; platform namespaces (and `default`) are skipped.
    pub fn applies_to(&self, obj: &Object) -> bool {
        match obj.namespace() {
            Some(ns) => self.tenant_of(ns).is_some(),
            None => matches!(
                obj.namespace,
                NamespaceSource::Unset | NamespaceSource::Unknown(_)
            ),
        }
    }
}

/// Options that shape the index.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// `--namespace`: the deploy-time namespace for objects without one.
    pub deploy_namespace: Option<String>,
    pub tenancy: Tenancy,
}

#[derive(Debug, Default)]
pub struct NamespaceInfo {
    /// Namespace objects that declare it.
    pub declared: Vec<ObjId>,
    /// Objects placed in it, in file/line order.
    pub users: Vec<ObjId>,
    pub quotas: Vec<ObjId>,
    pub limit_ranges: Vec<ObjId>,
}

/// Where an `mlflow server` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerAt {
    /// A container of a workload: object, pod template, container.
    Container {
        object: ObjId,
        template: usize,
        container: usize,
    },
    /// A process started outside Kubernetes ([`Index::processes`]).
    Process(usize),
}

/// An `mlflow server` found in a workload or another process.
#[derive(Debug)]
pub struct ServerRef {
    pub at: ServerAt,
    pub server: MlflowServer,
}

impl ServerRef {
    /// The workload object it runs in (none outside Kubernetes).
    pub fn object(&self) -> Option<ObjId> {
        match self.at {
            ServerAt::Container { object, .. } => Some(object),
            ServerAt::Process(_) => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Index {
    pub objects: Vec<Box<Object>>,
    pub kustomizations: Vec<Kustomization>,
    pub experiments: Vec<Experiment>,
    pub servers: Vec<ServerRef>,
    /// Processes started outside Kubernetes (Compose, Dockerfiles,
    /// scripts, CI steps) that may run MLflow.
    pub processes: Vec<Process>,
    /// Runs, the model registry, projects, gateway and auth configs.
    pub mlflow: MlflowSet,
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    pub tenancy: Tenancy,
    /// Non-empty YAML documents in the set.
    pub documents: usize,
    /// Namespace objects of each file (NS003 compares against a file's only one).
    pub file_namespaces: HashMap<u32, Vec<ObjId>>,
    /// LimitRanges whose namespace is unset, by [`Index::deploy_key`].
    pub unset_limit_ranges: HashMap<String, Vec<ObjId>>,
    /// ServiceAccounts by [`Index::deploy_key`], then name; the first
    /// definition wins.
    pub service_accounts: HashMap<String, HashMap<String, ObjId>>,
    /// Objects by API group, kind and name, in set order: lookups of a
    /// named object (a role, a claim) cost one hash probe, not a scan.
    by_name: HashMap<(String, String, String), Vec<ObjId>>,
    /// RoleBindings and ClusterRoleBindings by `roleRef` kind and name.
    by_role_ref: HashMap<(String, String), Vec<ObjId>>,
    /// Display paths by file id (for directory lookups).
    file_names: Vec<String>,
    /// By file id: its bundle (SPEC §4, Bundles).
    bundles: Vec<Bundle>,
}

/// Files that are deployed together: the files of one repository, except
/// that a file below an `examples`, `tests`, … directory of its repository
/// is a bundle of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bundle {
    /// The repository (see [`crate::repo::RepoPath`]).
    pub repo: u32,
    /// The file, for a file that is a bundle of its own.
    pub file: Option<u32>,
}

impl Bundle {
    /// Whether this is a file of examples, samples, docs or tests.
    pub fn is_case(&self) -> bool {
        self.file.is_some()
    }
}

impl Index {
    /// Build the index from per-file models, given in file order.
    pub fn build(
        files: &[Arc<SourceFile>],
        models: Vec<FileModel>,
        options: &IndexOptions,
    ) -> Index {
        let mut index = Index {
            tenancy: options.tenancy.clone(),
            file_names: files.iter().map(|f| f.display.clone()).collect(),
            bundles: crate::repo::repo_paths(files)
                .iter()
                .zip(0u32..)
                .map(|(p, file)| Bundle {
                    repo: p.repo,
                    file: crate::repo::in_case_dir(&p.path).then_some(file),
                })
                .collect(),
            ..Index::default()
        };
        // Reserved once: grown by doubling, the vector of every object in
        // the set kept up to half of it spare for the whole run.
        index
            .objects
            .reserve_exact(models.iter().map(|m| m.objects.len()).sum());
        for model in models {
            index.documents += model.documents as usize;
            index.objects.extend(model.objects);
            index.kustomizations.extend(model.kustomizations);
            index.processes.extend(model.processes);
            for m in model.mlflow {
                if let Some(e) = index.mlflow.add(m) {
                    index.experiments.push(e);
                }
            }
        }
        index.tenancy.learn_labels(&index.objects);
        index.resolve_scopes();
        index.resolve_namespaces(options.deploy_namespace.as_deref());
        index.index_namespaces();
        index.index_service_accounts();
        index.index_names();
        index.find_servers(files);
        index.find_embedded_auth_configs(files);
        index
    }

    /// CRDs in the set tell the scope of their kinds.
    fn resolve_scopes(&mut self) {
        let mut crd_scopes: HashMap<String, Scope> = HashMap::new();
        for o in &self.objects {
            if *o.kind == "CustomResourceDefinition" {
                let root = o.root();
                let spec = root.get("spec");
                let kind = spec
                    .and_then(|s| s.path(&["names", "kind"]))
                    .and_then(|k| k.as_str());
                let scope = match spec.and_then(|s| s.get_str("scope")) {
                    Some("Cluster") => Scope::Cluster,
                    Some("Namespaced") => Scope::Namespaced,
                    _ => continue,
                };
                if let Some(kind) = kind {
                    crd_scopes.insert(kind.to_string(), scope);
                }
            }
        }
        for o in &mut self.objects {
            if o.scope == Scope::Unknown
                && let Some(scope) = crd_scopes.get(o.kind.as_str())
            {
                o.scope = *scope;
            }
        }
    }

    /// SPEC §1: kustomize's namespace (it overrides explicit ones), else
    /// `metadata.namespace`, else `--namespace`, else unset.
    fn resolve_namespaces(&mut self, deploy: Option<&str>) {
        // Nearest kustomization with a `namespace:` in the object's directory or above.
        let mut by_dir: HashMap<&str, usize> = HashMap::new();
        for (i, k) in self.kustomizations.iter().enumerate() {
            if k.namespace.is_some() {
                by_dir.entry(k.dir.as_str()).or_insert(i);
            }
        }
        let mut resolved = Vec::with_capacity(self.objects.len());
        for o in &self.objects {
            if o.scope == Scope::Cluster {
                resolved.push(NamespaceSource::ClusterScoped);
                continue;
            }
            if let NamespaceSource::Unknown(_) = o.namespace {
                resolved.push(o.namespace.clone());
                continue;
            }
            // A kustomize build placed the object already.
            if o.build.is_some() {
                resolved.push(match (&o.namespace, deploy) {
                    (NamespaceSource::Unset, Some(ns)) => {
                        NamespaceSource::DeployTime(ns.to_string())
                    }
                    (ns, _) => ns.clone(),
                });
                continue;
            }
            let kust = self.nearest_kustomization(&by_dir, o.file);
            let source = if let Some(k) = kust {
                let k = &self.kustomizations[k];
                let ns = k.namespace.as_ref().expect("filtered on namespace");
                if crate::model::placeholder::is_placeholder_text(&ns.value) {
                    resolved.push(NamespaceSource::Unknown(ns.span));
                    continue;
                }
                NamespaceSource::Kustomize {
                    namespace: k.namespace.clone().expect("filtered on namespace"),
                    file: k.file,
                }
            } else if let Some(ns) = &o.explicit_namespace {
                NamespaceSource::Explicit(ns.clone())
            } else if let Some(ns) = deploy {
                NamespaceSource::DeployTime(ns.to_string())
            } else {
                NamespaceSource::Unset
            };
            resolved.push(source);
        }
        for (o, ns) in self.objects.iter_mut().zip(resolved) {
            o.namespace = ns;
        }
    }

    fn nearest_kustomization(&self, by_dir: &HashMap<&str, usize>, file: u32) -> Option<usize> {
        if by_dir.is_empty() {
            return None;
        }
        let display = self.file_display(file)?;
        let mut dir = crate::model::build::parent_dir(display);
        loop {
            if let Some(&k) = by_dir.get(dir) {
                return Some(k);
            }
            if dir.is_empty() {
                return None;
            }
            dir = crate::model::build::parent_dir(dir);
        }
    }

    fn file_display(&self, file: u32) -> Option<&str> {
        self.file_names.get(file as usize).map(String::as_str)
    }

    fn index_namespaces(&mut self) {
        for (id, o) in self.objects.iter().enumerate() {
            if matches!(o.spec, Spec::Namespace(_))
                && let Some(name) = &o.name
            {
                self.namespaces
                    .entry(name.value.clone())
                    .or_default()
                    .declared
                    .push(id);
                self.file_namespaces.entry(o.file).or_default().push(id);
            }
            let Some(ns) = o.namespace() else {
                if matches!(o.spec, Spec::LimitRange(_)) && o.namespace == NamespaceSource::Unset {
                    let key = self.unset_key(o);
                    self.unset_limit_ranges.entry(key).or_default().push(id);
                }
                continue;
            };
            let info = self.namespaces.entry(ns.to_string()).or_default();
            // Kubernetes' own objects (SPEC §4) do not make a namespace used.
            if !crate::model::k8s::is_kubernetes_own(o) {
                info.users.push(id);
            }
            match o.spec {
                Spec::ResourceQuota(_) => info.quotas.push(id),
                Spec::LimitRange(_) => info.limit_ranges.push(id),
                _ => {}
            }
        }
    }

    fn index_service_accounts(&mut self) {
        let mut by_key: HashMap<String, HashMap<String, ObjId>> = HashMap::new();
        for (id, o) in self.objects.iter().enumerate() {
            if let (Spec::ServiceAccount(_), Some(name)) = (&o.spec, &o.name) {
                by_key
                    .entry(self.deploy_key(o))
                    .or_default()
                    .entry(name.value.clone())
                    .or_insert(id);
            }
        }
        self.service_accounts = by_key;
    }

    fn index_names(&mut self) {
        for (id, o) in self.objects.iter().enumerate() {
            if let Some(name) = &o.name {
                self.by_name
                    .entry((o.group.clone(), o.kind.value.clone(), name.value.clone()))
                    .or_default()
                    .push(id);
            }
            if let Spec::RoleBinding(binding) = &o.spec
                && let Some(role_ref) = &binding.role_ref
            {
                self.by_role_ref
                    .entry((role_ref.kind.clone(), role_ref.name.value.clone()))
                    .or_default()
                    .push(id);
            }
        }
    }

    /// The objects of API `group` and `kind` named `name`, in set order.
    pub fn named(
        &self,
        group: &str,
        kind: &str,
        name: &str,
    ) -> impl Iterator<Item = (ObjId, &Object)> {
        // One probe with owned keys; the set is built once, looked up often.
        self.by_name
            .get(&(group.to_string(), kind.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&id| (id, &*self.objects[id]))
    }

    /// The bindings whose `roleRef` names `kind` (`Role` or `ClusterRole`)
    /// `name`, in set order.
    pub fn bindings_of_role(&self, kind: &str, name: &str) -> impl Iterator<Item = &Object> {
        self.by_role_ref
            .get(&(kind.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&id| &*self.objects[id])
    }

    /// The bundle a file belongs to (SPEC §4, Bundles).
    pub fn bundle(&self, file: u32) -> Bundle {
        self.bundles.get(file as usize).copied().unwrap_or_default()
    }

    /// How [`Index::deploy_key`] names a bundle: nothing for the files of
    /// the first repository, which most runs lint alone.
    fn bundle_prefix(&self, file: u32) -> String {
        match self.bundle(file) {
            Bundle {
                repo: 0 | 1,
                file: None,
            } => String::new(),
            Bundle { repo, file: None } => format!("<repo {repo}>"),
            Bundle {
                repo,
                file: Some(f),
            } => format!("<repo {repo} file {f}>"),
        }
    }

    /// Where an object will live once deployed: its namespace, or, when that
    /// is unset, its directory (`<unset>:dir`), since the files of one
    /// directory are applied together (`kubectl apply -n NS -f dir/`); in
    /// a bundle of its own, only with that bundle's objects.
    pub fn deploy_key(&self, obj: &Object) -> String {
        match obj.namespace() {
            Some(ns) => format!("{}{ns}", self.bundle_prefix(obj.file)),
            None => self.unset_key(obj),
        }
    }

    fn unset_key(&self, obj: &Object) -> String {
        let file = self.file_display(obj.file).unwrap_or_default();
        format!(
            "{}<unset>:{}",
            self.bundle_prefix(obj.file),
            crate::model::build::parent_dir(file)
        )
    }

    /// The ServiceAccounts (name → object) the set defines where `obj` is
    /// deployed: those of its namespace, and those of its directory whose
    /// namespace is unset (applied together, they land in the same one).
    pub fn service_accounts_near(&self, obj: &Object) -> Vec<&HashMap<String, ObjId>> {
        let mut keys = vec![self.deploy_key(obj)];
        if obj.namespace().is_some() {
            keys.push(self.unset_key(obj));
        }
        keys.iter()
            .filter_map(|k| self.service_accounts.get(k))
            .collect()
    }

    /// The ServiceAccount `name` that the set defines where `obj` is deployed.
    pub fn service_account_for(&self, obj: &Object, name: &str) -> Option<ObjId> {
        self.service_accounts_near(obj)
            .into_iter()
            .find_map(|m| m.get(name).copied())
    }

    fn find_servers(&mut self, files: &[Arc<SourceFile>]) {
        let mut servers = Vec::new();
        // Each ConfigMap and Secret is read (and decoded) once, when first
        // referred to, whatever number of containers refer to it.
        let tables: RefCell<HashMap<ObjId, Rc<DataTable>>> = RefCell::default();
        for (id, o) in self.objects.iter().enumerate() {
            let Some(w) = o.workload() else { continue };
            let lookup = |kind: DataKind, name: &str| {
                let (data_id, data) = self.config_data_for(o, kind, name)?;
                let table = tables
                    .borrow_mut()
                    .entry(data_id)
                    .or_insert_with(|| Rc::new(DataTable::new(data_id, data)))
                    .clone();
                Some(table)
            };
            let file = &files[o.file as usize];
            for (t, template) in w.templates.iter().enumerate() {
                for (c, container) in template.containers.iter().enumerate() {
                    if !container_may_use_mlflow(container) {
                        continue;
                    }
                    let referenced = referenced_values(o, container, &lookup);
                    let process = from_container(file, o, container, |_| None, &referenced);
                    if let Some(mut server) = find_server(file, &process) {
                        add_referenced_settings(&mut server, o, container, &lookup);
                        servers.push(ServerRef {
                            at: ServerAt::Container {
                                object: id,
                                template: t,
                                container: c,
                            },
                            server,
                        });
                    }
                }
            }
        }
        self.servers = servers;
        for (i, p) in self.processes.iter().enumerate() {
            if let Some(server) = find_server(&files[p.file as usize], p) {
                self.servers.push(ServerRef {
                    at: ServerAt::Process(i),
                    server,
                });
            }
        }
    }

    /// The ConfigMap or Secret `name` that a workload `obj` reads where it
    /// is deployed: one of its namespace, or, for an object whose namespace
    /// is unset, one of its directory whose namespace is unset too. One
    /// hash probe by name, not a scan of the set.
    pub fn config_data_for(
        &self,
        obj: &Object,
        kind: DataKind,
        name: &str,
    ) -> Option<(ObjId, &Object)> {
        let dir = |o: &Object| {
            crate::model::build::parent_dir(self.file_display(o.file).unwrap_or_default())
                .to_string()
        };
        self.named("", kind.kind(), name).find(|(_, o)| {
            o.namespace() == obj.namespace() && (obj.namespace().is_some() || dir(o) == dir(obj))
        })
    }

    /// The tenant of each process outside Kubernetes (SPEC §4.8): the
    /// tenant the config's `paths:` gives its file, else its own scope —
    /// the Compose project for a Compose service; for a Dockerfile, a
    /// script or a workflow, the Compose project of the nearest directory
    /// at or above it that holds a Compose file (the image it builds, the
    /// script it runs), else its own directory. A Dockerfile and the start
    /// script beside it are one deployment, not two tenants sharing a store.
    pub fn assign_process_tenants(
        &mut self,
        files: &[Arc<SourceFile>],
        config: &crate::config::Config,
    ) {
        use crate::model::build::parent_dir;
        use crate::model::process::Producer;
        // Compose projects by the directory of their file (the first name
        // in sorted order where one directory holds several projects).
        let mut compose: HashMap<&str, &str> = HashMap::new();
        for p in &self.processes {
            if let (Producer::Compose, Some(scope)) = (p.producer, p.scope.as_deref()) {
                let dir = parent_dir(&files[p.file as usize].display);
                compose
                    .entry(dir)
                    .and_modify(|s| *s = (*s).min(scope))
                    .or_insert(scope);
            }
        }
        let scopes: Vec<Option<String>> = self
            .processes
            .iter()
            .map(|p| {
                if p.producer == Producer::Compose || p.scope.is_none() {
                    return p.scope.clone();
                }
                let own = parent_dir(&files[p.file as usize].display);
                let mut dir = own;
                loop {
                    if let Some(scope) = compose.get(dir) {
                        return Some(scope.to_string());
                    }
                    if dir.is_empty() {
                        break;
                    }
                    dir = parent_dir(dir);
                }
                Some(if own.is_empty() { "." } else { own }.to_string())
            })
            .collect();
        for (p, scope) in self.processes.iter_mut().zip(scopes) {
            p.scope = scope;
        }
        for p in &mut self.processes {
            let target = config.path_target(&files[p.file as usize].path);
            let by_path = target.and_then(|t| {
                t.tenant.clone().or_else(|| {
                    let ns = t.namespace.as_deref()?;
                    self.tenancy.tenant_of(ns).map(str::to_string)
                })
            });
            p.tenant_from_config = by_path.is_some();
            p.tenant = by_path.or_else(|| p.scope.clone());
        }
    }

    /// The ConfigMap `name` that a pod of `obj` sees (`envFrom`): of its
    /// namespace, or — for an object whose namespace is unset — of its
    /// directory, unset too.
    pub fn config_map(&self, obj: &Object, name: &str) -> Option<&Object> {
        let dir = |o: &Object| {
            crate::model::build::parent_dir(self.file_display(o.file).unwrap_or_default())
                .to_string()
        };
        // By name first (one hash probe), not a scan of the set per `envFrom`.
        let (_, cm) = self.named("", "ConfigMap", name).find(|(_, o)| {
            o.namespace() == obj.namespace() && (obj.namespace().is_some() || dir(o) == dir(obj))
        })?;
        Some(cm)
    }

    /// `basic_auth.ini` files kept in ConfigMaps.
    fn find_embedded_auth_configs(&mut self, files: &[Arc<SourceFile>]) {
        for (id, o) in self.objects.iter().enumerate() {
            let found = crate::model::auth_ini::from_config_map(&files[o.file as usize], o, id);
            self.mlflow.auth_configs.extend(found);
        }
    }

    /// The span where a namespace-level finding sits (SPEC §4): the Namespace
    /// object's name when declared, else the namespace of its first user.
    pub fn namespace_anchor(&self, ns: &str) -> Option<(u32, Span, Option<ObjId>)> {
        let info = self.namespaces.get(ns)?;
        if let Some(&id) = info.declared.first() {
            let o = &self.objects[id];
            return Some((o.file, o.name.as_ref()?.span, Some(id)));
        }
        let &first = info.users.first()?;
        let o = &self.objects[first];
        match o.namespace_span() {
            Some((file, span)) => Some((file, span, Some(first))),
            None => Some((o.file, o.metadata_key, Some(first))),
        }
    }
}
