//! Service account rules.
pub mod sa001_shared_service_account;
pub mod sa002_default_service_account;
pub mod sa003_automount_service_account_token;
pub mod sa004_missing_service_account;
