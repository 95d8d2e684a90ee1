//! The MLflow file store beyond experiments: runs
//! (`mlruns/<experiment_id>/<run_id>/meta.yaml`), the model registry
//! (`mlruns/models/<name>/meta.yaml`, `…/version-<n>/meta.yaml`) and the
//! `MLmodel` file of a logged model.

use crate::load::Node;
use crate::source::{FileId, Spanned};

/// A run of the file store.
#[derive(Debug)]
pub struct Run {
    pub file: FileId,
    pub run_id: Option<Spanned<String>>,
    pub experiment_id: Option<Spanned<String>>,
    pub artifact_uri: Option<Spanned<String>>,
    pub lifecycle_stage: Option<String>,
}

/// A registered model (`mlruns/models/<name>/meta.yaml`).
#[derive(Debug)]
pub struct RegisteredModel {
    pub file: FileId,
    pub name: Option<Spanned<String>>,
    pub workspace: Option<Spanned<String>>,
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

impl Run {
    /// A run `meta.yaml` has `experiment_id` and `run_id` (or the older `run_uuid`).
    pub fn from_meta(file: FileId, root: &Node) -> Option<Run> {
        root.get("experiment_id")?;
        let run_id = spanned(root, "run_id").or_else(|| spanned(root, "run_uuid"))?;
        Some(Run {
            file,
            run_id: Some(run_id),
            experiment_id: spanned(root, "experiment_id"),
            artifact_uri: spanned(root, "artifact_uri"),
            lifecycle_stage: string(root, "lifecycle_stage"),
        })
    }
}

impl ModelVersion {
    /// A model version `meta.yaml` has `name`, `version` and a `source` or
    /// `storage_location`, and no `experiment_id`.
    pub fn from_meta(file: FileId, root: &Node) -> Option<ModelVersion> {
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
        })
    }
}

impl RegisteredModel {
    /// A registered model `meta.yaml` has a `name` and registry timestamps,
    /// and neither `version` nor `experiment_id`.
    pub fn from_meta(file: FileId, root: &Node) -> Option<RegisteredModel> {
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
