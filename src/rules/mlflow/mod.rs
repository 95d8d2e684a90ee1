//! MLflow rules, and what several of them share: tenants of MLflow
//! entities, the MLflow view of each container, secret-like names.

rules! {
    mlf001_shared_artifact_root,
    mlf002_shared_backend_store,
    mlf003_default_experiment,
    mlf004_unauthenticated_server,
    mlf005_plaintext_credentials,
    mlf006_ephemeral_backend_store,
    mlf007_broad_default_permission,
    mlf008_project_host_access,
    mlf009_run_outside_experiment_root,
    mlf010_permissive_server_security,
}

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::index::{Index, ServerAt, ServerRef};
use crate::model::Object;
use crate::model::k8s::{Container, PodTemplate};
use crate::model::mlflow::{MlflowClient, ServerArg, client_view};
use crate::model::process::{Process, container_may_use_mlflow, from_container};
use crate::rules::{Context, RuleMeta};
use crate::source::{FileId, Span};

/// The workspace MLflow 3 writes on every entity when workspaces are off:
/// it names no tenant.
pub const DEFAULT_WORKSPACE: &str = "default";

/// The tenant of a namespace-less MLflow entity (an experiment, a
/// registered model): the tenant of its `workspace` (a workspace is a
/// namespace; `default` names none), else the tenant whose `tenants:`
/// globs match its name.
pub fn entity_tenant(index: &Index, workspace: Option<&str>, name: Option<&str>) -> Option<String> {
    match workspace.filter(|w| *w != DEFAULT_WORKSPACE) {
        Some(ws) => index.tenancy.tenant_of(ws).map(str::to_string),
        None => index.tenancy.tenant_of_name(name?).map(str::to_string),
    }
}

/// The tenant of a server (SPEC §4.8): its namespace's, or for a process
/// outside Kubernetes the one its file's `paths:` entry or its Compose
/// project gives.
pub fn server_tenant<'i>(index: &'i Index, server: &ServerRef) -> Option<&'i str> {
    match server.at {
        ServerAt::Container { object, .. } => {
            index.tenancy.tenant_of(index.objects[object].namespace()?)
        }
        ServerAt::Process(i) => index.processes[i].tenant.as_deref(),
    }
}

/// The tenant of a server as the platform declares it: its namespace's, or
/// the one the config's `paths:` gives its file — not a Compose project or
/// a file that is only its own scope (the tenancy posture lists declared
/// tenants).
pub fn server_declared_tenant<'i>(index: &'i Index, server: &ServerRef) -> Option<&'i str> {
    match server.at {
        ServerAt::Process(i) if !index.processes[i].tenant_from_config => None,
        _ => server_tenant(index, server),
    }
}

/// The pod template and container a server runs in (Kubernetes only).
pub fn server_container<'i>(
    index: &'i Index,
    server: &ServerRef,
) -> Option<(&'i Object, &'i PodTemplate, &'i Container)> {
    let ServerAt::Container {
        object,
        template,
        container,
    } = server.at
    else {
        return None;
    };
    let obj = &index.objects[object];
    let template = obj.workload()?.templates.get(template)?;
    let container = template.containers.get(container)?;
    Some((obj, template, container))
}

/// The process outside Kubernetes a server runs in.
pub fn server_process<'i>(index: &'i Index, server: &ServerRef) -> Option<&'i Process> {
    match server.at {
        ServerAt::Process(i) => index.processes.get(i),
        ServerAt::Container { .. } => None,
    }
}

/// The file a server is defined in.
pub fn server_file(index: &Index, server: &ServerRef) -> FileId {
    match server.at {
        ServerAt::Container { object, .. } => index.objects[object].file,
        ServerAt::Process(i) => index.processes[i].file,
    }
}

/// What a server runs in, for messages: `Deployment team-a/mlflow`,
/// `Compose service `mlflow``.
pub fn server_what(index: &Index, server: &ServerRef) -> String {
    match server.at {
        ServerAt::Container { object, .. } => index.objects[object].describe(),
        ServerAt::Process(i) => index.processes[i].what.clone(),
    }
}

/// A finding on a node of a server's definition (with its object, in
/// Kubernetes).
pub fn server_finding(
    index: &Index,
    rule: &'static RuleMeta,
    server: &ServerRef,
    span: Span,
    message: impl Into<String>,
) -> Diagnostic {
    let d = Diagnostic::new(rule, server_file(index, server), span, message);
    match server.object() {
        Some(id) => d.object(&index.objects[id]),
        None => d,
    }
}

/// The object a server setting is written in: the ConfigMap or Secret it
/// comes from (through `envFrom` or `valueFrom`), else the server's own
/// workload (none outside Kubernetes).
pub fn setting_object<'i>(
    index: &'i Index,
    server: &ServerRef,
    arg: &ServerArg,
) -> Option<&'i Object> {
    let id = arg.origin.map(|o| o.object).or(server.object())?;
    Some(&index.objects[id])
}

/// The file a server setting is written in.
pub fn setting_file(index: &Index, server: &ServerRef, arg: &ServerArg) -> FileId {
    arg.origin
        .map_or_else(|| server_file(index, server), |o| o.file)
}

/// A finding on a server setting, in the object that holds it; when that is
/// a ConfigMap or Secret, the server that reads it is a related location.
pub fn on_setting(
    meta: &'static RuleMeta,
    index: &Index,
    server: &ServerRef,
    arg: &ServerArg,
    message: impl Into<String>,
) -> Diagnostic {
    let Some(origin) = arg.origin else {
        return server_finding(index, meta, server, arg.span, message);
    };
    Diagnostic::on(meta, &index.objects[origin.object], arg.span, message).related(
        server_file(index, server),
        server.server.span,
        format!(
            "`{}` runs `mlflow server` with this setting",
            server_what(index, server)
        ),
    )
}

/// One finding per node: findings of a rule that sit on the same setting
/// with the same message (a ConfigMap that several servers read) become
/// one that lists every server, in the order first seen.
pub fn merge_same_node(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut first: std::collections::HashMap<(FileId, Span, String), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        match first.entry((d.file, d.span, d.message.clone())) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let kept = &mut out[*e.get()];
                for r in d.related {
                    if !kept.related.contains(&r) {
                        kept.related.push(r);
                    }
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(d);
            }
        }
    }
    out
}

/// Every container of every workload, with its object and pod template.
pub fn containers(index: &Index) -> impl Iterator<Item = (&Object, &PodTemplate, &Container)> {
    index.objects.iter().flat_map(|obj| {
        obj.workload()
            .into_iter()
            .flat_map(|w| w.templates.iter())
            .flat_map(move |t| t.containers.iter().map(move |c| (&**obj, t, c)))
    })
}

/// A cheap first test: whether a container can use MLflow at all.
pub fn may_use_mlflow(container: &Container) -> bool {
    container_may_use_mlflow(container)
}

/// A process that may use MLflow, with the workload it runs in (if any).
pub struct MlflowProcess<'i> {
    pub process: Cow<'i, Process>,
    pub object: Option<&'i Object>,
    pub container: Option<&'i Container>,
    /// Where a server in it would be found.
    pub at: ServerAt,
}

impl MlflowProcess<'_> {
    /// A finding on a node of this process (with its object, in Kubernetes).
    pub fn finding(
        &self,
        rule: &'static RuleMeta,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        let d = Diagnostic::new(rule, file, span, message);
        match self.object {
            Some(obj) => d.object(obj),
            None => d,
        }
    }
}

/// Every process of the set that may use MLflow: the containers that pass
/// [`may_use_mlflow`] (with `envFrom` ConfigMaps read from the set — those
/// of the pod's namespace, or for a pod whose namespace is unset, those of
/// its directory), then the processes outside Kubernetes.
pub fn processes<'i>(ctx: &Context<'i>) -> impl Iterator<Item = MlflowProcess<'i>> + 'i {
    // Built one at a time as the rule reads them: the view of every
    // container of a big set at once was more memory than its YAML.
    let index = ctx.index;
    let files = ctx.files;
    let containers = index
        .objects
        .iter()
        .enumerate()
        .filter_map(|(object, obj)| Some((object, obj, obj.workload()?)))
        .flat_map(|(object, obj, w)| {
            w.templates
                .iter()
                .enumerate()
                .flat_map(move |(t, template)| {
                    template
                        .containers
                        .iter()
                        .enumerate()
                        .map(move |(c, container)| (object, obj, t, c, container))
                })
        })
        .filter(|(_, _, _, _, container)| may_use_mlflow(container))
        .map(move |(object, obj, t, c, container)| {
            let process = from_container(
                &files[obj.file as usize],
                obj,
                container,
                |name| index.config_map(obj, name),
                &Default::default(),
            );
            MlflowProcess {
                process: Cow::Owned(process),
                object: Some(obj),
                container: Some(container),
                at: ServerAt::Container {
                    object,
                    template: t,
                    container: c,
                },
            }
        });
    let outside = index
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| MlflowProcess {
            process: Cow::Borrowed(p),
            object: None,
            container: None,
            at: ServerAt::Process(i),
        });
    containers.chain(outside)
}

/// The MLflow view of a process.
pub fn client(ctx: &Context, p: &MlflowProcess) -> MlflowClient {
    client_view(ctx.file(p.process.file), &p.process)
}

/// Environment variable (or setting) names that hold secrets: containing
/// `SECRET`, `PASSWORD`, `TOKEN`, `PASSPHRASE` or `API_KEY`, or ending in
/// `_KEY` (which leaves out `_KEY_ID`). Names that point at a secret
/// rather than hold it (`…_FILE`, `…_PATH`, `…_NAME`, `…_URL`) are not.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    let pointer = [
        "_FILE", "_PATH", "_DIR", "_NAME", "_URL", "_REF", "_ENABLED",
    ]
    .iter()
    .any(|s| name.ends_with(s));
    !pointer
        && (["SECRET", "PASSWORD", "TOKEN", "PASSPHRASE", "API_KEY"]
            .iter()
            .any(|w| name.contains(w))
            || name.ends_with("_KEY"))
}

/// A value that refers to a secret instead of holding it: a variable
/// reference (`$(VAR)`, `${VAR}`, `$VAR`), a template, or nothing.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.starts_with('$') || v.contains("{{")
}

pub use crate::model::mlflow::is_loopback;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for yes in [
            "AWS_SECRET_ACCESS_KEY",
            "MLFLOW_TRACKING_PASSWORD",
            "MLFLOW_TRACKING_TOKEN",
            "MLFLOW_FLASK_SERVER_SECRET_KEY",
            "OPENAI_API_KEY",
            "openai_api_key",
            "MINIO_SECRET_KEY",
            "SSH_PASSPHRASE",
            "ENCRYPTION_KEY",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "AWS_ACCESS_KEY_ID",
            "MLFLOW_TRACKING_URI",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "DB_PASSWORD_FILE",
            "KEY",
            "MONKEY",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }
}
