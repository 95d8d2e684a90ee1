//! Index: the whole linted set, resolved once — namespaces, tenants, service
//! accounts, quotas, MLflow servers and experiments — for the whole-set rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::mlflow::{MlflowSet, find_server};
use crate::model::{
    Experiment, FileModel, Kustomization, MlflowServer, NamespaceSource, Object, Scope, Spec,
};
use crate::source::{SourceFile, Span};

/// Index of an object in [`Index::objects`].
pub type ObjId = usize;

/// The API group of roles and bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Namespaces that belong to no tenant (SPEC §4, tenancy model).
pub const PLATFORM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// Who owns which namespace (SPEC §4, tenancy model).
#[derive(Debug, Clone)]
pub struct Tenancy {
    platform: Vec<String>,
    /// Config `tenants:`: tenant → namespace globs, first match wins.
    tenant_globs: Vec<(String, crate::config::Globs)>,
    /// `tenant_globs` compiled into one set.
    tenant_index: Arc<crate::config::GlobIndex>,
    /// Config `tenant-label:`: a Namespace label naming the tenant.
    tenant_label: Option<String>,
    /// Namespace → tenant, read from that label on the set's Namespace objects.
    by_label: HashMap<String, String>,
}

impl Default for Tenancy {
    fn default() -> Self {
        Tenancy {
            platform: PLATFORM_NAMESPACES.iter().map(|s| s.to_string()).collect(),
            tenant_globs: Vec::new(),
            tenant_index: Arc::default(),
            tenant_label: None,
            by_label: HashMap::new(),
        }
    }
}

impl Tenancy {
    /// The tenancy a configuration describes.
    pub fn from_config(config: &crate::config::Config) -> Tenancy {
        let mut t = Tenancy::default();
        t.platform
            .extend(config.platform_namespaces.iter().cloned());
        t.tenant_globs = config.tenants.clone();
        t.tenant_index = Arc::new(crate::config::GlobIndex::new(
            config.tenants.iter().map(|(_, g)| g),
        ));
        t.tenant_label = config.tenant_label.clone();
        t
    }

    /// The tenant whose `tenants:` globs match `name` (an MLflow experiment
    /// or registered model name); no tenant without a match.
    pub fn tenant_of_name(&self, name: &str) -> Option<&str> {
        self.first_tenant_matching(name)
    }

    pub fn is_platform(&self, ns: &str) -> bool {
        self.platform.iter().any(|p| p == ns)
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
    fn learn_labels(&mut self, objects: &[Object]) {
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
            None => obj.namespace == NamespaceSource::Unset,
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

/// An `mlflow server` found in a workload.
#[derive(Debug)]
pub struct ServerRef {
    pub object: ObjId,
    pub server: MlflowServer,
}

#[derive(Debug, Default)]
pub struct Index {
    pub objects: Vec<Object>,
    pub kustomizations: Vec<Kustomization>,
    pub experiments: Vec<Experiment>,
    pub servers: Vec<ServerRef>,
    /// Runs, the model registry, projects, gateway and auth configs.
    pub mlflow: MlflowSet,
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    pub tenancy: Tenancy,
    /// Non-empty YAML documents in the set.
    pub documents: usize,
    /// Namespace objects of each file (NS003 compares against a file's only one).
    pub file_namespaces: HashMap<u32, Vec<ObjId>>,
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
            ..Index::default()
        };
        for model in models {
            index.documents += model.documents as usize;
            index.objects.extend(model.objects);
            index.kustomizations.extend(model.kustomizations);
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
                let spec = o.root.get("spec");
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
            let kust = self.nearest_kustomization(&by_dir, o.file);
            let source = if let Some(k) = kust {
                let k = &self.kustomizations[k];
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
            let Some(ns) = o.namespace() else { continue };
            let info = self.namespaces.entry(ns.to_string()).or_default();
            info.users.push(id);
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
            if o.group == RBAC_GROUP
                && matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
                && let Some(role_ref) = o.root.get("roleRef")
                && let Some(name) = role_ref.get_str("name")
            {
                let kind = role_ref.get_str("kind").unwrap_or("ClusterRole");
                self.by_role_ref
                    .entry((kind.to_string(), name.to_string()))
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
            .map(|&id| (id, &self.objects[id]))
    }

    /// The bindings whose `roleRef` names `kind` (`Role` or `ClusterRole`)
    /// `name`, in set order.
    pub fn bindings_of_role(&self, kind: &str, name: &str) -> impl Iterator<Item = &Object> {
        self.by_role_ref
            .get(&(kind.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&id| &self.objects[id])
    }

    /// Where an object will live once deployed: its namespace, or, when that
    /// is unset, its directory (`<unset>:dir`), since the files of one
    /// directory are applied together (`kubectl apply -n NS -f dir/`).
    pub fn deploy_key(&self, obj: &Object) -> String {
        match obj.namespace() {
            Some(ns) => ns.to_string(),
            None => self.unset_key(obj),
        }
    }

    fn unset_key(&self, obj: &Object) -> String {
        let file = self.file_display(obj.file).unwrap_or_default();
        format!("<unset>:{}", crate::model::build::parent_dir(file))
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
        for (id, o) in self.objects.iter().enumerate() {
            let Some(w) = o.workload() else { continue };
            for (t, template) in w.templates.iter().enumerate() {
                for (c, container) in template.containers.iter().enumerate() {
                    if let Some(server) = find_server(&files[o.file as usize], o, t, c, container) {
                        self.servers.push(ServerRef { object: id, server });
                    }
                }
            }
        }
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
