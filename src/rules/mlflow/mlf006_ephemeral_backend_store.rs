//! MLF006 ephemeral-backend-store.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::model::mounts::{VolumeSource, absolute_path, mounted};
use crate::model::uri::{Store, parse_store};
use crate::rules::mlflow::{merge_same_node, on_setting, server_container};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Span;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF006",
        name: "ephemeral-backend-store",
        category: Category::Mlflow,
        severity: Severity::Warning,
        summary: "a backend store in memory, or a sqlite/file store on an `emptyDir`, `hostPath` or ReadWriteMany volume",
        docs: Docs {
            what: "Reports an `mlflow server` backend or registry store that does not keep its \
                   data safely: `sqlite:///:memory:` (or `sqlite://`), and a sqlite database or \
                   file store whose path — absolute, or relative to the container's \
                   `workingDir` — lies on a volume that is an `emptyDir` or generic `ephemeral` \
                   volume (deleted with the pod), a `hostPath` (left on whichever node the pod \
                   last ran, and readable by every pod there), or a PersistentVolumeClaim of the \
                   set whose `accessModes` include `ReadWriteMany` (network file systems break \
                   sqlite's locking). The finding sits on the store URI, with the volume as a \
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
                "A relative path is resolved only against an explicit `workingDir` (the \
                 image's working directory is unknown). A store on the container's own file \
                 system, on no volume at all, is lost on restart too but is not reported. \
                 Claims are looked up in the linted set; a claim defined elsewhere is assumed \
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
    let modes = claim.root.path(&["spec", "accessModes"])?;
    modes
        .items()
        .iter()
        .find(|m| m.as_str() == Some("ReadWriteMany"))
        .map(|m| m.span)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut found = Vec::new();
    for s in &index.servers {
        let Some((obj, template, container)) = server_container(index, s) else {
            continue;
        };
        for flag in ["backend-store-uri", "registry-store-uri"] {
            let Some(arg) = s.server.arg(flag) else {
                continue;
            };
            let uri = arg.value.trim();
            let path = match parse_store(uri) {
                Store::Memory => {
                    found.push(
                        on_setting(
                            &RULE.meta,
                            index,
                            s,
                            arg,
                            format!("`--{flag}` is `{uri}`, an in-memory database that is lost whenever the server restarts"),
                        )
                        .help("use a database server, or a sqlite file on a ReadWriteOnce PersistentVolumeClaim"),
                    );
                    continue;
                }
                Store::Path { path, .. } => path,
                _ => continue,
            };
            let Some(abs) = absolute_path(obj, container, &path) else {
                continue;
            };
            let Some(m) = mounted(obj, template, container, &abs) else {
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
            let kind = match parse_store(uri) {
                Store::Path { sqlite: true, .. } => "sqlite database",
                _ => "file store",
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
        for uri in ["sqlite:////tmp/m.db", "postgresql://db/m", "$(URI)"] {
            assert!(
                positions("MLF006", &server(uri, "emptyDir: {}")).is_empty(),
                "{uri}"
            );
        }
    }
}
