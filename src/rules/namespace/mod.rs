//! Namespace rules.
rules! {
    ns001_default_namespace,
    ns002_namespace_unset,
    ns003_namespace_mismatch,
    ns004_undeclared_namespace,
}
