//! Where a file sits in its repository. Rules that group files by bundle
//! (SPEC §4, Bundles) match directory names on the path relative to the
//! repository root — the nearest directory with a `.git` or a config file —
//! so that a result never depends on which folder the command was given.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::source::SourceFile;

/// Directories whose files are separate cases, not parts of one deployment:
/// each file below one is its own bundle.
pub const CASE_DIRS: &[&str] = &[
    "examples", "samples", "docs", "test", "tests", "testdata", "e2e",
];

/// Where a file sits: its repository (numbered in order of first
/// appearance; 0 when none is found) and its path relative to that
/// repository's root, with `/` separators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoPath {
    pub repo: u32,
    pub path: String,
}

/// Each file's repository and path in it (the path as given for standard
/// input; the absolute path when no root is found).
pub fn repo_paths(files: &[Arc<SourceFile>]) -> Vec<RepoPath> {
    let mut memo: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut repos: Vec<PathBuf> = Vec::new();
    files
        .iter()
        .map(|f| {
            let abs = crate::config::absolute(&f.path);
            let root = match abs.parent() {
                Some(dir) if f.path.as_os_str() != "-" => root_of(dir, &mut memo),
                _ => None,
            };
            let Some(root) = root else {
                let path = if f.path.as_os_str() == "-" {
                    f.display.clone()
                } else {
                    abs.to_string_lossy().replace('\\', "/")
                };
                return RepoPath { repo: 0, path };
            };
            let repo = match repos.iter().position(|r| *r == root) {
                Some(i) => i,
                None => {
                    repos.push(root.clone());
                    repos.len() - 1
                }
            };
            let path = abs
                .strip_prefix(&root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| f.display.clone());
            RepoPath {
                repo: repo as u32 + 1,
                path,
            }
        })
        .collect()
}

/// The nearest directory at or above `dir` with a `.git` (directory or
/// worktree file) or a config file, memoised per directory.
fn root_of(dir: &Path, memo: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    if let Some(r) = memo.get(dir) {
        return r.clone();
    }
    let found = if dir.join(".git").exists() || dir.join(crate::config::FILE_NAME).is_file() {
        Some(dir.to_path_buf())
    } else {
        match dir.parent() {
            Some(parent) => root_of(parent, memo),
            None => None,
        }
    };
    memo.insert(dir.to_path_buf(), found.clone());
    found
}

/// Whether a repository-relative path lies below a directory of cases.
pub fn in_case_dir(repo_path: &str) -> bool {
    let mut parts: Vec<&str> = repo_path.split('/').collect();
    parts.pop();
    parts.iter().any(|d| CASE_DIRS.contains(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_directories_are_matched_on_whole_names() {
        assert!(in_case_dir("examples/a.yaml"));
        assert!(in_case_dir("charts/x/tests/deep/a.yaml"));
        assert!(in_case_dir("docs/guide/pod.yaml"));
        assert!(!in_case_dir("examples.yaml"));
        assert!(!in_case_dir("my-examples/a.yaml"));
        assert!(!in_case_dir("deploy/app.yaml"));
    }
}
