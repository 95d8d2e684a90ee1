//! Namespace rules.
pub mod ns001_default_namespace;
pub mod ns002_namespace_unset;
pub mod ns003_namespace_mismatch;
pub mod ns004_undeclared_namespace;
