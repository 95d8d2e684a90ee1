//! Policy rules (SPEC §4.10): admission policies of the set and user policies.
rules! {
    pol001_admission_policy_violation,
    pol002_invalid_policy,
}
