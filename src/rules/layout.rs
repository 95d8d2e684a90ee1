//! How the files of a linted set are deployed together, as far as a rule
//! needs to know: a repository's test data, examples and samples are
//! separate cases, not parts of one deployment.

use crate::model::build::parent_dir;
use crate::rules::Context;

/// Directories whose files are separate cases, not parts of one deployment.
const CASE_DIRS: &[&str] = &[
    "testdata", "test", "tests", "e2e", "examples", "example", "samples", "sample",
];

/// Whether `dir` itself is a directory of cases.
pub fn is_case_dir(dir: &str) -> bool {
    CASE_DIRS.contains(&dir.rsplit('/').next().unwrap_or(dir))
}

/// Whether a file (display path) lies below a directory of cases that is
/// itself below `root` (the directory common to the whole set, so that
/// linting `examples/` as a whole still treats it as one deployment).
pub fn in_case_dir(display: &str, root: &str) -> bool {
    let mut dir = parent_dir(display);
    while dir.len() > root.len() {
        if is_case_dir(dir) {
            return true;
        }
        dir = parent_dir(dir);
    }
    false
}

/// The deepest directory that holds every file of the set.
pub fn common_dir<'a>(ctx: &'a Context) -> &'a str {
    let mut files = ctx.files.iter().map(|f| f.display.as_str());
    let Some(first) = files.next() else {
        return "";
    };
    let mut common = parent_dir(first);
    for f in files {
        while !(f.starts_with(common) && f[common.len()..].starts_with('/')) {
            if common.is_empty() {
                return common;
            }
            common = parent_dir(common);
        }
    }
    common
}
