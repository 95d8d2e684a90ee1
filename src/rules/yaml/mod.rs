//! Input (YAML) rules.
pub mod yaml001_syntax_error;
pub mod yaml002_duplicate_key;
