//! MLF003 default-experiment.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::mlflow::{EnvSetting, MlflowClient};
use crate::rules::mlflow::{client, processes};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF003",
        name: "default-experiment",
        category: Category::Mlflow,
        severity: Severity::Warning,
        summary: "runs in the `Default` experiment, or a job that sets a tracking URI but no experiment",
        docs: Docs {
            what: "Reports runs that land in MLflow's `Default` experiment (id `0`): an active \
                   run whose `experiment_id` is `0`, in a file store (`meta.yaml`) or in the \
                   `runs` table of an SQLite store (`runs/<run_id>/experiment_id`; deleted runs \
                   are history), and a container that \
                   sets `MLFLOW_EXPERIMENT_ID` to `0`, `MLFLOW_EXPERIMENT_NAME` to `Default`, or \
                   passes them to `mlflow run` (`--experiment-id 0`). Also reports a job — a Pod, \
                   Job, CronJob, Kubeflow training job or RayJob — or any container running \
                   `mlflow run`, that sets `MLFLOW_TRACKING_URI` but neither \
                   `MLFLOW_EXPERIMENT_NAME` nor `MLFLOW_EXPERIMENT_ID` (nor \
                   `--experiment-name` / `--experiment-id` / `--run-id` of `mlflow run`; \
                   `MLFLOW_RUN_ID` chooses no experiment): its \
                   runs go to `Default`. That finding sits on the container's `name:`, with the \
                   tracking URI as a related location. Outside Kubernetes the same holds for a \
                   Docker Compose service, a Dockerfile's `CMD`, a command of a shell script or \
                   of a GitHub Actions `run:` step (scripts and CI steps run to completion, like \
                   jobs); the finding sits on the `run` of `mlflow run` (else on the command). Variables from `envFrom` ConfigMaps of the \
                   set count.",
            why: "Every tenant of a tracking server shares its `Default` experiment: it cannot \
                  be given to one team, so its runs are readable by all (with basic-auth's \
                  default permission) and its artifacts all live under one root. Runs that land \
                  there by accident also escape the per-experiment permissions and artifact \
                  locations that isolate the tenant's own experiments.",
            example: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: registry.example.com/team-a/train:1.0\n        env:\n        - name: MLFLOW_TRACKING_URI\n          value: http://mlflow.team-a:5000\n",
            use_instead: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: registry.example.com/team-a/train:1.0\n        env:\n        - name: MLFLOW_TRACKING_URI\n          value: http://mlflow.team-a:5000\n        - name: MLFLOW_EXPERIMENT_NAME\n          value: team-a/churn\n",
            options: None,
            known_problems: Some(
                "A training script may choose its experiment in code (`mlflow.set_experiment`), \
                 which tenantlint cannot see; a container whose command line passes an \
                 experiment option to its script (`--experiment_name`) or calls \
                 `mlflow.set_experiment` inline, or that reads \
                 variables from an `envFrom` Secret or a ConfigMap outside the linted set is \
                 not reported as missing one. Long-running services (Deployments, \
                 StatefulSets) are not required to name an experiment.",
            ),
            references: Some(
                "- [MLflow: environment variables](https://mlflow.org/docs/latest/api_reference/python_api/mlflow.environment_variables.html)\n- [MLflow: `mlflow run`](https://mlflow.org/docs/latest/api_reference/cli.html#mlflow-run)",
            ),
        },
    },
    check: Check::Set(check),
};

/// A setting that names an experiment: where it is and what it says.
struct Choice {
    what: String,
    value: Option<String>,
    file: FileId,
    span: Span,
}

fn env_choice(e: &EnvSetting) -> Choice {
    Choice {
        what: format!("`{}`", e.name),
        value: e.value.clone(),
        file: e.file,
        span: e.value_span,
    }
}

/// The experiment id and name a container's runs go to, as far as it says.
fn experiment_choices(client: &MlflowClient, file: FileId) -> (Option<Choice>, Option<Choice>) {
    let option = |name: &str| {
        client
            .run_options
            .get(name)
            .filter(|a| !a.from_env)
            .map(|a| Choice {
                what: format!("`--{name}`"),
                value: Some(a.value.clone()),
                file,
                span: a.span,
            })
    };
    let id = option("experiment-id").or_else(|| client.var("MLFLOW_EXPERIMENT_ID").map(env_choice));
    let name =
        option("experiment-name").or_else(|| client.var("MLFLOW_EXPERIMENT_NAME").map(env_choice));
    (id, name)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    for run in index.mlflow.runs.iter().filter(|r| r.is_active()) {
        let Some(exp) = run.experiment_id.as_ref().filter(|e| e.value == "0") else {
            continue;
        };
        let id = run.run_id.as_ref().map_or("", |r| r.value.as_str());
        out.push(
            Diagnostic::new(
                &RULE.meta,
                run.file,
                exp.span,
                format!("run `{id}` is in the `Default` experiment (`experiment_id` is `0`)"),
            )
            .help("log the tenant's runs to an experiment of its own (`MLFLOW_EXPERIMENT_NAME`, `mlflow.set_experiment`)"),
        );
    }
    for p in processes(ctx) {
        let client = client(ctx, &p);
        // Servers, UIs and gateways do not log runs.
        if client.subcommands.iter().any(|s| s.value != "run") {
            continue;
        }
        let (id, name) = experiment_choices(&client, p.process.file);
        let mut chosen = false;
        for (choice, default) in [(&id, "0"), (&name, "Default")] {
            let Some(c) = choice else { continue };
            chosen = true;
            if c.value.as_deref().map(str::trim) == Some(default) {
                out.push(
                    p.finding(
                        &RULE.meta,
                        c.file,
                        c.span,
                        format!("{} is `{default}`, the shared `Default` experiment", c.what),
                    )
                    .help("name an experiment of the tenant's own"),
                );
            }
        }
        if chosen
            // `mlflow run --run-id` resumes a run, which has its experiment;
            // `MLFLOW_RUN_ID` alone chooses none (SPEC §4.8).
            || client.run_options.get("run-id").is_some_and(|a| !a.from_env)
            || client.opaque_env
            || client.mentions_experiment
            || !(p.process.batch || client.runs("run"))
        {
            continue;
        }
        let Some(tracking) = client.var("MLFLOW_TRACKING_URI") else {
            continue;
        };
        let (span, message) = match p.container {
            Some(container) => {
                let container_name = container.name.as_ref().map_or("", |n| n.value.as_str());
                (
                    container.entry_span,
                    format!(
                        "container `{container_name}` sets `MLFLOW_TRACKING_URI` but no experiment, so its runs go to the `Default` experiment"
                    ),
                )
            }
            None => {
                // On `mlflow run`, else on the program of the command.
                let at = client
                    .subcommands
                    .iter()
                    .find(|s| s.value == "run")
                    .map_or(p.process.entry_span, |s| s.span);
                let what = if client.runs("run") {
                    "`mlflow run`".to_string()
                } else {
                    "this command".to_string()
                };
                (
                    at,
                    format!(
                        "{what} in `{}` has `MLFLOW_TRACKING_URI` but no experiment, so its runs go to the `Default` experiment",
                        p.process.what
                    ),
                )
            }
        };
        out.push(
            p.finding(&RULE.meta, p.process.file, span, message)
                .help("set `MLFLOW_EXPERIMENT_NAME` (or `MLFLOW_EXPERIMENT_ID`) to an experiment of the tenant")
                .related(tracking.file, tracking.name_span, "the tracking URI is set here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn job(env: &str, extra: &str) -> String {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: train, namespace: a}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: train\n        image: train\n{extra}        env:\n{env}"
        )
    }

    #[test]
    fn tracking_uri_without_experiment() {
        let text = job(
            "        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n",
            "",
        );
        let found = lint("MLF003", &[("j.yaml", &text)]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (8, 9));
        let named = job(
            "        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n        - {name: MLFLOW_EXPERIMENT_NAME, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}\n",
            "",
        );
        assert!(positions("MLF003", &named).is_empty());
        let script = job(
            "        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n",
            "        args: [python, train.py, --experiment_name, churn]\n",
        );
        assert!(positions("MLF003", &script).is_empty());
    }

    #[test]
    fn explicit_default_experiment() {
        let text = job(
            "        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n        - {name: MLFLOW_EXPERIMENT_ID, value: \"0\"}\n",
            "",
        );
        assert_eq!(positions("MLF003", &text), [(12, 47)]);
        let run = job(
            "        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n",
            "        command: [mlflow, run, ., --experiment-name, Default]\n",
        );
        let found = lint("MLF003", &[("j.yaml", &run)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].3,
            "`--experiment-name` is `Default`, the shared `Default` experiment"
        );
    }

    #[test]
    fn env_from_config_map_of_the_set() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mlflow-env, namespace: a}\ndata:\n  MLFLOW_TRACKING_URI: http://mlflow:5000\n";
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: a}\nspec:\n  template:\n    spec:\n      containers:\n      - name: train\n        image: train\n        envFrom: [{configMapRef: {name: mlflow-env}}]\n";
        let found = lint("MLF003", &[("cm.yaml", cm), ("j.yaml", text)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let secret = text.replace(
            "configMapRef: {name: mlflow-env}",
            "configMapRef: {name: mlflow-env}}, {secretRef: {name: s}",
        );
        assert!(lint("MLF003", &[("cm.yaml", cm), ("j.yaml", &secret)]).is_empty());
    }

    #[test]
    fn runs_in_experiment_zero_and_servers() {
        let run = "artifact_uri: mlflow-artifacts:/0/abc/artifacts\nexperiment_id: '0'\nrun_id: abc\nlifecycle_stage: active\n";
        let found = lint("MLF003", &[("mlruns/0/abc/meta.yaml", run)]);
        assert_eq!((found[0].1, found[0].2), (2, 16));
        let server = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m, namespace: a}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        args: [mlflow, server]\n        env: [{name: MLFLOW_TRACKING_URI, value: \"http://x\"}, {name: MLFLOW_EXPERIMENT_ID, value: \"0\"}]\n";
        assert!(positions("MLF003", server).is_empty());
    }
}
