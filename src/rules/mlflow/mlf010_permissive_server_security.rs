//! MLF010 permissive-server-security.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::mlflow::is_truthy;
use crate::rules::mlflow::{merge_same_node, on_setting};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF010",
        name: "permissive-server-security",
        category: Category::Mlflow,
        severity: Severity::Warning,
        summary: "`mlflow server` with its host or origin checks opened, its security middleware off, or workspaces without an auth app",
        docs: Docs {
            what: "Reports `mlflow server` options that switch off its protection against \
                   cross-site and DNS-rebinding requests: `--allowed-hosts` with a `*` entry, \
                   `--cors-allowed-origins` with a `*` entry, `--disable-security-middleware` \
                   (also through their `MLFLOW_SERVER_*` environment variables), and \
                   `--enable-workspaces` (`MLFLOW_ENABLE_WORKSPACES`) on a server without an \
                   authentication app (`--app-name`). The finding sits on the value or flag.",
            why: "MLflow's security middleware rejects requests whose `Host` is not the server's \
                  and cross-origin requests from other sites, so that a web page a tenant's \
                  user visits cannot drive the tracking API with that user's network access or \
                  credentials (read another team's runs, register a model, delete an \
                  experiment). With `*` or the middleware off, any site can. Workspaces \
                  separate tenants by name only: without authentication, any client picks any \
                  workspace.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --app-name, basic-auth, --cors-allowed-origins, \"*\"]\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --app-name, basic-auth, --cors-allowed-origins, \"https://mlflow.team-a.example.com\", --allowed-hosts, \"mlflow.team-a.example.com\"]\n",
            options: None,
            known_problems: Some(
                "Wildcards inside a name (`*.example.com`) are allowed and not reported. \
                 Security headers set by an Ingress or proxy in front of the server are not \
                 seen.",
            ),
            references: Some(
                "- [MLflow: security middleware](https://mlflow.org/docs/latest/self-hosting/security/network/)\n- [MLflow: `mlflow server`](https://mlflow.org/docs/latest/api_reference/cli.html#mlflow-server)",
            ),
        },
    },
    check: Check::Set(check),
};

fn option_name(flag: &str, from_env: bool, env: &str) -> String {
    if from_env {
        format!("`{env}`")
    } else {
        format!("`--{flag}`")
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut found = Vec::new();
    for s in &index.servers {
        for (flag, env, what) in [
            (
                "allowed-hosts",
                "MLFLOW_SERVER_ALLOWED_HOSTS",
                "requests for any `Host` (DNS rebinding)",
            ),
            (
                "cors-allowed-origins",
                "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS",
                "cross-origin requests from any site",
            ),
        ] {
            let Some(arg) = s.server.arg(flag) else {
                continue;
            };
            if !arg.value.split(',').any(|entry| entry.trim() == "*") {
                continue;
            }
            found.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!(
                        "{} allows `*`: the server accepts {what}",
                        option_name(flag, arg.from_env, env)
                    ),
                )
                .help(format!(
                    "list the server's own names in {} instead of `*`",
                    option_name(flag, arg.from_env, env)
                )),
            );
        }
        if let Some(arg) = s.server.arg("disable-security-middleware")
            && is_truthy(&arg.value)
        {
            let name = option_name(
                "disable-security-middleware",
                arg.from_env,
                "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE",
            );
            found.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!("{name} turns off the server's host, origin and header checks"),
                )
                .help("remove it, and list the server's names in `--allowed-hosts` and `--cors-allowed-origins` instead"),
            );
        }
        if let Some(arg) = s.server.arg("enable-workspaces")
            && is_truthy(&arg.value)
            && s.server
                .arg("app-name")
                .is_none_or(|a| a.value.trim().is_empty())
        {
            let name = option_name(
                "enable-workspaces",
                arg.from_env,
                "MLFLOW_ENABLE_WORKSPACES",
            );
            found.push(
                on_setting(
                    &RULE.meta,
                    index,
                    s,
                    arg,
                    format!("{name} is set without an authentication app, so any client can use any workspace"),
                )
                .help("add `--app-name basic-auth` (or another auth app) so that workspaces are tied to users"),
            );
        }
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
    fn wildcards_middleware_and_workspaces() {
        let found = lint(
            "MLF010",
            &[(
                "d.yaml",
                &server(
                    "--allowed-hosts, \"a.example.com,*\", --cors-allowed-origins, \"https://*.example.com\", --disable-security-middleware, --enable-workspaces",
                    "",
                ),
            )],
        );
        let at: Vec<u32> = found.iter().map(|f| f.2).collect();
        assert_eq!(at, [49, 117, 148], "{found:?}");
        let env = server(
            "--app-name, basic-auth",
            "{name: MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE, value: \"false\"}, {name: MLFLOW_ENABLE_WORKSPACES, value: \"true\"}, {name: MLFLOW_SERVER_CORS_ALLOWED_ORIGINS, value: \"*\"}",
        );
        let found = lint("MLF010", &[("d.yaml", &env)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .3
                .starts_with("`MLFLOW_SERVER_CORS_ALLOWED_ORIGINS` allows `*`")
        );
        assert!(positions("MLF010", &server("--host, 0.0.0.0", "")).is_empty());
    }
}
