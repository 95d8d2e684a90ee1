//! Service account rules.
rules! {
    sa001_shared_service_account,
    sa002_default_service_account,
    sa003_automount_service_account_token,
    sa004_missing_service_account,
}
