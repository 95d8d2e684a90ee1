//! tenantlint: a linter and policy checker for tenant isolation on shared ML
//! platforms (Kubernetes manifests and MLflow configuration).
//!
//! Data flows one way: [`discover`] → [`load`] → [`model`] → [`index`] →
//! [`rules`] → [`report`], driven by [`engine`].

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fsio;
pub mod index;
pub mod kustomize;
pub mod load;
pub mod model;
pub mod policy;
pub mod posture;
pub mod repo;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
