//! Rules about tenantlint's own suppressions.
rules! {
    lint001_unused_suppression,
    lint002_suppression_without_reason,
}

/// The rules a suppression names, for messages: `` `SA002`, `NS002` ``.
pub fn rule_list(rules: &[String]) -> String {
    rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
