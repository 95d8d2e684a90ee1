//! MLflow rules.
pub mod mlf001_shared_artifact_root;
