//! Whose a finding is: the tenant of its object's namespace (SPEC §4,
//! tenancy model), a platform namespace, or nobody's; for MLflow entities
//! outside Kubernetes, the tenant the MLflow model gives them.

use crate::diagnostic::Diagnostic;
use crate::index::Index;
use crate::load::Node;
use crate::model::Object;
use crate::rules::Context;
use crate::rules::rbac::{self, Binding};
use crate::source::{FileId, Spanned};
use std::collections::HashMap;

/// The owner of a finding or of a namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Tenant(String),
    /// A platform namespace (trusted; listed apart from the tenants).
    Platform(String),
    /// `default`, an unset namespace, a cluster-wide object granted to no
    /// tenant, or a file that no tenant owns.
    Nobody,
}

/// The owner of namespace `ns`.
pub fn of_namespace(index: &Index, ns: &str) -> Owner {
    if index.tenancy.is_platform(ns) {
        return Owner::Platform(ns.to_string());
    }
    match index.tenancy.tenant_of(ns) {
        Some(t) => Owner::Tenant(t.to_string()),
        None => Owner::Nobody,
    }
}

/// Tells whose findings are, with the set's objects indexed by file.
pub struct Attributor<'a> {
    ctx: &'a Context<'a>,
    by_file: HashMap<FileId, Vec<&'a Object>>,
}

impl<'a> Attributor<'a> {
    pub fn new(ctx: &'a Context<'a>) -> Attributor<'a> {
        let mut by_file: HashMap<FileId, Vec<&Object>> = HashMap::new();
        for o in &ctx.index.objects {
            by_file.entry(o.file).or_default().push(o);
        }
        Attributor { ctx, by_file }
    }

    /// The object of the set that `d` lies in.
    fn object_at(&self, d: &Diagnostic) -> Option<&'a Object> {
        self.by_file.get(&d.file)?.iter().copied().find(|o| {
            let root = o.root_span();
            root.start.byte <= d.span.start.byte && d.span.end.byte <= root.end.byte
        })
    }

    /// The owner of finding `d`.
    pub fn owner(&self, d: &Diagnostic) -> Owner {
        let index = self.ctx.index;
        if let Some(o) = &d.object {
            if let Some(ns) = &o.namespace {
                return of_namespace(index, ns);
            }
            if o.kind == "Namespace" && !o.api_version.contains('/') {
                return of_namespace(index, &o.name);
            }
            // A cluster-scoped object, or one whose namespace is unset.
            return match self.object_at(d) {
                Some(obj) if *obj.kind == o.kind && obj.name() == o.name => {
                    cluster_object_owner(self.ctx, obj, d)
                }
                _ => Owner::Nobody,
            };
        }
        // A loader finding (a duplicate key) inside an object is that object's.
        if let Some(obj) = self.object_at(d) {
            return match obj.namespace() {
                Some(ns) => of_namespace(index, ns),
                None => Owner::Nobody,
            };
        }
        mlflow_owner(self.ctx, d).unwrap_or(Owner::Nobody)
    }
}

/// A cluster-scoped object's owner: the tenant of the binding subject the
/// finding sits on (or of all its subjects, when they are one tenant's), or
/// of a PersistentVolume's claim.
fn cluster_object_owner(ctx: &Context, obj: &Object, d: &Diagnostic) -> Owner {
    if let Some(b) = Binding::of(obj) {
        let subject_owner = |s: &rbac::Subject| match rbac::owner(ctx, s) {
            rbac::Owner::Tenant(t) => Some(t.to_string()),
            _ => None,
        };
        if let Some(s) = b.subjects.iter().find(|s| s.name_span == d.span) {
            return subject_owner(s).map_or(Owner::Nobody, Owner::Tenant);
        }
        let mut tenants: Vec<String> = b.subjects.iter().filter_map(subject_owner).collect();
        tenants.sort();
        tenants.dedup();
        return match <[String; 1]>::try_from(tenants) {
            Ok([t]) => Owner::Tenant(t),
            Err(_) => Owner::Nobody,
        };
    }
    if obj.is_kind("", "PersistentVolume")
        && let Some(ns) = obj
            .root()
            .path(&["spec", "claimRef", "namespace"])
            .and_then(Node::as_str)
            .map(str::to_string)
    {
        return of_namespace(ctx.index, &ns);
    }
    Owner::Nobody
}

/// The tenant of an MLflow entity (experiment, registered model, model
/// version) with this `workspace` and `name`.
pub fn entity_tenant(
    index: &Index,
    workspace: &Option<Spanned<String>>,
    name: &Option<Spanned<String>>,
) -> Option<String> {
    crate::rules::mlflow::entity_tenant(
        index,
        workspace.as_ref().map(|w| w.value.as_str()),
        name.as_ref().map(|n| n.value.as_str()),
    )
}

fn first_line(fields: &[&Option<Spanned<String>>]) -> Option<u32> {
    fields
        .iter()
        .filter_map(|f| f.as_ref().map(|f| f.span.start.line))
        .min()
}

/// The owner of a finding outside Kubernetes objects: the MLflow experiment,
/// run, model version or registered model it sits on, else the config's
/// `paths:`.
fn mlflow_owner(ctx: &Context, d: &Diagnostic) -> Option<Owner> {
    let index = ctx.index;
    let mlflow = &index.mlflow;
    let experiment_tenant =
        |e: &crate::model::Experiment| entity_tenant(index, &e.workspace, &e.name);
    // Every entity of the file: where its row starts, and its tenant.
    let mut entities: Vec<(Option<u32>, Option<String>)> = Vec::new();
    for e in index.experiments.iter().filter(|e| e.file == d.file) {
        let line = first_line(&[&e.name, &e.artifact_location, &e.workspace]);
        entities.push((line, experiment_tenant(e)));
    }
    for r in mlflow.runs.iter().filter(|r| r.file == d.file) {
        let id = r.experiment_id.as_ref().map(|i| i.value.as_str());
        let tenant = index
            .experiments
            .iter()
            .find(|e| id.is_some() && e.experiment_id.as_deref() == id)
            .and_then(experiment_tenant);
        entities.push((
            first_line(&[&r.run_id, &r.experiment_id, &r.artifact_uri]),
            tenant,
        ));
    }
    for v in mlflow.model_versions.iter().filter(|v| v.file == d.file) {
        let line = first_line(&[&v.name, &v.source, &v.storage_location, &v.workspace]);
        entities.push((line, entity_tenant(index, &v.workspace, &v.name)));
    }
    for m in mlflow.registered_models.iter().filter(|m| m.file == d.file) {
        let line = first_line(&[&m.name, &m.workspace]);
        entities.push((line, entity_tenant(index, &m.workspace, &m.name)));
    }
    // A file-store `meta.yaml` holds one entity; a SQLite store one per row,
    // row after row: the finding's is the last that starts at or before it.
    let by_model = entities
        .iter()
        .filter(|(line, _)| line.is_some_and(|l| l <= d.span.start.line))
        .max_by_key(|(line, _)| *line)
        .or(entities.first())
        .and_then(|(_, tenant)| tenant.clone());
    if let Some(t) = by_model {
        return Some(Owner::Tenant(t));
    }
    let target = ctx.config.path_target(&ctx.file(d.file).path)?;
    match (&target.tenant, &target.namespace) {
        (Some(t), _) => Some(Owner::Tenant(t.clone())),
        (None, Some(ns)) => Some(of_namespace(index, ns)),
        (None, None) => None,
    }
}
