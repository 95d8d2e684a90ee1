//! The files a kustomize build reads: one table for the whole run, so that a
//! base shared by many roots is read and parsed once, and every node of a
//! built object names a [`FileId`] of the run's file table.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::load::{self, Node};
use crate::source::{FileId, FileKind, SourceFile};

/// Files larger than this are not read by a build (the loader's own limits
/// apply to linted files; this bounds what a kustomization can pull in).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// One file as a build sees it.
#[derive(Debug)]
pub struct Loaded {
    pub file: Arc<SourceFile>,
    /// Document roots, or the reason the file is not YAML.
    pub docs: Result<Arc<Vec<Node>>, String>,
}

#[derive(Default)]
struct Table {
    by_path: HashMap<PathBuf, FileId>,
    files: Vec<Arc<SourceFile>>,
    parsed: HashMap<FileId, Result<Arc<Vec<Node>>, String>>,
}

/// The run's file table, shared by parallel builds.
pub struct Workspace {
    /// Ids below `base` belong to files the run loaded itself.
    base: FileId,
    existing: Vec<Arc<SourceFile>>,
    /// When not empty: files not loaded by the run are read only below
    /// these (canonical) directories.
    allowed: Vec<PathBuf>,
    table: Mutex<Table>,
}

/// `a/./b/../c` → `a/c`, without touching the file system (a symbolic link is
/// resolved only where the load restrictor needs it).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let at_start = out.as_os_str().is_empty()
                    || out.components().next_back() == Some(Component::ParentDir);
                if at_start {
                    if !path.is_absolute() {
                        out.push("..");
                    }
                } else {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

impl Workspace {
    /// A table that starts after the run's own files, which it knows by path.
    pub fn new(existing: Vec<Arc<SourceFile>>) -> Workspace {
        let mut table = Table::default();
        for f in &existing {
            table.by_path.insert(normalize(&f.path), f.id);
        }
        Workspace {
            base: existing.len() as FileId,
            existing,
            allowed: Vec::new(),
            table: Mutex::new(table),
        }
    }

    /// Read new files only below `dirs` (canonical paths; files or
    /// directories).
    pub fn within(mut self, dirs: Vec<PathBuf>) -> Workspace {
        self.allowed = dirs;
        self
    }

    fn check_allowed(&self, path: &Path) -> Result<(), String> {
        if self.allowed.is_empty() {
            return Ok(());
        }
        let target = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if self.allowed.iter().any(|a| target.starts_with(a)) {
            Ok(())
        } else {
            Err(format!(
                "{} is outside the linted paths; not read",
                path.display()
            ))
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Files the builds read that the run had not loaded (generator inputs,
    /// files outside the linted paths), in id order from `base` on.
    pub fn new_files(&self) -> Vec<Arc<SourceFile>> {
        self.lock().files.clone()
    }

    pub fn id_of(&self, path: &Path) -> Option<FileId> {
        self.lock().by_path.get(&normalize(path)).copied()
    }

    /// Read and parse `path` (once per run).
    pub fn load(&self, path: &Path) -> Result<Loaded, String> {
        let key = normalize(path);
        let known = self.lock().by_path.get(&key).copied();
        let file = match known {
            Some(id) if id < self.base => self
                .existing
                .get(id as usize)
                .cloned()
                .ok_or_else(|| format!("file {} is not in the file table", key.display()))?,
            Some(id) => self.lock().files[(id - self.base) as usize].clone(),
            None => {
                self.check_allowed(&key)?;
                let bytes = read_bounded(&key)?;
                let (text, bad) = load::decode(&bytes);
                if let Some((_, why)) = bad {
                    return Err(format!("{}: {why}", key.display()));
                }
                let mut t = self.lock();
                if let Some(&id) = t.by_path.get(&key) {
                    t.files[(id - self.base) as usize].clone()
                } else {
                    let id = self.base + t.files.len() as FileId;
                    let display = key.to_string_lossy().replace('\\', "/");
                    let f = Arc::new(SourceFile::new(
                        id,
                        key.clone(),
                        display,
                        FileKind::Yaml,
                        text,
                    ));
                    t.files.push(f.clone());
                    t.by_path.insert(key.clone(), id);
                    f
                }
            }
        };
        let cached = self.lock().parsed.get(&file.id).cloned();
        let docs = match cached {
            Some(d) => d,
            None => {
                let parsed = load::parse_yaml(&file);
                let docs = match parsed.problems.iter().find_map(|p| match p {
                    load::LoadProblem::Syntax { message, span } => {
                        Some(format!("{}:{}: {message}", file.display, span.start.line))
                    }
                    _ => None,
                }) {
                    Some(e) => Err(e),
                    None => Ok(Arc::new(parsed.docs.into_iter().map(|d| d.root).collect())),
                };
                self.lock().parsed.insert(file.id, docs.clone());
                docs
            }
        };
        Ok(Loaded { file, docs })
    }

    /// The raw text of a generator input (not parsed as YAML).
    pub fn load_text(&self, path: &Path) -> Result<(Arc<SourceFile>, Vec<u8>), String> {
        let key = normalize(path);
        self.check_allowed(&key)?;
        let bytes = read_bounded(&key)?;
        let known = self.lock().by_path.get(&key).copied();
        if let Some(id) = known {
            let f = if id < self.base {
                self.existing.get(id as usize).cloned()
            } else {
                self.lock().files.get((id - self.base) as usize).cloned()
            };
            if let Some(f) = f {
                return Ok((f, bytes));
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut t = self.lock();
        if let Some(&id) = t.by_path.get(&key) {
            let f = t.files[(id - self.base) as usize].clone();
            return Ok((f, bytes));
        }
        let id = self.base + t.files.len() as FileId;
        let display = key.to_string_lossy().replace('\\', "/");
        let f = Arc::new(SourceFile::new(
            id,
            key.clone(),
            display,
            FileKind::Yaml,
            text,
        ));
        t.files.push(f.clone());
        t.by_path.insert(key, id);
        Ok((f, bytes))
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "{} is larger than {} MB; not read",
            path.display(),
            MAX_INPUT_BYTES >> 20
        ));
    }
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("default/../crd")), PathBuf::from("crd"));
        assert_eq!(normalize(Path::new("./a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(
            normalize(Path::new("../x/../../y")),
            PathBuf::from("../../y")
        );
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
