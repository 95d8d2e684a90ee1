//! Model: typed, span-carrying views of the loaded documents.

pub mod auth_ini;
pub mod build;
pub mod compose;
pub mod config_data;
pub mod content;
pub mod dockerfile;
pub mod file_store;
pub mod gateway;
pub mod k8s;
pub mod mlflow;
pub mod mlproject;
pub mod mounts;
pub mod network;
pub mod placeholder;
pub mod process;
pub mod rbac;
pub mod server_env;
pub mod shell;
pub mod sqlite_store;
pub mod storage;
pub mod uri;
pub mod workflow;
pub mod workloads;

pub use k8s::{NamespaceSource, Object, Scope, Spec};
pub use mlflow::{Experiment, Kustomization, MlflowServer};

/// An MLflow file that is not a Kubernetes object.
#[derive(Debug)]
pub enum MlflowFile {
    Experiment(Experiment),
    Run(file_store::Run),
    LoggedModel(file_store::LoggedModel),
    RegisteredModel(file_store::RegisteredModel),
    ModelVersion(file_store::ModelVersion),
    Model(file_store::MlModel),
    Project(mlproject::MlProject),
    Gateway(gateway::GatewayConfig),
    AuthConfig(auth_ini::AuthConfig),
}

/// Everything one file contributes to the set.
#[derive(Debug, Default)]
pub struct FileModel {
    /// Non-empty YAML documents in the file.
    pub documents: u32,
    pub objects: Vec<Box<Object>>,
    pub kustomizations: Vec<Kustomization>,
    pub mlflow: Vec<MlflowFile>,
    /// Processes started outside Kubernetes (Compose services, images,
    /// scripts, CI steps) that may run MLflow.
    pub processes: Vec<process::Process>,
}
