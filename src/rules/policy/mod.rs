//! Policy rules (SPEC §4.10): admission policies of the set and user policies.
pub mod pol001_admission_policy_violation;
pub mod pol002_invalid_policy;
