//! MLF004 unauthenticated-server.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::mlflow::{is_loopback, merge_same_node, on_setting, server_file, server_process};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF004",
        name: "unauthenticated-server",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "`mlflow server` listening beyond localhost without an authentication app",
        docs: Docs {
            what: "Reports an `mlflow server` whose `--host` (or `MLFLOW_HOST`) is an address \
                   other than loopback — `0.0.0.0`, `::`, a pod IP — while it runs no \
                   authentication app (`--app-name basic-auth`, `oidc-auth`, \
                   `kubernetes-auth`, …), wherever it is started: containers of workloads, \
                   Docker Compose services, Dockerfiles (`CMD`, `ENTRYPOINT`), shell scripts \
                   and GitHub Actions `run:` steps; command lines are read as MLflow's CLI \
                   reads them (`mlflow ui`, `python -m mlflow`, `mlflow --env-file F server` \
                   with `F` read when it is in the tree, `MLFLOW_HOST=… mlflow server`, \
                   `export` in scripts and `sh -c`). A bind in `--gunicorn-opts` is a listen \
                   address too (gunicorn binds every `-b`), and so is the bind of a \
                   `gunicorn` or `uvicorn` serving `mlflow.server:app` / \
                   `mlflow.server.fastapi_app:app` itself. In a Docker Compose service, where \
                   `0.0.0.0` is how a port is published at all, it counts only when `ports:` \
                   publishes the service beyond loopback (or it uses `network_mode: host`). \
                   The finding sits on the host value — in the ConfigMap \
                   or Secret, when `MLFLOW_HOST` comes from one through `envFrom` or \
                   `valueFrom` (on the key, for a Secret's base64 `data`), with the server as a \
                   related location. A server without `--host` listens on `127.0.0.1`, MLflow's \
                   default, and is not reported.",
            why: "Without an authentication app, MLflow's tracking server has no notion of a \
                  user: anyone who can reach its port can read every experiment, download every \
                  artifact and registered model, and delete or overwrite them. Listening on all \
                  interfaces makes it reachable from every pod of every tenant (Kubernetes \
                  networking is flat unless NetworkPolicies say otherwise), whatever Ingress or \
                  proxy was meant to guard it.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --host, 0.0.0.0, --port, \"5000\"]\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --host, 0.0.0.0, --port, \"5000\", --app-name, basic-auth]\n",
            options: None,
            known_problems: Some(
                "A server that listens on `127.0.0.1` behind an authenticating sidecar (an \
                 OAuth2 proxy in the same pod) is fine and not reported; one that listens on \
                 `0.0.0.0` behind such a sidecar is, since the pod IP bypasses the proxy. Host \
                 values built from variables tenantlint cannot resolve are not judged. \
                 `--gunicorn-opts \"--bind …\"` is not read.",
            ),
            references: Some(
                "- [MLflow: authentication](https://mlflow.org/docs/latest/self-hosting/security/basic-http-auth/)\n- [MLflow: `mlflow server`](https://mlflow.org/docs/latest/api_reference/cli.html#mlflow-server)",
            ),
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut found = Vec::new();
    for s in &index.servers {
        let Some(host) = s.server.arg("host") else {
            continue;
        };
        let value = host.value.trim();
        if value.is_empty() || value.contains('$') || is_loopback(value) {
            continue;
        }
        if s.server
            .arg("app-name")
            .is_some_and(|a| !a.value.trim().is_empty())
        {
            continue;
        }
        // In a Compose service `0.0.0.0` is how a port is published at all;
        // what others reach is what `ports:` publishes.
        if server_process(index, s).is_some_and(|p| p.published == Some(false)) {
            continue;
        }
        let message = if let Some(origin) = host.origin {
            let holder = &index.objects[origin.object];
            format!(
                "`MLFLOW_HOST` from {} `{}` makes `mlflow server` listen on `{value}` without an authentication app",
                *holder.kind,
                holder.name()
            )
        } else if host.from_env {
            format!(
                "`MLFLOW_HOST` makes `mlflow server` listen on `{value}` without an authentication app"
            )
        } else {
            format!("`mlflow server` listens on `{value}` without an authentication app")
        };
        let mut d = on_setting(&RULE.meta, index, s, host, message)
            .help("add `--app-name basic-auth` (or `oidc-auth`, `kubernetes-auth`), or listen on `127.0.0.1` behind an authenticating proxy");
        if host.origin.is_none() {
            d = d.related(server_file(index, s), s.server.span, "the server runs here");
        }
        found.push(d);
    }
    out.extend(merge_same_node(found));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn server(args: &str, env: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: m, namespace: a}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        args: [mlflow, server, {args}]\n        env: [{env}]\n"
        )
    }

    #[test]
    fn all_interfaces_without_auth() {
        assert_eq!(
            positions("MLF004", &server("--host, 0.0.0.0", "")),
            [(9, 40)]
        );
        assert_eq!(
            positions(
                "MLF004",
                &server("-p, \"5000\"", "{name: MLFLOW_HOST, value: \"::\"}")
            )
            .len(),
            1
        );
        assert_eq!(
            positions("MLF004", &server("--host=0.0.0.0", "")),
            [(9, 39)]
        );
    }

    #[test]
    fn host_from_a_config_map_is_reported_once_on_its_value() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\ndata:\n  MLFLOW_HOST: 0.0.0.0\n";
        let server = |name: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: a}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        args: [mlflow, server]\n        envFrom: [{{configMapRef: {{name: cm}}}}]\n"
            )
        };
        let found = lint(
            "MLF004",
            &[
                ("cm.yaml", cm),
                ("a.yaml", &server("m1")),
                ("b.yaml", &server("m2")),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "cm.yaml");
        assert_eq!((found[0].1, found[0].2), (5, 16));
        assert_eq!(
            found[0].3,
            "`MLFLOW_HOST` from ConfigMap `cm` makes `mlflow server` listen on `0.0.0.0` without an authentication app"
        );
    }

    #[test]
    fn loopback_default_or_auth_app() {
        for (args, env) in [
            ("--port, \"5000\"", ""),
            ("--host, 127.0.0.1", ""),
            ("--host, localhost", ""),
            ("--host, 0.0.0.0, --app-name, basic-auth", ""),
            ("--host, $(POD_IP)", ""),
        ] {
            assert!(positions("MLF004", &server(args, env)).is_empty(), "{args}");
        }
    }
}
