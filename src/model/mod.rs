//! Model: typed, span-carrying views of the loaded documents.

pub mod build;
pub mod k8s;
pub mod mlflow;
pub mod uri;

pub use k8s::{NamespaceSource, Object, Scope, Spec};
pub use mlflow::{Experiment, Kustomization, MlflowServer};

/// An MLflow file that is not a Kubernetes object.
#[derive(Debug)]
pub enum MlflowFile {
    Experiment(Experiment),
}

/// Everything one file contributes to the set.
#[derive(Debug, Default)]
pub struct FileModel {
    /// Non-empty YAML documents in the file.
    pub documents: u32,
    pub objects: Vec<Object>,
    pub kustomizations: Vec<Kustomization>,
    pub mlflow: Vec<MlflowFile>,
}
