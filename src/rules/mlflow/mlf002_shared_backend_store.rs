//! MLF002 shared-backend-store.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Groups, Severity, more_note};
use crate::index::ServerRef;
use crate::model::mounts::{VolumeSource, absolute_path, mounted};
use crate::model::process::{MountSource, Process};
use crate::model::uri::{Store, parse_store_in_env};
use crate::rules::mlflow::{
    is_loopback, server_container, server_process, server_tenant, server_what, setting_file,
};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF002",
        name: "shared-backend-store",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "two tenants' servers that use the same backend or registry store",
        docs: Docs {
            what: "Reports `mlflow server`s of different tenants whose backend store \
                   (`--backend-store-uri`, `MLFLOW_BACKEND_STORE_URI`) or model registry store \
                   (`--registry-store-uri`, `MLFLOW_REGISTRY_STORE_URI`) — or read replica \
                   (`--read-replica-backend-store-uri`) or workspace store \
                   (`--workspace-store-uri`), each with its `MLFLOW_*` variable — is the same \
                   database. \
                   Database URIs are compared by dialect (driver dropped: `postgresql+psycopg2` \
                   is `postgresql`), host, port (the dialect's default when absent) and database \
                   name; credentials and query parameters are ignored. The parts a \
                   `postgresql://` URI leaves out (`postgresql://`, `postgresql://user@/`) are \
                   filled in from the server's `PGHOST`, `PGPORT` and `PGDATABASE`, as libpq \
                   does — from `env`, or from a ConfigMap or Secret of the set through `envFrom` \
                   or `valueFrom`; outside Kubernetes from the Compose service's `environment` \
                   and `env_file`, the Dockerfile's `ENV` or the script's variables. A host \
                   without a domain \
                   is a Service of the server's own namespace (`postgres` in `team-a` is \
                   `postgres.team-a`), as Kubernetes DNS resolves it. A sqlite file or file store \
                   is the same when it is the same path on a `hostPath` or NFS volume. Every \
                   occurrence is reported, with the first five others as related locations \
                   (the last one says how many more there are).",
            why: "The backend store holds every experiment, run, parameter, metric and tag, and \
                  the registry store every registered model and its versions. Two tenants' \
                  servers on one database see — and can rename, delete or overwrite — each \
                  other's experiments and models: the MLflow UI and API of one tenant lists the \
                  other's runs, and a model alias such as `@production` can be repointed by \
                  either.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql://mlflow@db.platform:5432/mlflow\"]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-b\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql+psycopg2://db.platform.svc.cluster.local/mlflow\"]\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql://mlflow@db.platform:5432/mlflow_team_a\"]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-b\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql://mlflow@db.platform:5432/mlflow_team_b\"]\n",
            options: None,
            known_problems: Some(
                "URIs built from variables that tenantlint cannot resolve (Secrets and \
                 ConfigMaps the set does not define), and `postgresql://` URIs that leave a part \
                 to such a `PG*` variable, are not compared, nor are databases on `localhost` (a sidecar proxy such as the \
                 Cloud SQL Auth Proxy, whose target is not in the URI) and relative sqlite paths \
                 (inside each server's own container). Two databases of one PostgreSQL server \
                 are different stores; two schemas of one database (`?options=-csearch_path=…`) \
                 are not told apart. Servers whose namespace is unset have no known tenant and \
                 are not compared.",
            ),
            references: Some(
                "- [MLflow: backend stores](https://mlflow.org/docs/latest/self-hosting/architecture/backend-store/)\n- [Kubernetes: DNS for Services and Pods](https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/)",
            ),
        },
    },
    check: Check::Set(check),
};

struct StoreUse<'a> {
    tenant: &'a str,
    /// `backend` or `registry`.
    role: &'static str,
    /// How the store is shown in messages (credentials left out).
    shown: String,
    workload: String,
    file: FileId,
    span: Span,
    object: Option<usize>,
}

/// The store behind a server's store URI, if it can be shared across
/// servers at all: how it is shown in messages (with backticks, without
/// credentials), which also identifies it.
fn identity(ctx: &Context, server: &ServerRef, uri: &str) -> Option<String> {
    if let Some(p) = server_process(ctx.index, server) {
        return process_identity(p, uri);
    }
    let (obj, template, container) = server_container(ctx.index, server)?;
    let libpq = |var: &str| match server.server.libpq.get(var) {
        Some(value) => value.clone().map(Some),
        None => Some(None),
    };
    match parse_store_in_env(uri, libpq) {
        Store::Database {
            family,
            host,
            port,
            database,
        } => database_identity(&family, &host, port, &database, |h| {
            Some(service_host(h, obj.namespace()?))
        }),
        Store::Path { path, .. } => {
            let path = absolute_path(container, &path)?;
            let m = mounted(obj, template, container, &path)?;
            match m.source {
                VolumeSource::HostPath(base) => Some(format!(
                    "`{}` on the node (`hostPath`)",
                    join(&base, &m.path_in_volume)
                )),
                VolumeSource::Nfs { server, path } => Some(format!(
                    "`{server}:{}` (NFS)",
                    join(&path, &m.path_in_volume)
                )),
                _ => None,
            }
        }
        Store::Memory | Store::Unknown => None,
    }
}

/// The store of a server outside Kubernetes: a database host without a
/// domain is a name of its own Compose project's network (or machine); a
/// sqlite file or file store is shared through a bind mount of one host
/// directory. `PGHOST`, `PGPORT` and `PGDATABASE` of the process complete
/// a `postgresql://` URI, as for a container.
fn process_identity(p: &Process, uri: &str) -> Option<String> {
    match parse_store_in_env(uri, |var| process_libpq(p, var)) {
        Store::Database {
            family,
            host,
            port,
            database,
        } => database_identity(&family, &host, port, &database, |h| {
            let h = h.trim_end_matches('.');
            Some(if h.contains('.') || h.parse::<std::net::IpAddr>().is_ok() {
                h.to_string()
            } else {
                format!("{h} (in `{}`)", p.scope.as_deref()?)
            })
        }),
        Store::Path { path, .. } => {
            let path = if path.starts_with('/') {
                path
            } else {
                format!("{}/{path}", p.working_dir.as_deref()?)
            };
            let path = crate::model::compose::normalise(&path);
            p.mounts.iter().find_map(|m| {
                let MountSource::Host(base) = &m.source else {
                    return None;
                };
                let target = m.target.trim_end_matches('/');
                let rest = path.strip_prefix(target)?;
                (rest.is_empty() || rest.starts_with('/'))
                    .then(|| format!("`{}` on the host (bind mount)", join(base, rest)))
            })
        }
        Store::Memory | Store::Unknown => None,
    }
}

/// A libpq variable of a process, as [`parse_store_in_env`] asks for it:
/// the last setting wins; one whose value cannot be read (a reference, a
/// name passed through from the caller's environment, an unreadable env
/// file) leaves the store unknown.
fn process_libpq(p: &Process, var: &str) -> Option<Option<String>> {
    match p.env.iter().rev().find(|e| e.name == var) {
        Some(e) if e.value_span == e.name_span && e.value.as_deref() == Some("") => None,
        Some(e) => e.value.clone().map(Some),
        None if p.opaque_env => None,
        None => Some(None),
    }
}

/// A database server's identity: `None` for no host, a Unix socket
/// directory or loopback (a database of this pod or machine, never
/// shared); else the host as `qualify` names it (a short name is one of
/// the server's own namespace or Compose project), port and database.
fn database_identity(
    family: &str,
    host: &str,
    port: Option<u16>,
    database: &str,
    qualify: impl FnOnce(&str) -> Option<String>,
) -> Option<String> {
    if host.is_empty() || host.starts_with('/') || is_loopback(host) {
        return None;
    }
    let host = qualify(host)?;
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("`{family}://{host}{port}/{database}`"))
}

fn join(base: &str, rest: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        rest.trim_start_matches('/')
    )
    .trim_end_matches('/')
    .to_string()
}

/// A database host as cluster DNS resolves it from namespace `ns`: a bare
/// name is a Service of `ns`; `svc.cluster.local` suffixes are dropped.
fn service_host(host: &str, ns: &str) -> String {
    let h = host.trim_end_matches('.');
    let h = h.strip_suffix(".cluster.local").unwrap_or(h);
    let h = h.strip_suffix(".svc").unwrap_or(h);
    if h.contains('.') || h.parse::<std::net::IpAddr>().is_ok() {
        h.to_string()
    } else {
        format!("{h}.{ns}")
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut by_store: BTreeMap<String, Vec<StoreUse>> = BTreeMap::new();
    for s in &index.servers {
        let Some(tenant) = server_tenant(index, s) else {
            continue;
        };
        for (flag, role) in [
            ("backend-store-uri", "backend"),
            ("registry-store-uri", "registry"),
            ("read-replica-backend-store-uri", "read replica"),
            ("workspace-store-uri", "workspace"),
        ] {
            let Some(arg) = s.server.arg(flag) else {
                continue;
            };
            let Some(id) = identity(ctx, s, &arg.value) else {
                continue;
            };
            by_store.entry(id.clone()).or_default().push(StoreUse {
                tenant,
                role,
                shown: id,
                workload: server_what(index, s),
                file: setting_file(index, s, arg),
                span: arg.span,
                object: arg.origin.map(|o| o.object).or(s.object()),
            });
        }
    }
    for uses in by_store.values() {
        // A database shared by N servers gives N findings: each lists the
        // first few uses of other tenants, not all N (SA001 does the same).
        let groups = Groups::new(uses.iter().map(|u| u.tenant));
        let mut per_tenant: BTreeMap<&str, usize> = BTreeMap::new();
        for u in uses {
            *per_tenant.entry(u.tenant).or_default() += 1;
        }
        for u in uses {
            let others: Vec<&StoreUse> = groups
                .others(&u.tenant, |_| true)
                .into_iter()
                .map(|j| &uses[j])
                .collect();
            let total = uses.len() - per_tenant[u.tenant];
            let Some(first) = others.first() else {
                continue;
            };
            let message = format!(
                "{} store {} is also the {} store of tenant `{}`",
                u.role, u.shown, first.role, first.tenant
            );
            let mut d = Diagnostic::new(&RULE.meta, u.file, u.span, message);
            if let Some(obj) = u.object {
                d = d.object(&index.objects[obj]);
            }
            d = d.help(format!(
                "give tenant `{}` a database of its own for its {} store",
                u.tenant, u.role
            ));
            for (n, o) in others.iter().enumerate() {
                let more = if n + 1 == others.len() {
                    more_note(others.len(), total)
                } else {
                    String::new()
                };
                d = d.related(
                    o.file,
                    o.span,
                    format!(
                        "`{}` of tenant `{}` uses it as its {} store{more}",
                        o.workload, o.tenant, o.role
                    ),
                );
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    fn server(ns: &str, args: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: mlflow, namespace: {ns}}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        args: [mlflow, server, {args}]\n        volumeMounts: [{{name: db, mountPath: /db}}]\n      volumes:\n      - name: db\n        hostPath: {{path: /mnt/mlflow}}\n"
        )
    }

    #[test]
    fn same_database_after_normalising() {
        let a = server(
            "a",
            "--backend-store-uri, \"postgresql+psycopg2://u:p@DB.shared:5432/mlflow\"",
        );
        let b = server(
            "b",
            "--registry-store-uri, \"postgresql://db.shared.svc.cluster.local/mlflow?sslmode=require\"",
        );
        let found = lint("MLF002", &[("a.yaml", &a), ("b.yaml", &b)]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].3,
            "backend store `postgresql://db.shared:5432/mlflow` is also the registry store of tenant `b`"
        );
    }

    #[test]
    fn bare_service_names_resolve_in_their_own_namespace() {
        let a = server("a", "--backend-store-uri, \"postgresql://postgres/mlflow\"");
        let b = server("b", "--backend-store-uri, \"postgresql://postgres/mlflow\"");
        assert!(lint("MLF002", &[("a.yaml", &a), ("b.yaml", &b)]).is_empty());
        let c = server(
            "c",
            "--backend-store-uri, \"postgresql://postgres.a/mlflow\"",
        );
        assert_eq!(lint("MLF002", &[("a.yaml", &a), ("c.yaml", &c)]).len(), 2);
    }

    #[test]
    fn sqlite_on_the_same_host_path() {
        let a = server("a", "--backend-store-uri, \"sqlite:////db/mlflow.db\"");
        let b = server("b", "--backend-store-uri, \"sqlite:////db/./mlflow.db\"");
        let found = lint("MLF002", &[("a.yaml", &a), ("b.yaml", &b)]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .3
                .contains("`/mnt/mlflow/mlflow.db` on the node (`hostPath`)"),
            "{found:?}"
        );
        // Relative paths and localhost proxies are each server's own.
        for uri in ["sqlite:///mlflow.db", "postgresql://127.0.0.1:5432/mlflow"] {
            let a = server("a", &format!("--backend-store-uri, \"{uri}\""));
            let b = server("b", &format!("--backend-store-uri, \"{uri}\""));
            assert!(lint("MLF002", &[("a.yaml", &a), ("b.yaml", &b)]).is_empty());
        }
    }

    #[test]
    fn related_locations_are_bounded() {
        let files: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("s{i}.yaml"),
                    server(
                        &format!("t{i}"),
                        "--backend-store-uri, \"postgresql://db.shared/mlflow\"",
                    ),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let result = crate::rules::testing::check("MLF002", &refs);
        assert_eq!(result.diagnostics.len(), 40);
        for d in &result.diagnostics {
            assert_eq!(d.related.len(), crate::diagnostic::SHOWN);
            assert!(
                d.related[4].message.ends_with("; and 34 more not listed"),
                "{}",
                d.related[4].message
            );
        }
    }

    #[test]
    fn one_tenant_may_share() {
        let a = server("a", "--backend-store-uri, \"mysql://db.x/m\"");
        let b = server("a", "--backend-store-uri, \"mysql://db.x/m\"");
        assert!(lint("MLF002", &[("a.yaml", &a), ("b.yaml", &b)]).is_empty());
    }
}
