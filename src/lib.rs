//! tenantlint: a linter and policy checker for tenant isolation on shared ML
//! platforms (Kubernetes manifests and MLflow configuration).
//!
//! Data flows one way: [`discover`] → [`load`] → [`model`] → [`index`] →
//! [`rules`] → [`report`], driven by [`engine`]. What every stage reads
//! comes first: files and spans ([`source`]), rule identity ([`meta`]) and
//! the configuration's data ([`config`]); reading the config file resolves
//! rule ids, so [`config_file`] comes after the rules. `tests/architecture.rs`
//! fails when a module uses a later stage.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fsio;
pub mod index;
pub mod kustomize;
pub mod load;
pub mod meta;
pub mod model;
pub mod policy;
pub mod posture;
pub mod repo;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
