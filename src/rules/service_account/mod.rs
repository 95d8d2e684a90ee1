//! Service account rules.
pub mod sa001_shared_service_account;
pub mod sa002_default_service_account;
