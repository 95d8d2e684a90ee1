//! Discover: turn the PATHs of the command line into the list of files to lint.

use std::path::{Path, PathBuf};

use crate::source::FileKind;

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// Path as shown in reports (`/`-separated, relative when given relative).
    pub display: String,
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Something that kept a path from being walked; not fatal for the run.
#[derive(Clone, Debug)]
pub struct WalkWarning {
    pub path: String,
    pub message: String,
}

#[derive(Debug)]
pub enum DiscoverError {
    /// A path given on the command line does not exist (exit 2).
    NotFound(String),
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::NotFound(p) => write!(f, "path `{p}` does not exist"),
        }
    }
}

/// What a file name says the file is, for files found by walking a directory.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower == "mlproject"
        || lower == "mlmodel"
    {
        return Some(FileKind::Yaml);
    }
    if lower.ends_with(".ini") && is_mlflow_auth_ini(path) {
        return Some(FileKind::AuthIni);
    }
    None
}

/// An `.ini` file is an MLflow auth config when it has the `[mlflow]` section.
/// Only the first 4 KiB are read: a huge `.ini` costs no more than a small one.
fn is_mlflow_auth_ini(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map(|_| {
            String::from_utf8_lossy(&head)
                .lines()
                .any(|l| l.trim() == "[mlflow]")
        })
        .unwrap_or(false)
}

/// What a path that is neither a file nor a directory is, for messages.
fn special_file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.to_string()
}

/// Walk `paths` (files or directories), honouring `.gitignore` (also outside
/// a git repository) and skipping hidden directories. Explicit files are
/// taken whatever their name. The result is sorted and free of duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<(Vec<Input>, Vec<WalkWarning>), DiscoverError> {
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root);
        match meta {
            Err(_) if std::fs::symlink_metadata(root).is_err() => {
                return Err(DiscoverError::NotFound(display_path(root)));
            }
            // A dangling symlink or an unreadable path given explicitly: the
            // read fails and becomes a finding, like any other bad file.
            Err(_) => inputs.push(Input {
                display: display_path(root),
                path: root.clone(),
                kind: FileKind::Yaml,
            }),
            // A FIFO, socket or device given by name: reading it could block
            // forever (a FIFO without a writer) or never end (`/dev/zero`).
            // Pipes go through `-` (stdin), which is read once up front.
            Ok(m) if !m.is_dir() && !m.is_file() => warnings.push(WalkWarning {
                path: display_path(root),
                message: format!(
                    "not a regular file ({}); skipped. To lint a pipe, send it to stdin: `... | tenantlint check -`",
                    special_file_kind(&m)
                ),
            }),
            Ok(m) if !m.is_dir() => {
                let kind = classify(root).unwrap_or(FileKind::Yaml);
                inputs.push(Input {
                    display: display_path(root),
                    path: root.clone(),
                    kind,
                });
            }
            Ok(_) => {
                let walker = ignore::WalkBuilder::new(root)
                    .hidden(true)
                    .git_ignore(true)
                    .git_exclude(true)
                    .git_global(false)
                    .require_git(false)
                    .follow_links(true)
                    .build();
                for entry in walker {
                    match entry {
                        Ok(e) => {
                            if !e.file_type().is_some_and(|t| t.is_file()) {
                                continue;
                            }
                            if let Some(kind) = classify(e.path()) {
                                inputs.push(Input {
                                    display: display_path(e.path()),
                                    path: e.path().to_path_buf(),
                                    kind,
                                });
                            }
                        }
                        Err(err) => warnings.push(WalkWarning {
                            path: display_path(root),
                            message: err.to_string(),
                        }),
                    }
                }
            }
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.display == b.display);
    Ok((inputs, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_linted() {
        assert_eq!(classify(Path::new("a/b.yaml")), Some(FileKind::Yaml));
        assert_eq!(classify(Path::new("a/B.YML")), Some(FileKind::Yaml));
        assert_eq!(classify(Path::new("x/MLproject")), Some(FileKind::Yaml));
        assert_eq!(classify(Path::new("x/mlmodel")), Some(FileKind::Yaml));
        assert_eq!(classify(Path::new("x/README.md")), None);
    }
}
