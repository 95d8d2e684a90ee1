//! Resource and quota rules.
pub mod quota001_missing_resource_quota;
