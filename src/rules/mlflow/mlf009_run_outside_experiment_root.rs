//! MLF009 run-outside-experiment-root.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Experiment;
use crate::model::file_store::{LoggedModel, ModelVersion, Run};
use crate::model::uri::{Location, scoped_location};
use crate::rules::mlflow::{DEFAULT_WORKSPACE, entity_tenant, server_tenant, setting_file};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF009",
        name: "run-outside-experiment-root",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "a run whose artifacts are not under its experiment's artifact location, or a model version registered from another tenant's root",
        docs: Docs {
            what: "In an MLflow tracking store — the file store, or the tables of an SQLite \
                   store such as `mlflow.db` — reports an active run \
                   (`mlruns/<experiment>/<run>/meta.yaml`, a row of `runs`) whose \
                   `artifact_uri` is not under the `artifact_location` of its experiment, and a \
                   model version (`mlruns/models/<name>/version-<n>/meta.yaml`, a row of \
                   `model_versions`) whose `source` lies under an \
                   artifact root of another tenant: an experiment's `artifact_location`, or a \
                   server's `--default-artifact-root` / `--artifacts-destination` (the deepest \
                   root that contains the source decides). A `runs:/<run_id>/…` source is \
                   followed to that run's experiment, and a `models:/m-…` source to the \
                   experiment of that logged model (MLflow 3). A model's tenant is its \
                   `workspace` (or its registered model's), else the tenant whose `tenants:` \
                   globs match its name; an experiment's likewise. The `default` workspace that \
                   MLflow 3 writes when workspaces are off names no tenant.",
            why: "Per-experiment artifact locations are how a shared tracking server keeps \
                  tenants' files apart: each team's credentials and bucket policies cover its \
                  own prefix. A run that writes elsewhere — because a client overrode the \
                  location, or a store was copied or edited — puts its artifacts where another \
                  tenant can read or replace them. A model registered from another tenant's \
                  root serves whatever that tenant later writes there.",
            example: "# file: mlruns/1/meta.yaml\nartifact_location: s3://ml-artifacts/team-a/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: team-a/churn\n# file: mlruns/1/5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b/meta.yaml\nartifact_uri: s3://ml-artifacts/team-b/5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b/artifacts\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: 5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b\n",
            use_instead: "# file: mlruns/1/meta.yaml\nartifact_location: s3://ml-artifacts/team-a/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: team-a/churn\n# file: mlruns/1/5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b/meta.yaml\nartifact_uri: s3://ml-artifacts/team-a/1/5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b/artifacts\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: 5f2a9c0e8b7d4e1f9a3b6c2d1e0f4a5b\n",
            options: None,
            known_problems: Some(
                "A run is matched to the experiment `meta.yaml` of its parent directory (in an \
                 SQLite store, to the experiment of its `experiment_id`); runs whose experiment \
                 is not in the linted set are not checked. `mlflow-artifacts:` \
                 and relative URIs are compared only with those of the same file store, and a \
                 proxied URI is never compared with the bucket behind the proxy. Model \
                 versions without a known tenant are not checked.",
            ),
            references: Some(
                "- [MLflow: artifact stores](https://mlflow.org/docs/latest/self-hosting/architecture/artifact-store/)\n- [MLflow: model registry](https://mlflow.org/docs/latest/ml/model-registry/)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Whether two locations can be compared at all: two object-store or
/// absolute locations, or two local ones of the same kind.
fn comparable(a: &Location, b: &Location) -> bool {
    match (is_local(a), is_local(b)) {
        (false, false) => true,
        (true, true) => a.scheme == b.scheme && a.authority == b.authority,
        _ => false,
    }
}

/// A location that only means something to one server or file store.
fn is_local(l: &Location) -> bool {
    matches!(l.scheme.as_str(), "mlflow-artifacts" | "relative")
}

/// An artifact root with the tenant it belongs to.
struct Root {
    tenant: String,
    location: Location,
    raw: String,
    /// For local locations: the file store the root belongs to.
    store: Option<String>,
    file: FileId,
    span: Span,
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // Experiments by their key (directory in a file store, or store and id).
    let experiments: HashMap<&str, &Experiment> = index
        .experiments
        .iter()
        .map(|e| (e.key.as_str(), e))
        .collect();
    let experiment_of = |key: &str| experiments.get(key).copied();
    for run in &index.mlflow.runs {
        if !run.is_active() {
            continue;
        }
        let (Some(uri), Some(exp)) = (&run.artifact_uri, experiment_of(&run.experiment_key)) else {
            continue;
        };
        let Some(root) = &exp.artifact_location else {
            continue;
        };
        let (Some(run_loc), Some(exp_loc)) =
            (scoped_location(&uri.value), scoped_location(&root.value))
        else {
            continue;
        };
        if !comparable(&run_loc, &exp_loc) || exp_loc.contains(&run_loc) {
            continue;
        }
        let name = exp
            .name
            .as_ref()
            .map(|n| n.value.as_str())
            .or(exp.experiment_id.as_deref())
            .unwrap_or("");
        out.push(
            Diagnostic::new(
                &RULE.meta,
                run.file,
                uri.span,
                format!(
                    "`artifact_uri` `{}` is not under the artifact location `{}` of experiment `{name}`",
                    uri.value, root.value
                ),
            )
            .help("log the run's artifacts under its experiment's artifact location")
            .related(exp.file, root.span, format!("experiment `{name}` stores artifacts here")),
        );
    }

    // Artifact roots with a tenant.
    let mut roots: Vec<Root> = Vec::new();
    for e in &index.experiments {
        let tenant = entity_tenant(
            index,
            e.workspace.as_ref().map(|w| w.value.as_str()),
            e.name.as_ref().map(|n| n.value.as_str()),
        );
        let (Some(tenant), Some(root)) = (tenant, &e.artifact_location) else {
            continue;
        };
        let Some(location) = scoped_location(&root.value) else {
            continue;
        };
        roots.push(Root {
            tenant,
            location,
            raw: root.value.clone(),
            store: Some(e.store.clone()),
            file: e.file,
            span: root.span,
        });
    }
    for s in &index.servers {
        let Some(tenant) = server_tenant(index, s) else {
            continue;
        };
        for flag in ["default-artifact-root", "artifacts-destination"] {
            let Some(arg) = s.server.arg(flag) else {
                continue;
            };
            // A server's local roots are its own: only shared locations count.
            let Some(location) = scoped_location(&arg.value).filter(|l| !is_local(l)) else {
                continue;
            };
            roots.push(Root {
                tenant: tenant.to_string(),
                location,
                raw: arg.value.clone(),
                store: None,
                file: setting_file(index, s, arg),
                span: arg.span,
            });
        }
    }
    let registered: HashMap<&str, Option<&str>> = index
        .mlflow
        .registered_models
        .iter()
        .map(|m| {
            (
                m.key.as_str(),
                m.workspace.as_ref().map(|w| w.value.as_str()),
            )
        })
        .collect();
    let sources = Sources {
        runs: index
            .mlflow
            .runs
            .iter()
            .filter_map(|r| Some((r.run_id.as_ref()?.value.as_str(), r)))
            .collect(),
        logged_models: index
            .mlflow
            .logged_models
            .iter()
            .filter_map(|m| Some((m.model_id.as_ref()?.value.as_str(), m)))
            .collect(),
        experiment_of: &experiment_of,
    };
    for v in &index.mlflow.model_versions {
        let workspace = v
            .workspace
            .as_ref()
            .map(|w| w.value.as_str())
            .filter(|w| *w != DEFAULT_WORKSPACE)
            .or_else(|| registered.get(v.model_key.as_str()).copied().flatten());
        let Some(tenant) =
            entity_tenant(index, workspace, v.name.as_ref().map(|n| n.value.as_str()))
        else {
            continue;
        };
        out.extend(foreign_source(ctx, v, &tenant, &roots, &sources));
    }
}

/// Where registered models come from: runs and logged models by id, and
/// experiments by key.
struct Sources<'a, F: Fn(&str) -> Option<&'a Experiment>> {
    runs: HashMap<&'a str, &'a Run>,
    logged_models: HashMap<&'a str, &'a LoggedModel>,
    experiment_of: &'a F,
}

/// A finding when version `v`'s source lies under another tenant's root.
fn foreign_source<'a, F: Fn(&str) -> Option<&'a Experiment>>(
    ctx: &Context,
    v: &ModelVersion,
    tenant: &str,
    roots: &[Root],
    sources: &Sources<'a, F>,
) -> Option<Diagnostic> {
    let source = v.source.as_ref()?;
    let index = ctx.index;
    let model = v.name.as_ref().map_or("", |n| n.value.as_str());
    // `runs:/<run_id>/…` and `models:/m-…` (a logged model) name where the
    // model came from: the tenant of that run's or model's experiment.
    let origin = if let Some(rest) = source.value.strip_prefix("runs:/") {
        let run_id = rest.trim_start_matches('/').split('/').next()?;
        let run = sources.runs.get(run_id)?;
        Some((
            "run",
            format!("run `{run_id}`"),
            run.file,
            run.run_id.as_ref()?.span,
            &run.experiment_key,
        ))
    } else if let Some(rest) = source.value.strip_prefix("models:/") {
        let model_id = rest.trim_start_matches('/').split('/').next()?;
        match sources.logged_models.get(model_id) {
            Some(m) => Some((
                "logged model",
                format!("logged model `{model_id}`"),
                m.file,
                m.model_id.as_ref()?.span,
                &m.experiment_key,
            )),
            // `models:/<name>/<version>` names a registered model: not here.
            None => return None,
        }
    } else {
        None
    };
    if let Some((kind, what, file, span, experiment_key)) = origin {
        let exp = (sources.experiment_of)(experiment_key)?;
        let owner = entity_tenant(
            index,
            exp.workspace.as_ref().map(|w| w.value.as_str()),
            exp.name.as_ref().map(|n| n.value.as_str()),
        )?;
        if owner == tenant {
            return None;
        }
        let exp_name = exp.name.as_ref().map_or("", |n| n.value.as_str());
        return Some(
            Diagnostic::new(
                &RULE.meta,
                v.file,
                source.span,
                format!(
                    "model `{model}` of tenant `{tenant}` is registered from {what} of tenant `{owner}`"
                ),
            )
            .help(format!("register tenant `{tenant}`'s models only from its own runs"))
            .related(file, span, format!("the {kind} belongs to experiment `{exp_name}` of tenant `{owner}`")),
        );
    }
    let location = scoped_location(&source.value)?;
    let local = is_local(&location);
    let deepest = roots
        .iter()
        .filter(|r| comparable(&r.location, &location) && r.location.contains(&location))
        .filter(|r| !local || r.store.as_deref() == Some(v.store.as_str()))
        .max_by_key(|r| r.location.segments.len())?;
    if deepest.tenant == tenant {
        return None;
    }
    Some(
        Diagnostic::new(
            &RULE.meta,
            v.file,
            source.span,
            format!(
                "model `{model}` of tenant `{tenant}` is registered from `{}`, under the artifact root `{}` of tenant `{}`",
                source.value, deepest.raw, deepest.tenant
            ),
        )
        .help(format!("register tenant `{tenant}`'s models only from its own runs and artifact roots"))
        .related(deepest.file, deepest.span, format!("artifact root of tenant `{}`", deepest.tenant)),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    fn experiment(id: &str, location: &str, workspace: &str) -> String {
        format!(
            "artifact_location: {location}\nexperiment_id: '{id}'\nlifecycle_stage: active\nname: exp-{id}\n{workspace}"
        )
    }

    fn run(id: &str, exp: &str, uri: &str) -> String {
        format!(
            "artifact_uri: {uri}\nexperiment_id: '{exp}'\nlifecycle_stage: active\nrun_id: {id}\nrun_uuid: {id}\n"
        )
    }

    #[test]
    fn runs_under_and_outside_their_experiment() {
        let exp = experiment("1", "s3://b/team-a/1", "");
        let inside = run("r1", "1", "s3://b/team-a/1/r1/artifacts");
        let outside = run("r2", "1", "s3://b/team-b/r2/artifacts");
        let proxied = run("r3", "1", "mlflow-artifacts:/1/r3/artifacts");
        let found = lint(
            "MLF009",
            &[
                ("mlruns/1/meta.yaml", &exp),
                ("mlruns/1/r1/meta.yaml", &inside),
                ("mlruns/1/r2/meta.yaml", &outside),
                ("mlruns/1/r3/meta.yaml", &proxied),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1, found[0].2),
            ("mlruns/1/r2/meta.yaml", 1, 15)
        );
        let local = experiment("2", "mlflow-artifacts:/2", "");
        let elsewhere = run("r4", "2", "mlflow-artifacts:/3/r4/artifacts");
        let found = lint(
            "MLF009",
            &[
                ("mlruns/2/meta.yaml", &local),
                ("mlruns/2/r4/meta.yaml", &elsewhere),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn model_versions_from_another_tenants_root() {
        let a = experiment("1", "s3://b/a", "workspace: team-a\n");
        let b = experiment("2", "s3://b/a/b", "workspace: team-b\n");
        let version = |source: &str| {
            format!(
                "name: churn\nversion: 1\nsource: {source}\nstorage_location: {source}\nworkspace: team-b\nrun_id: r1\n"
            )
        };
        let files = |v: String| {
            lint(
                "MLF009",
                &[
                    ("mlruns/1/meta.yaml", &a),
                    ("mlruns/2/meta.yaml", &b),
                    (
                        "mlruns/1/r1/meta.yaml",
                        &run("r1", "1", "s3://b/a/r1/artifacts"),
                    ),
                    ("mlruns/models/churn/version-1/meta.yaml", &v),
                ],
            )
        };
        let found = files(version("s3://b/a/r1/artifacts/model"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].3.contains("tenant `team-a`"), "{found:?}");
        assert!(files(version("s3://b/a/b/r9/artifacts/model")).is_empty());
        let found = files(version("runs:/r1/model"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].3.contains("from run `r1` of tenant `team-a`"),
            "{found:?}"
        );
    }
}
