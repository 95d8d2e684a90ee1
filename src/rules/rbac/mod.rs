//! RBAC rules, and what they share: reading bindings and roles, resolving a
//! binding's `roleRef` (to a role of the set or a built-in ClusterRole), and
//! telling which tenant a subject belongs to.

rules! {
    rbac001_cross_tenant_subject,
    rbac002_cluster_admin_binding,
    rbac003_wildcard_rule,
    rbac004_secrets_access,
    rbac005_broad_group_subject,
    rbac006_privilege_escalation_verbs,
}

use crate::model::rbac as model;
pub use crate::model::rbac::SubjectKind;
use crate::model::{NamespaceSource, Object, Spec};
use crate::rules::Context;
use crate::source::{Span, Spanned};

pub use crate::index::RBAC_GROUP;

/// A RoleBinding or ClusterRoleBinding of the set.
pub struct Binding<'a> {
    pub obj: &'a Object,
    /// `true` for a ClusterRoleBinding.
    pub cluster: bool,
    /// `roleRef.kind` (`Role` or `ClusterRole`).
    pub role_kind: &'a str,
    /// The `roleRef.name` value.
    pub role_name: &'a Spanned<String>,
    pub subjects: Vec<Subject<'a>>,
}

pub struct Subject<'a> {
    pub kind: SubjectKind,
    pub name: &'a str,
    /// The span of the `name` value.
    pub name_span: Span,
    /// A service account's namespace: its own, else the binding's.
    pub namespace: Option<String>,
}

impl Subject<'_> {
    /// How the subject reads in a message: `service account team-a/runner`.
    pub fn describe(&self) -> String {
        match (self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => {
                format!("service account `{ns}/{}`", self.name)
            }
            (SubjectKind::ServiceAccount, None) => format!("service account `{}`", self.name),
            (SubjectKind::User, _) => format!("user `{}`", self.name),
            (SubjectKind::Group, _) => format!("group `{}`", self.name),
        }
    }
}

/// Who a subject is, as far as tenancy goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner<'a> {
    Tenant(&'a str),
    /// A platform namespace's service account (trusted).
    Platform,
    /// `default`, a namespace we cannot know, or a user or group the config
    /// does not map.
    Unknown,
}

impl<'a> Binding<'a> {
    pub fn of(obj: &'a Object) -> Option<Binding<'a>> {
        let Spec::RoleBinding(binding) = &obj.spec else {
            return None;
        };
        let cluster = binding.cluster;
        let role_ref = binding.role_ref.as_ref()?;
        let binding_ns = if cluster {
            None
        } else {
            obj.namespace().map(str::to_string)
        };
        let subjects = binding
            .subjects
            .iter()
            .map(|s| Subject {
                kind: s.kind,
                name: s.name.as_str(),
                name_span: s.name.span,
                namespace: match s.kind {
                    SubjectKind::ServiceAccount => {
                        subject_namespace(obj, s.namespace.as_deref(), binding_ns.as_deref())
                    }
                    _ => None,
                },
            })
            .collect();
        Some(Binding {
            obj,
            cluster,
            role_kind: &role_ref.kind,
            role_name: &role_ref.name,
            subjects,
        })
    }

    pub fn role_name(&self) -> &'a str {
        self.role_name.as_str()
    }

    /// The namespace a RoleBinding grants rights in.
    pub fn namespace(&self) -> Option<&'a str> {
        if self.cluster {
            None
        } else {
            self.obj.namespace()
        }
    }
}

/// A service account subject's namespace. Under kustomize, the namespace
/// transformer moves subjects that say `default`, or the namespace the binding
/// itself said, along with the binding.
fn subject_namespace(
    obj: &Object,
    explicit: Option<&str>,
    binding: Option<&str>,
) -> Option<String> {
    let kustomized = match &obj.namespace {
        NamespaceSource::Kustomize { namespace, .. } => Some(namespace.value.as_str()),
        _ => None,
    };
    let moved_along = |ns: &str| {
        ns == "default"
            || obj
                .explicit_namespace
                .as_ref()
                .is_some_and(|e| e.value == ns)
    };
    match (explicit, kustomized) {
        (Some(ns), Some(k)) if moved_along(ns) => Some(k.to_string()),
        (Some(ns), _) if !ns.is_empty() => Some(ns.to_string()),
        _ => binding.map(str::to_string),
    }
}

/// The tenant a subject belongs to: a service account's namespace's tenant;
/// users and groups through `subjects:` in the config, and the groups and
/// users Kubernetes gives service accounts.
pub fn owner<'a>(ctx: &'a Context, s: &'a Subject) -> Owner<'a> {
    let of_namespace = |ns: &'a str| {
        if ctx.index.tenancy.is_platform(ns) {
            Owner::Platform
        } else {
            match ctx.index.tenancy.tenant_of(ns) {
                Some(t) => Owner::Tenant(t),
                None => Owner::Unknown,
            }
        }
    };
    match s.kind {
        SubjectKind::ServiceAccount => match &s.namespace {
            Some(ns) => of_namespace(ns),
            None => Owner::Unknown,
        },
        SubjectKind::User | SubjectKind::Group => {
            let prefix = if s.kind == SubjectKind::User {
                "user:"
            } else {
                "group:"
            };
            // Kubernetes' own superuser group belongs to whoever runs the cluster.
            if s.kind == SubjectKind::Group && s.name == "system:masters" {
                return Owner::Platform;
            }
            if let Some((_, t)) = ctx
                .config
                .subjects
                .iter()
                .find(|(k, _)| k.strip_prefix(prefix) == Some(s.name))
            {
                return match t.as_str() {
                    "platform" => Owner::Platform,
                    t => Owner::Tenant(t),
                };
            }
            let sa_ns = match s.kind {
                SubjectKind::User => s
                    .name
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|r| r.split_once(':'))
                    .map(|(ns, _)| ns),
                _ => s.name.strip_prefix("system:serviceaccounts:"),
            };
            match sa_ns {
                Some(ns) if !ns.is_empty() => of_namespace(ns),
                _ => Owner::Unknown,
            }
        }
    }
}

/// One entry of a role's `rules:`.
pub struct PolicyRule<'a> {
    pub api_groups: Vec<Item<'a>>,
    pub resources: Vec<Item<'a>>,
    pub verbs: Vec<Item<'a>>,
    /// `resourceNames` narrows the rule to named objects.
    pub named: bool,
    /// The rule's entry (for findings on a whole rule).
    pub span: Option<Span>,
}

/// A list item: its text, and its span when it comes from the set.
#[derive(Clone, Copy)]
pub struct Item<'a> {
    pub text: &'a str,
    pub span: Option<Span>,
}

impl<'a> PolicyRule<'a> {
    fn from_model(rule: &'a model::PolicyRule) -> PolicyRule<'a> {
        let list = |items: &'a [Spanned<String>]| -> Vec<Item<'a>> {
            items
                .iter()
                .map(|i| Item {
                    text: i.as_str(),
                    span: Some(i.span),
                })
                .collect()
        };
        PolicyRule {
            api_groups: list(&rule.api_groups),
            resources: list(&rule.resources),
            verbs: list(&rule.verbs),
            named: rule.named,
            span: Some(rule.span),
        }
    }

    fn from_builtin(b: &'static BuiltinRule) -> PolicyRule<'static> {
        let list = |v: &'static [&'static str]| -> Vec<Item<'static>> {
            v.iter().map(|text| Item { text, span: None }).collect()
        };
        PolicyRule {
            api_groups: list(b.0),
            resources: list(b.1),
            verbs: list(b.2),
            named: false,
            span: None,
        }
    }

    pub fn has_verb(&self, verb: &str) -> Option<Item<'a>> {
        self.verbs
            .iter()
            .find(|i| i.text == verb || i.text == "*")
            .copied()
    }

    pub fn has_resource(&self, resource: &str) -> bool {
        self.resources
            .iter()
            .any(|i| i.text == resource || i.text == "*")
    }

    pub fn has_group(&self, group: &str) -> bool {
        self.api_groups
            .iter()
            .any(|i| i.text == group || i.text == "*")
    }

    /// `*` verbs on `*` resources in `*` groups: everything.
    pub fn is_everything(&self) -> bool {
        let star = |v: &[Item]| v.iter().any(|i| i.text == "*");
        star(&self.verbs) && star(&self.resources) && star(&self.api_groups)
    }

    /// Whether the rule grants anything on namespaced resources, which a
    /// ClusterRoleBinding then grants in every tenant's namespaces.
    pub fn touches_namespaced(&self) -> bool {
        !self.verbs.is_empty()
            && self.resources.iter().any(|r| {
                !CLUSTER_SCOPED_RESOURCES.contains(&r.text.split('/').next().unwrap_or(""))
            })
    }

    /// get, list or watch on all secrets of the core group.
    pub fn reads_secrets(&self) -> Option<Item<'a>> {
        if self.named || !self.has_group("") || !self.has_resource("secrets") {
            return None;
        }
        ["get", "list", "watch"]
            .iter()
            .find_map(|v| self.has_verb(v))
    }
}

/// Cluster-scoped resources (and reviews that read no namespace's objects).
const CLUSTER_SCOPED_RESOURCES: &[&str] = &[
    "apiservices",
    "certificatesigningrequests",
    "clusterrolebindings",
    "clusterroles",
    "componentstatuses",
    "csidrivers",
    "csinodes",
    "customresourcedefinitions",
    "flowschemas",
    "ingressclasses",
    "mutatingwebhookconfigurations",
    "namespaces",
    "nodes",
    "persistentvolumes",
    "podsecuritypolicies",
    "priorityclasses",
    "prioritylevelconfigurations",
    "runtimeclasses",
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "storageclasses",
    "subjectaccessreviews",
    "tokenreviews",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "validatingwebhookconfigurations",
    "volumeattachments",
];

/// Built-in ClusterRoles that reach no namespace's objects: reviews,
/// discovery and public endpoints.
pub const HARMLESS_SYSTEM_ROLES: &[&str] = &[
    "system:auth-delegator",
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
];

/// A Role or ClusterRole object's role.
pub fn role_of(obj: &Object) -> Option<&model::Role> {
    match &obj.spec {
        Spec::Role(role) => Some(role),
        _ => None,
    }
}

/// The rules of a Role or ClusterRole object.
pub fn rules_of(role: &Object) -> Vec<PolicyRule<'_>> {
    role_of(role)
        .map(|r| r.rules.iter().map(PolicyRule::from_model).collect())
        .unwrap_or_default()
}

/// What a binding's `roleRef` points at.
pub enum Resolved<'a> {
    /// A Role or ClusterRole of the set.
    Object(&'a Object),
    /// A built-in ClusterRole (`cluster-admin`, `admin`, `edit`, `view`).
    Builtin(&'static str),
    /// Not in the set, or aggregated (its rules are filled in by a controller).
    Unknown,
}

impl<'a> Resolved<'a> {
    pub fn rules(&self) -> Vec<PolicyRule<'a>> {
        match self {
            Resolved::Object(o) => rules_of(o),
            Resolved::Builtin(name) => builtin_rules(name)
                .into_iter()
                .map(PolicyRule::from_builtin)
                .collect(),
            Resolved::Unknown => Vec::new(),
        }
    }
}

/// Resolve a binding's `roleRef`. A Role is looked up in the binding's
/// namespace; a ClusterRole in the set wins over a built-in of the same name.
pub fn resolve<'a>(ctx: &'a Context, b: &Binding) -> Resolved<'a> {
    let name = b.role_name();
    let kind = if b.role_kind == "Role" && !b.cluster {
        "Role"
    } else {
        "ClusterRole"
    };
    // Names repeat across bundles and overlays: the role nearest the binding
    // (same file, then the deepest shared directory) is the one deployed with it.
    let here = &ctx.file(b.obj.file).display;
    let found = ctx
        .index
        .named(RBAC_GROUP, kind, name)
        .map(|(_, o)| o)
        .filter(|o| kind == "ClusterRole" || o.namespace() == b.obj.namespace())
        .max_by_key(|o| {
            let there = &ctx.file(o.file).display;
            let shared = here
                .split('/')
                .zip(there.split('/'))
                .take_while(|(a, b)| a == b)
                .count();
            (o.file == b.obj.file, shared, std::cmp::Reverse(o.file))
        });
    if let Some(o) = found {
        if role_of(o).is_some_and(|r| r.aggregated) {
            return Resolved::Unknown;
        }
        return Resolved::Object(o);
    }
    if kind == "ClusterRole"
        && let Some(n) = BUILTIN_CLUSTER_ROLES.iter().find(|n| **n == name)
    {
        return Resolved::Builtin(n);
    }
    Resolved::Unknown
}

/// `(apiGroups, resources, verbs)` of a built-in ClusterRole's rule.
pub type BuiltinRule = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const ALL_RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// `view`: read access to most namespaced objects, not secrets.
const VIEW: &[BuiltinRule] = &[
    (
        &[""],
        &[
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
        ],
        READ,
    ),
    (
        &[""],
        &[
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
        ],
        READ,
    ),
    (&[""], &["namespaces"], READ),
    (&["discovery.k8s.io"], &["endpointslices"], READ),
    (
        &["apps"],
        &[
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
        READ,
    ),
    (
        &["autoscaling"],
        &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/status",
        ],
        READ,
    ),
    (
        &["batch"],
        &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        READ,
    ),
    (
        &["policy"],
        &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        READ,
    ),
    (
        &["networking.k8s.io"],
        &["ingresses", "ingresses/status", "networkpolicies"],
        READ,
    ),
];

/// `edit`: `view`, plus secrets, writes, exec and impersonating service accounts.
const EDIT: &[BuiltinRule] = &[
    (
        &[""],
        &[
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "secrets",
            "services/proxy",
        ],
        READ,
    ),
    (&[""], &["serviceaccounts"], &["impersonate"]),
    (
        &[""],
        &[
            "pods",
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
        ],
        WRITE,
    ),
    (&[""], &["pods/eviction"], &["create"]),
    (
        &[""],
        &[
            "configmaps",
            "events",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
        WRITE,
    ),
    (&[""], &["serviceaccounts/token"], &["create"]),
    (
        &["apps"],
        &[
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
        WRITE,
    ),
    (&["autoscaling"], &["horizontalpodautoscalers"], WRITE),
    (&["batch"], &["cronjobs", "jobs"], WRITE),
    (&["policy"], &["poddisruptionbudgets"], WRITE),
    (
        &["networking.k8s.io"],
        &["ingresses", "networkpolicies"],
        WRITE,
    ),
    (&["coordination.k8s.io"], &["leases"], ALL_RW),
];

/// `admin`: `edit`, plus roles and role bindings of the namespace.
const ADMIN: &[BuiltinRule] = &[
    (
        &["authorization.k8s.io"],
        &["localsubjectaccessreviews"],
        &["create"],
    ),
    (
        &["rbac.authorization.k8s.io"],
        &["rolebindings", "roles"],
        ALL_RW,
    ),
];

const CLUSTER_ADMIN: &[BuiltinRule] = &[(&["*"], &["*"], &["*"])];

/// The built-in ClusterRoles known with their real rules.
pub const BUILTIN_CLUSTER_ROLES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

/// The rules of a built-in ClusterRole, aggregation included.
pub fn builtin_rules(name: &str) -> Vec<&'static BuiltinRule> {
    let parts: &[&[BuiltinRule]] = match name {
        "cluster-admin" => &[CLUSTER_ADMIN],
        "admin" => &[ADMIN, EDIT, VIEW],
        "edit" => &[EDIT, VIEW],
        "view" => &[VIEW],
        _ => &[],
    };
    parts.iter().flat_map(|p| p.iter()).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::config::Config;
    use crate::engine::{CheckOptions, Selection, check_sources};
    use std::sync::Arc;

    /// `(line, column)` of every finding of `rule` in one file, under `config`.
    pub fn lint_with(config: &Config, rule: &str, text: &str) -> Vec<(u32, u32)> {
        let options = CheckOptions {
            selection: Selection {
                select: vec![rule.to_string()],
                ignore: vec![],
            },
            threads: 1,
            config: Arc::new(config.clone()),
            ..CheckOptions::default()
        };
        let result = check_sources(&[("t.yaml", text)], &options);
        result
            .diagnostics
            .iter()
            .map(|d| (d.span.start.line, d.span.start.col))
            .collect()
    }
}
