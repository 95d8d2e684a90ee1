//! MLF005 plaintext-credentials.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::mlflow::EnvSource;
use crate::model::uri::literal_passwords;
use crate::rules::mlflow::{client, is_reference, is_secret_name, processes};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::{FileId, SourceFile, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF005",
        name: "plaintext-credentials",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "a secret written as a literal value instead of a Secret reference",
        docs: Docs {
            what: "In processes that use MLflow (they run the `mlflow` CLI or have `MLFLOW_*` \
                   variables) — containers of workloads, Docker Compose services (`environment`), \
                   Dockerfiles (`ENV`, `ARG` defaults), shell scripts (`export`, `VAR=value`) \
                   and GitHub Actions steps (`env:` of the workflow, job and step) — reports an environment variable with a secret-like name — \
                   containing `SECRET`, `PASSWORD`, `TOKEN`, `PASSPHRASE` or `API_KEY`, or \
                   ending in `_KEY` (not `_KEY_ID`), such as `AWS_SECRET_ACCESS_KEY`, \
                   `MLFLOW_TRACKING_PASSWORD` or `MLFLOW_FLASK_SERVER_SECRET_KEY` — whose \
                   value is written in the manifest, and a literal password in the \
                   `user:password@` part of a URI on the command line or in a variable (a \
                   backend store URI, a tracking URI). Also reports the same in a \
                   `basic_auth.ini` `database_uri` and literal API keys in an AI gateway \
                   config. Values from `valueFrom` and references such as `$(DB_PASSWORD)`, \
                   `${DB_PASSWORD}` or `$OPENAI_API_KEY` are fine. The finding sits on the \
                   value, or on the password inside the URI.",
            why: "A manifest is read by everyone who can read the repository, the CI logs, \
                  `kubectl get -o yaml` and the Deployment's history — far more people than may \
                  read a Secret, which RBAC can restrict per tenant and which can be encrypted \
                  at rest and rotated without a commit. A tracking server's database password \
                  or artifact store key gives direct access to every tenant's runs and models, \
                  around MLflow's own permissions.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql://mlflow:hunter2@db:5432/mlflow\"]\n        env:\n        - name: AWS_SECRET_ACCESS_KEY\n          value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --backend-store-uri, \"postgresql://mlflow:$(DB_PASSWORD)@db:5432/mlflow\"]\n        env:\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: mlflow-db, key: password}\n        - name: AWS_SECRET_ACCESS_KEY\n          valueFrom:\n            secretKeyRef: {name: mlflow-s3, key: secret-access-key}\n",
            options: None,
            known_problems: Some(
                "Only containers that use MLflow are checked: other workloads' secrets are the \
                 business of a general Kubernetes linter. Names that point at a secret rather \
                 than hold it (`…_FILE`, `…_PATH`, `…_NAME`, `…_URL`) and the values `true` / \
                 `false` are not reported. Secrets kept in ConfigMaps are not followed.",
            ),
            references: Some(
                "- [Kubernetes: using Secrets as environment variables](https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables)\n- [MLflow: AI gateway configuration](https://mlflow.org/docs/latest/genai/governance/ai-gateway/)",
            ),
        },
    },
    check: Check::Set(check),
};

const URI_HELP: &str = "reference the password from a Secret instead, e.g. `$(DB_PASSWORD)` with `DB_PASSWORD` set from `valueFrom.secretKeyRef`";

/// Findings for literal passwords in the URIs written in `span`.
fn uri_passwords(file: &SourceFile, span: Span) -> Vec<Span> {
    let base = span.start.byte as usize;
    literal_passwords(file.slice(span))
        .into_iter()
        .map(|r| file.span_of_bytes(base + r.start..base + r.end))
        .collect()
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // Settings of a script are seen by each of its commands: one finding each.
    let mut seen: HashSet<(FileId, Span)> = HashSet::new();
    for p in processes(ctx) {
        let client = client(ctx, &p);
        if !client.uses_mlflow() {
            continue;
        }
        let producer = p.process.producer;
        let mut push = |d: Diagnostic, seen: &mut HashSet<(FileId, Span)>| {
            if seen.insert((d.file, d.span)) {
                out.push(d);
            }
        };
        let settings = client.env.iter().chain(&p.process.build_args);
        for e in settings.filter(|e| e.source == EnvSource::Literal) {
            let Some(value) = &e.value else { continue };
            if e.value_span == e.name_span {
                continue;
            }
            if is_secret_name(&e.name)
                && !is_reference(value)
                && !matches!(value.trim(), "true" | "false")
            {
                push(
                    p.finding(
                        &RULE.meta,
                        e.file,
                        e.value_span,
                        format!(
                            "`{}` is set to a literal value in {}",
                            e.name,
                            producer.written_in()
                        ),
                    )
                    .help(producer.secret_help()),
                    &mut seen,
                );
                continue;
            }
            for span in uri_passwords(ctx.file(e.file), e.value_span) {
                push(
                    p.finding(
                        &RULE.meta,
                        e.file,
                        span,
                        format!(
                            "`{}` has a literal password in its `user:password@` part",
                            e.name
                        ),
                    )
                    .help(URI_HELP),
                    &mut seen,
                );
            }
        }
        // The server of this process, to name the flag a URI is given to.
        let server = index.servers.iter().find(|s| s.at == p.at);
        let file = ctx.file(p.process.file);
        for &item in &p.process.command_spans {
            for span in uri_passwords(file, item) {
                let flag = server.and_then(|s| {
                    s.server
                        .args
                        .iter()
                        .filter(|(_, a)| !a.from_env)
                        .find(|(_, a)| a.span.start <= span.start && span.end <= a.span.end)
                        .map(|(name, _)| *name)
                });
                let message = match flag {
                    Some(flag) => {
                        format!("`--{flag}` has a literal password in its `user:password@` part")
                    }
                    None => "a URI on the command line has a literal password in its `user:password@` part".to_string(),
                };
                push(
                    p.finding(&RULE.meta, p.process.file, span, message)
                        .help(URI_HELP),
                    &mut seen,
                );
            }
        }
    }
    for auth in &index.mlflow.auth_configs {
        let Some(uri) = &auth.database_uri else {
            continue;
        };
        // A Secret is where the password belongs.
        if auth
            .object
            .is_some_and(|id| index.objects[id].is_kind("", "Secret"))
        {
            continue;
        }
        for span in uri_passwords(ctx.file(auth.file), uri.span) {
            let mut d = Diagnostic::new(
                &RULE.meta,
                auth.file,
                span,
                "`database_uri` has a literal password in its `user:password@` part",
            )
            .help("keep `basic_auth.ini` in a Secret mounted into the server (named by `MLFLOW_AUTH_CONFIG_PATH`), not in a ConfigMap or the repository");
            if let Some(id) = auth.object {
                d = d.object(&index.objects[id]);
            }
            out.push(d);
        }
    }
    for gateway in &index.mlflow.gateways {
        for (key, value) in &gateway.settings {
            if !is_secret_name(key) || is_reference(value) || looks_like_path(value) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE.meta,
                    gateway.file,
                    value.span,
                    format!("`{}` is a literal key in the gateway config", key.value),
                )
                .help(format!(
                    "reference an environment variable instead: `{}: ${}`",
                    key.value,
                    key.value.to_ascii_uppercase()
                )),
            );
        }
    }
}

/// The gateway also reads a key from a file given by its path.
fn looks_like_path(value: &str) -> bool {
    value.starts_with('/') || value.starts_with("./") || value.starts_with("~/")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    fn container(spec: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: m, namespace: a}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n{spec}"
        )
    }

    #[test]
    fn literal_secret_env_values() {
        let text = container(
            "        env:\n        - {name: MLFLOW_S3_ENDPOINT_URL, value: \"http://minio:9000\"}\n        - {name: AWS_ACCESS_KEY_ID, value: admin}\n        - {name: AWS_SECRET_ACCESS_KEY, value: supersecret}\n        - {name: MLFLOW_TRACKING_TOKEN, value: \"$(TOKEN)\"}\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: p}}}\n",
        );
        let found = lint("MLF005", &[("d.yaml", &text)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].1, found[0].2), (12, 48));
        assert_eq!(
            found[0].3,
            "`AWS_SECRET_ACCESS_KEY` is set to a literal value in the manifest"
        );
    }

    #[test]
    fn containers_without_mlflow_are_not_checked() {
        let text = container("        env:\n        - {name: MYSQL_ROOT_PASSWORD, value: pw}\n");
        assert!(lint("MLF005", &[("d.yaml", &text)]).is_empty());
    }

    #[test]
    fn passwords_in_store_uris() {
        let text = container(
            "        command: [mlflow, server, --backend-store-uri, \"mysql+pymysql://u:pw@mysql:3306/db\", \"--registry-store-uri=postgresql://u:$(P)@pg/db\"]\n",
        );
        let found = lint("MLF005", &[("d.yaml", &text)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, 75);
        assert_eq!(
            found[0].3,
            "`--backend-store-uri` has a literal password in its `user:password@` part"
        );
        let script = container(
            "        command: [sh, -c]\n        args:\n        - |\n          mlflow server --backend-store-uri postgresql://mlflow:mlflow@postgres:5432/mlflow --host 0.0.0.0\n",
        );
        let found = lint("MLF005", &[("d.yaml", &script)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].1, found[0].2), (12, 65));
    }

    #[test]
    fn auth_ini_and_gateway() {
        let ini = "[mlflow]\ndatabase_uri = postgresql://auth:s3cret@db/auth\n";
        let found = lint("MLF005", &[("basic_auth.ini", ini)]);
        assert_eq!((found[0].1, found[0].2), (2, 34));
        let gw = "endpoints:\n- name: chat\n  endpoint_type: llm/v1/chat\n  model:\n    provider: openai\n    name: gpt-4o\n    config:\n      openai_api_key: sk-abc123\n- name: c2\n  endpoint_type: llm/v1/chat\n  model:\n    provider: openai\n    name: gpt-4o\n    config: {openai_api_key: $OPENAI_API_KEY}\n";
        let found = lint("MLF005", &[("config.yaml", gw)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].1, found[0].2), (8, 23));
    }
}
