//! MLF006 ephemeral-backend-store.

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::{Index, ServerAt, ServerRef};
use crate::model::Object;
use crate::model::k8s::{Container, follow};
use crate::model::mlflow::{ServerArg, is_truthy};
use crate::model::mounts::{VolumeSource, absolute_path, mounted};
use crate::model::process::{MountSource, Process, Producer};
use crate::model::uri::{Store, parse_store};
use crate::rules::mlflow::{merge_same_node, on_setting, server_container, server_process};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Span;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF006",
        name: "ephemeral-backend-store",
        category: Category::Mlflow,
        severity: Severity::Warning,
        summary: "a backend store in memory, or a sqlite/file store on an `emptyDir`, `hostPath` or ReadWriteMany volume, or on no volume at all",
        docs: Docs {
            what: "Reports an `mlflow server` backend or registry store that does not keep its \
                   data safely: `sqlite:///:memory:` (or `sqlite://`), and a sqlite database or \
                   file store whose path — absolute, or relative to the container's \
                   `workingDir` — lies on a volume that is an `emptyDir` or generic `ephemeral` \
                   volume (deleted with the pod), a `hostPath` (left on whichever node the pod \
                   last ran, and readable by every pod there), or a PersistentVolumeClaim of the \
                   set whose `accessModes` include `ReadWriteMany` (network file systems break \
                   sqlite's locking) — or on no volume at all, in the container's own writable \
                   layer (`sqlite:///mlflow.db` with nothing mounted there), lost whenever the \
                   container restarts. A Docker Compose service is read alike: a store under \
                   no `volumes:` entry (relative to `working_dir`; without one, only when the \
                   service mounts nothing) is in the writable layer that recreating the \
                   container discards, and one on a `tmpfs` mount is in memory. The finding \
                   sits on the store URI, with the volume as a \
                   related location.",
            why: "Experiments, runs, metrics and the model registry live in the backend store. \
                  When it is lost on a restart or reschedule, every tenant's history goes with \
                  it — while the artifacts stay behind in the artifact store, orphaned, and \
                  registered model versions point at nothing. A sqlite file on a shared \
                  (`ReadWriteMany`) volume written by several replicas corrupts; one on a node's \
                  disk is readable by other tenants' pods on that node.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"sqlite:////data/mlflow.db\"]\n        volumeMounts:\n        - {name: data, mountPath: /data}\n      volumes:\n      - name: data\n        emptyDir: {}\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"sqlite:////data/mlflow.db\"]\n        volumeMounts:\n        - {name: data, mountPath: /data}\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: mlflow-data\n",
            options: None,
            known_problems: Some(
                "A relative path is resolved against the container's `workingDir`; without \
                 one, the image's working directory is unknown, so the store is reported as on \
                 no volume only when the container mounts nothing at all. A server given no \
                 `--backend-store-uri` (MLflow 3 then uses `sqlite:///mlflow.db`) is not \
                 reported. Claims are looked up in the linted set; a claim defined elsewhere is assumed \
                 to be `ReadWriteOnce`.",
            ),
            references: Some(
                "- [MLflow: backend stores](https://mlflow.org/docs/latest/self-hosting/architecture/backend-store/)\n- [SQLite over a network file system](https://www.sqlite.org/useovernet.html)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Whether the set defines claim `name` in `obj`'s namespace with `ReadWriteMany`.
fn claim_is_rwx(ctx: &Context, obj: &Object, name: &str) -> Option<Span> {
    let (_, claim) = ctx
        .index
        .named("", "PersistentVolumeClaim", name)
        .find(|(_, o)| o.namespace() == obj.namespace())?;
    let root = claim.root();
    let modes = root.path(&["spec", "accessModes"])?;
    modes
        .items()
        .iter()
        .find(|m| m.as_str() == Some("ReadWriteMany"))
        .map(|m| m.span)
}

/// Whether the container mounts any volume.
fn has_volume_mounts(obj: &Object, container: &Container) -> bool {
    follow(&obj.root(), &container.path)
        .and_then(|c| c.get("volumeMounts"))
        .is_some_and(|m| !m.items().is_empty())
}

/// An `--artifacts-only` server serves artifacts and opens no store.
fn artifacts_only(server: &ServerRef) -> bool {
    server
        .server
        .arg("artifacts-only")
        .is_some_and(|a| is_truthy(&a.value))
}

/// A store on no volume: in the container's own writable layer — lost
/// when a pod's container restarts, and when a Compose service's
/// container is recreated (`docker compose down`, a new image, a changed
/// setting).
fn on_no_volume(
    index: &Index,
    server: &ServerRef,
    arg: &ServerArg,
    flag: &str,
    kind: &str,
    path: &str,
    relative: bool,
) -> Diagnostic {
    let at = if relative {
        format!("`{path}` in the image's working directory")
    } else {
        format!("`{path}`")
    };
    let (lost, help) = match server.at {
        ServerAt::Process(_) => (
            "is recreated",
            "mount a named volume (or a host directory) at the store's directory, or keep the backend store in a database server",
        ),
        ServerAt::Container { .. } => (
            "restarts",
            "mount a ReadWriteOnce PersistentVolumeClaim at the store's directory, or keep the backend store in a database server",
        ),
    };
    on_setting(
        &RULE.meta,
        index,
        server,
        arg,
        format!(
            "`--{flag}` keeps its {kind} at {at}, on no volume: in the container's writable layer, lost whenever the container {lost}"
        ),
    )
    .help(help)
}

/// A server's backend or registry store that is a sqlite file or a file
/// store directory.
struct StorePath<'s> {
    flag: &'static str,
    arg: &'s ServerArg,
    /// As written: absolute, or relative to the working directory.
    path: String,
    kind: &'static str,
}

/// The `--backend-store-uri` and `--registry-store-uri` of a server that
/// are paths; an in-memory store is reported here, with `memory_help`.
fn store_paths<'s>(
    index: &Index,
    s: &'s ServerRef,
    memory_help: &str,
    out: &mut Vec<Diagnostic>,
) -> Vec<StorePath<'s>> {
    let mut paths = Vec::new();
    for flag in ["backend-store-uri", "registry-store-uri"] {
        let Some(arg) = s.server.arg(flag) else {
            continue;
        };
        let uri = arg.value.trim();
        match parse_store(uri) {
            Store::Memory => out.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!("`--{flag}` is `{uri}`, an in-memory database that is lost whenever the server restarts"),
                )
                .help(memory_help.to_string()),
            ),
            Store::Path { path, sqlite } => paths.push(StorePath {
                flag,
                arg,
                path,
                kind: if sqlite { "sqlite database" } else { "file store" },
            }),
            _ => {}
        }
    }
    paths
}

/// A server outside Kubernetes: an in-memory store, or a store on a
/// `tmpfs` mount.
fn check_process(index: &Index, s: &ServerRef, p: &Process, out: &mut Vec<Diagnostic>) {
    let memory_help = "use a database server, or a sqlite file on a volume that outlives the container";
    for StorePath {
        flag,
        arg,
        path,
        kind,
    } in store_paths(index, s, memory_help, out)
    {
        let relative = !path.starts_with('/');
        let path = match (&p.working_dir, relative) {
            (_, false) => path,
            (Some(dir), true) => format!("{dir}/{path}"),
            // Relative to the image's working directory, which is unknown:
            // on no volume only when the service mounts nothing at all.
            (None, true) => {
                if p.producer == Producer::Compose && p.mounts.is_empty() && !artifacts_only(s) {
                    out.push(on_no_volume(index, s, arg, flag, kind, &path, true));
                }
                continue;
            }
        };
        let path = crate::model::compose::normalise(&path);
        let mounted_at = |m: &&crate::model::process::Mount| {
            let target = m.target.trim_end_matches('/');
            path.strip_prefix(target)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        // A Compose service's own writable layer: no volume holds the store.
        if p.producer == Producer::Compose
            && !p.mounts.iter().any(|m| mounted_at(&m))
            && !artifacts_only(s)
        {
            out.push(on_no_volume(index, s, arg, flag, kind, &path, false));
            continue;
        }
        let tmpfs = p.mounts.iter().find(|m| {
            let target = m.target.trim_end_matches('/');
            m.source == MountSource::Tmpfs
                && path
                    .strip_prefix(target)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
        if let Some(m) = tmpfs {
            out.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!("`--{flag}` keeps its store at `{path}`, on a `tmpfs` mount: in memory, lost when the container stops"),
                )
                .help("keep the backend store in a database server, or on a named volume")
                .related(p.file, m.span, format!("`{}` is a `tmpfs` mount", m.target)),
            );
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut found = Vec::new();
    for s in &index.servers {
        let Some((obj, template, container)) = server_container(index, s) else {
            if let Some(p) = server_process(index, s) {
                check_process(index, s, p, &mut found);
            }
            continue;
        };
        let memory_help =
            "use a database server, or a sqlite file on a ReadWriteOnce PersistentVolumeClaim";
        for StorePath {
            flag,
            arg,
            path,
            kind,
        } in store_paths(index, s, memory_help, &mut found)
        {
            let Some(abs) = absolute_path(container, &path) else {
                // Relative to the image's working directory, which is
                // unknown: on no volume only when nothing is mounted at all.
                if !has_volume_mounts(obj, container) && !artifacts_only(s) {
                    found.push(on_no_volume(index, s, arg, flag, kind, &path, true));
                }
                continue;
            };
            let Some(m) = mounted(obj, template, container, &abs) else {
                if !artifacts_only(s) {
                    found.push(on_no_volume(index, s, arg, flag, kind, &abs, false));
                }
                continue;
            };
            let (what, related_span, related) = match &m.source {
                VolumeSource::EmptyDir => (
                    "an `emptyDir` volume, deleted with the pod".to_string(),
                    m.source_span,
                    format!("volume `{}` is an `emptyDir`", m.volume),
                ),
                VolumeSource::Ephemeral => (
                    "an `ephemeral` volume, deleted with the pod".to_string(),
                    m.source_span,
                    format!("volume `{}` is an `ephemeral` volume", m.volume),
                ),
                VolumeSource::HostPath(p) => (
                    "a `hostPath` volume, left on whichever node the pod ran".to_string(),
                    m.source_span,
                    format!("volume `{}` is the node's `{p}`", m.volume),
                ),
                VolumeSource::Claim(claim) => match claim_is_rwx(ctx, obj, claim) {
                    Some(span) => (
                        format!(
                            "claim `{claim}`, a `ReadWriteMany` volume on which sqlite's locking is unreliable"
                        ),
                        span,
                        format!("claim `{claim}` is `ReadWriteMany`"),
                    ),
                    None => continue,
                },
                _ => continue,
            };
            let related_file = match &m.source {
                VolumeSource::Claim(claim) => index
                    .objects
                    .iter()
                    .find(|o| o.is_kind("", "PersistentVolumeClaim") && o.name() == claim)
                    .map_or(obj.file, |o| o.file),
                _ => obj.file,
            };
            found.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!(
                        "`--{flag}` keeps its {kind} at `{abs}`, on volume `{}`: {what}",
                        m.volume
                    ),
                )
                .help("keep the backend store in a database server, or on a ReadWriteOnce PersistentVolumeClaim")
                .related(obj.file, m.mount_span, format!("`{}` is mounted here", m.mount_path))
                .related(related_file, related_span, related),
            );
        }
    }
    out.extend(merge_same_node(found));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn server(uri: &str, volume: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: m, namespace: a}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        workingDir: /srv\n        args: [mlflow, server, --backend-store-uri, \"{uri}\"]\n        volumeMounts: [{{name: data, mountPath: /srv/data}}]\n      volumes:\n      - name: data\n        {volume}\n"
        )
    }

    #[test]
    fn memory_and_ephemeral_volumes() {
        assert_eq!(
            positions("MLF006", &server("sqlite:///:memory:", "emptyDir: {}")),
            [(10, 53)]
        );
        let found = lint(
            "MLF006",
            &[(
                "d.yaml",
                &server("sqlite:///data/mlflow.db", "emptyDir: {}"),
            )],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].3,
            "`--backend-store-uri` keeps its sqlite database at `/srv/data/mlflow.db`, on volume `data`: an `emptyDir` volume, deleted with the pod"
        );
        assert_eq!(
            positions(
                "MLF006",
                &server("/srv/data/mlruns", "hostPath: {path: /mnt}")
            )
            .len(),
            1
        );
    }

    #[test]
    fn claims_and_other_paths() {
        let pvc = |mode: &str| {
            format!(
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: c, namespace: a}}\nspec:\n  accessModes: [{mode}]\n"
            )
        };
        let d = server(
            "sqlite:////srv/data/m.db",
            "persistentVolumeClaim: {claimName: c}",
        );
        assert_eq!(
            lint(
                "MLF006",
                &[("d.yaml", &d), ("pvc.yaml", &pvc("ReadWriteMany"))]
            )
            .len(),
            1
        );
        assert!(
            lint(
                "MLF006",
                &[("d.yaml", &d), ("pvc.yaml", &pvc("ReadWriteOnce"))]
            )
            .is_empty()
        );
        for uri in ["postgresql://db/m", "$(URI)"] {
            assert!(
                positions("MLF006", &server(uri, "emptyDir: {}")).is_empty(),
                "{uri}"
            );
        }
    }

    #[test]
    fn stores_on_no_volume() {
        // Off the mounted volume: the container's writable layer.
        let found = lint(
            "MLF006",
            &[("d.yaml", &server("sqlite:////tmp/m.db", "emptyDir: {}"))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].3,
            "`--backend-store-uri` keeps its sqlite database at `/tmp/m.db`, on no volume: in the container's writable layer, lost whenever the container restarts"
        );
        // Relative to `workingDir` (`/srv`), off the volume at `/srv/data`.
        assert_eq!(
            positions("MLF006", &server("sqlite:///mlflow.db", "emptyDir: {}")).len(),
            1
        );
        let bare = |uri: &str, extra: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: a}}\nspec:\n  containers:\n  - name: s\n    args: [mlflow, server, --backend-store-uri, \"{uri}\"{extra}]\n"
            )
        };
        // No `workingDir`, nothing mounted: wherever the image's working
        // directory is, the store is in the writable layer.
        assert_eq!(
            positions("MLF006", &bare("sqlite:///mlflow.db", "")),
            [(7, 49)]
        );
        assert_eq!(positions("MLF006", &bare("./mlruns", "")).len(), 1);
        // An artifacts-only server opens no store.
        assert!(positions("MLF006", &bare("sqlite:///mlflow.db", ", --artifacts-only")).is_empty());
        // No `workingDir`, something mounted: it may be the working directory.
        let mounted = bare("sqlite:///mlflow.db", "")
            + "    volumeMounts: [{name: d, mountPath: /mlflow}]\n  volumes:\n  - {name: d, persistentVolumeClaim: {claimName: c}}\n";
        assert!(positions("MLF006", &mounted).is_empty());
    }
}
