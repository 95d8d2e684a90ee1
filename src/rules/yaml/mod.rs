//! Input (YAML) rules.
pub mod yaml001_syntax_error;
pub mod yaml002_duplicate_key;
pub mod yaml003_duplicate_object;
pub mod yaml004_incomplete_object;
