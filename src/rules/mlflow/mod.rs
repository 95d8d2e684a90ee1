//! MLflow rules, and what several of them share: tenants of MLflow
//! entities, the MLflow view of each container, secret-like names.

pub mod mlf001_shared_artifact_root;
pub mod mlf002_shared_backend_store;
pub mod mlf003_default_experiment;
pub mod mlf004_unauthenticated_server;
pub mod mlf005_plaintext_credentials;
pub mod mlf006_ephemeral_backend_store;
pub mod mlf007_broad_default_permission;
pub mod mlf008_project_host_access;
pub mod mlf009_run_outside_experiment_root;
pub mod mlf010_permissive_server_security;

use crate::diagnostic::Diagnostic;
use crate::index::{Index, ServerRef};
use crate::load::{Node, Value};
use crate::model::Object;
use crate::model::k8s::{Container, PodTemplate};
use crate::model::mlflow::{MlflowClient, ServerArg, client_view};
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

/// The tenant of the workload a server runs in.
pub fn server_tenant<'i>(index: &'i Index, server: &ServerRef) -> Option<&'i str> {
    let obj = &index.objects[server.object];
    index.tenancy.tenant_of(obj.namespace()?)
}

/// The pod template and container a server runs in.
pub fn server_container<'i>(
    index: &'i Index,
    server: &ServerRef,
) -> Option<(&'i Object, &'i PodTemplate, &'i Container)> {
    let obj = &index.objects[server.object];
    let template = obj.workload()?.templates.get(server.server.template)?;
    let container = template.containers.get(server.server.container)?;
    Some((obj, template, container))
}

/// The object a server setting is written in: the ConfigMap or Secret it
/// comes from (through `envFrom` or `valueFrom`), else the server's own
/// workload.
pub fn setting_object<'i>(index: &'i Index, server: &ServerRef, arg: &ServerArg) -> &'i Object {
    let id = arg.origin.map_or(server.object, |o| o.object);
    &index.objects[id]
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
    let d = Diagnostic::on(meta, setting_object(index, server, arg), arg.span, message);
    if arg.origin.is_none() {
        return d;
    }
    let obj = &index.objects[server.object];
    d.related(
        obj.file,
        server.server.span,
        format!(
            "`{}` runs `mlflow server` with this setting",
            obj.describe()
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
            .flat_map(move |t| t.containers.iter().map(move |c| (obj, t, c)))
    })
}

static EMPTY_MAP: Node = Node {
    span: Span {
        start: crate::source::Pos {
            byte: 0,
            line: 0,
            col: 0,
        },
        end: crate::source::Pos {
            byte: 0,
            line: 0,
            col: 0,
        },
    },
    value: Value::Map(Vec::new()),
};

/// A cheap first test: whether a container can use MLflow at all (an
/// `MLFLOW_*` variable, `mlflow` on its command line or in its image, or
/// variables from `envFrom` that may be `MLFLOW_*`).
pub fn may_use_mlflow(obj: &Object, container: &Container) -> bool {
    container.env.iter().any(|e| e.name.starts_with("MLFLOW_"))
        || container
            .command
            .iter()
            .chain(&container.args)
            .any(|a| a.contains("mlflow"))
        || crate::model::k8s::follow(&obj.root, &container.path).is_some_and(|c| {
            c.get("envFrom").is_some()
                || c.get_str("image")
                    .is_some_and(|i| i.to_ascii_lowercase().contains("mlflow"))
        })
}

/// The MLflow view of a container, with `envFrom` ConfigMaps read from the
/// set (those of the pod's namespace; for a pod whose namespace is unset,
/// those of its directory whose namespace is unset too).
pub fn client(ctx: &Context, obj: &Object, container: &Container) -> MlflowClient {
    let dir = |o: &Object| crate::model::build::parent_dir(&ctx.file(o.file).display).to_string();
    let lookup = |name: &str| -> Option<(FileId, &Node)> {
        // By name first (one hash probe), not a scan of the set per `envFrom`.
        let (_, cm) = ctx.index.named("", "ConfigMap", name).find(|(_, o)| {
            o.namespace() == obj.namespace() && (obj.namespace().is_some() || dir(o) == dir(obj))
        })?;
        Some((cm.file, cm.root.get("data").unwrap_or(&EMPTY_MAP)))
    };
    client_view(ctx.file(obj.file), obj, container, lookup)
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

/// Loopback addresses: a server listening there is not reachable from
/// other pods.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h == "localhost" || h == "::1" || h.starts_with("127.")
}

/// Where a Kubernetes workload's batch processes run: kinds that run to
/// completion (a training job), as opposed to long-running services.
pub fn is_job(obj: &Object) -> bool {
    obj.workload().is_some_and(|w| w.runs_to_completion)
}

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
