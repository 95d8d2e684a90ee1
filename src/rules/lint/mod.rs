//! Rules about tenantlint's own suppressions.
pub mod lint001_unused_suppression;
pub mod lint002_suppression_without_reason;

/// The rules a suppression names, for messages: `` `SA002`, `NS002` ``.
pub fn rule_list(rules: &[String]) -> String {
    rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
