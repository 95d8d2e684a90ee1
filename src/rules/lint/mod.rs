//! Rules about tenantlint's own suppressions.
pub mod lint001_unused_suppression;
pub mod lint002_suppression_without_reason;
