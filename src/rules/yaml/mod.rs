//! Input (YAML) rules.
rules! {
    yaml001_syntax_error,
    yaml002_duplicate_key,
    yaml003_duplicate_object,
    yaml004_incomplete_object,
}
