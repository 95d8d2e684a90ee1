//! The MLflow file store beyond experiments: runs
//! (`mlruns/<experiment_id>/<run_id>/meta.yaml`), the model registry
//! (`mlruns/models/<name>/meta.yaml`, `…/version-<n>/meta.yaml`) and the
//! `MLmodel` file of a logged model.

use crate::load::Node;
use crate::model::build::parent_dir;
use crate::source::{FileId, Spanned};

/// A run of the file store.
#[derive(Debug)]
pub struct Run {
    pub file: FileId,
    pub run_id: Option<Spanned<String>>,
    pub experiment_id: Option<Spanned<String>>,
    pub artifact_uri: Option<Spanned<String>>,
    pub lifecycle_stage: Option<String>,
    /// The [`Experiment::key`](super::Experiment::key) of its experiment.
    pub experiment_key: String,
    /// The store it belongs to (the `mlruns` directory, or the SQLite file).
    pub store: String,
}

impl Run {
    /// Deleted runs are history, not findings.
    pub fn is_active(&self) -> bool {
        self.lifecycle_stage.as_deref() != Some("deleted")
    }
}

/// A model logged by MLflow 3 (`mlruns/<experiment_id>/models/m-…/meta.yaml`,
/// or a row of `logged_models`): neither an experiment nor a run.
#[derive(Debug)]
pub struct LoggedModel {
    pub file: FileId,
    pub model_id: Option<Spanned<String>>,
    pub experiment_id: Option<String>,
    pub experiment_key: String,
    pub name: Option<Spanned<String>>,
    pub artifact_location: Option<Spanned<String>>,
    pub source_run_id: Option<String>,
    pub lifecycle_stage: Option<String>,
}

/// A registered model (`mlruns/models/<name>/meta.yaml`).
#[derive(Debug)]
pub struct RegisteredModel {
    pub file: FileId,
    pub name: Option<Spanned<String>>,
    pub workspace: Option<Spanned<String>>,
    /// Identity of the model in the set (its directory, or store and name).
    pub key: String,
}

/// A model version (`mlruns/models/<name>/version-<n>/meta.yaml`).
#[derive(Debug)]
pub struct ModelVersion {
    pub file: FileId,
    /// The registered model's name.
    pub name: Option<Spanned<String>>,
    pub version: Option<String>,
    /// Where the model was registered from (`runs:/…`, `s3://…`, …).
    pub source: Option<Spanned<String>>,
    /// Where the registry keeps its copy.
    pub storage_location: Option<Spanned<String>>,
    pub run_id: Option<String>,
    pub workspace: Option<Spanned<String>>,
    /// The [`RegisteredModel::key`] of its model.
    pub model_key: String,
    /// The store it belongs to (the `mlruns` directory, or the SQLite file).
    pub store: String,
}

/// An `MLmodel` file: which run logged the model, and under which path.
#[derive(Debug)]
pub struct MlModel {
    pub file: FileId,
    pub run_id: Option<Spanned<String>>,
    pub artifact_path: Option<Spanned<String>>,
}

fn spanned(root: &Node, key: &str) -> Option<Spanned<String>> {
    root.get(key).and_then(Node::spanned_str)
}

fn string(root: &Node, key: &str) -> Option<String> {
    root.get_str(key).map(str::to_string)
}

fn ancestor(display: &str, levels: usize) -> &str {
    (0..levels).fold(display, |d, _| parent_dir(d))
}

impl Run {
    /// A run `meta.yaml` has `experiment_id` and `run_id` (or the older `run_uuid`).
    /// `display` is the file's path: `<store>/<experiment>/<run>/meta.yaml`.
    pub fn from_meta(file: FileId, display: &str, root: &Node) -> Option<Run> {
        root.get("experiment_id")?;
        let run_id = spanned(root, "run_id").or_else(|| spanned(root, "run_uuid"))?;
        Some(Run {
            file,
            run_id: Some(run_id),
            experiment_id: spanned(root, "experiment_id"),
            artifact_uri: spanned(root, "artifact_uri"),
            lifecycle_stage: string(root, "lifecycle_stage"),
            experiment_key: ancestor(display, 2).to_string(),
            store: ancestor(display, 3).to_string(),
        })
    }
}

impl LoggedModel {
    /// A logged model `meta.yaml` has a `model_id` (MLflow 3 writes it
    /// under `<store>/<experiment>/models/m-…/`).
    pub fn from_meta(file: FileId, display: &str, root: &Node) -> Option<LoggedModel> {
        // Model versions of MLflow 3 name a `model_id` too, but no experiment.
        root.get("experiment_id")?;
        let model_id = spanned(root, "model_id")?;
        Some(LoggedModel {
            file,
            model_id: Some(model_id),
            experiment_id: string(root, "experiment_id"),
            experiment_key: ancestor(display, 3).to_string(),
            name: spanned(root, "name"),
            artifact_location: spanned(root, "artifact_location"),
            source_run_id: string(root, "source_run_id"),
            lifecycle_stage: string(root, "lifecycle_stage"),
        })
    }
}

impl ModelVersion {
    /// A model version `meta.yaml` has `name`, `version` and a `source` or
    /// `storage_location`, and no `experiment_id`.
    /// `display` is `<store>/models/<name>/version-<n>/meta.yaml`.
    pub fn from_meta(file: FileId, display: &str, root: &Node) -> Option<ModelVersion> {
        if root.get("experiment_id").is_some() || root.get("version").is_none() {
            return None;
        }
        let source = spanned(root, "source");
        let storage_location = spanned(root, "storage_location");
        if source.is_none() && storage_location.is_none() {
            return None;
        }
        Some(ModelVersion {
            file,
            name: spanned(root, "name"),
            version: string(root, "version"),
            source,
            storage_location,
            run_id: string(root, "run_id"),
            workspace: spanned(root, "workspace"),
            model_key: ancestor(display, 2).to_string(),
            store: ancestor(display, 4).to_string(),
        })
    }
}

impl RegisteredModel {
    /// A registered model `meta.yaml` has a `name` and registry timestamps,
    /// and neither `version` nor `experiment_id`.
    /// `display` is `<store>/models/<name>/meta.yaml`.
    pub fn from_meta(file: FileId, display: &str, root: &Node) -> Option<RegisteredModel> {
        if root.get("experiment_id").is_some()
            || root.get("version").is_some()
            || root.get("run_id").is_some()
            || (root.get("creation_timestamp").is_none()
                && root.get("last_updated_timestamp").is_none())
        {
            return None;
        }
        Some(RegisteredModel {
            file,
            name: Some(spanned(root, "name")?),
            workspace: spanned(root, "workspace"),
            key: ancestor(display, 1).to_string(),
        })
    }
}

impl MlModel {
    pub fn from_yaml(file: FileId, root: &Node) -> Option<MlModel> {
        if !root.is_map() {
            return None;
        }
        Some(MlModel {
            file,
            run_id: spanned(root, "run_id"),
            artifact_path: spanned(root, "artifact_path"),
        })
    }
}
