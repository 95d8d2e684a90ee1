//! The build stage of a run: between load and index, kustomize roots are
//! built and their objects replace the files they came from.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::{Output, Workspace, build_all, kustomization_dirs, roots, static_inputs};
use crate::discover::WalkWarning;
use crate::load::Node;
use crate::model::build::build_object;
use crate::model::{FileModel, NamespaceSource};
use crate::source::{FileKind, SourceFile, Spanned};

/// A root a run built.
#[derive(Clone, Debug)]
pub struct Root {
    /// The directory as shown in reports.
    pub dir: String,
    /// Its kustomization file.
    pub file: u32,
}

/// The files, models and built roots after the stage.
pub struct Staged {
    pub files: Vec<Arc<SourceFile>>,
    pub models: Vec<FileModel>,
    pub notes: Vec<WalkWarning>,
    pub roots: Vec<Root>,
}

/// Build every kustomize root among `files`; objects of the files a build
/// read become the built objects, patches and generator inputs are no
/// objects of their own, and a failed build leaves its files as written.
pub fn run(
    files: Vec<Arc<SourceFile>>,
    mut models: Vec<FileModel>,
    allowed: &[std::path::PathBuf],
) -> Staged {
    let dirs = kustomization_dirs(
        files
            .iter()
            .filter(|f| f.kind == FileKind::Yaml)
            .map(|f| f.path.as_path()),
    );
    if dirs.is_empty() {
        return Staged {
            files,
            models,
            notes: Vec::new(),
            roots: Vec::new(),
        };
    }
    let ws = Workspace::new(files.clone()).within(allowed.to_vec());
    // Patches and generator inputs are never objects, whatever the builds do.
    let mut never_objects: HashSet<std::path::PathBuf> = HashSet::new();
    for d in &dirs {
        never_objects.extend(static_inputs(&ws, d).0);
    }
    let root_dirs = roots(&ws, &dirs);
    let outputs = build_all(&ws, &root_dirs);
    let mut files = files;
    for f in ws.new_files() {
        files.push(f);
        models.push(FileModel::default());
    }
    let mut notes = Vec::new();
    let mut roots_out = Vec::new();
    let mut covered: HashSet<u32> = HashSet::new();
    let mut built: Vec<(u32, crate::model::Object)> = Vec::new();
    for out in &outputs {
        for n in by_kustomization(out) {
            notes.push(n(&files));
        }
        let shown = out
            .kustomization
            .and_then(|k| files.get(k as usize))
            .map(|f| crate::model::build::parent_dir(&f.display).to_string())
            .unwrap_or_else(|| out.dir.to_string_lossy().into_owned());
        if let Some(e) = &out.error {
            notes.push(WalkWarning::warning(
                shown,
                format!("kustomize build failed ({e}); its files are linted as written"),
            ));
            continue;
        }
        let Some(kfile) = out.kustomization else {
            continue;
        };
        let root = roots_out.len() as u32;
        roots_out.push(Root {
            dir: shown,
            file: kfile,
        });
        covered.extend(out.resources.iter().copied());
        covered.extend(out.consumed.iter().copied());
        for o in &out.objects {
            let Some(file) = files.get(o.file as usize) else {
                continue;
            };
            let Some(mut obj) = build_object(file, o.doc, o.node.clone()) else {
                continue;
            };
            obj.build = Some(root);
            set_namespace(&mut obj, o.written_namespace.as_ref(), out);
            built.push((o.file, obj));
        }
    }
    for f in &files {
        if never_objects.contains(&super::normalize(&f.path)) {
            covered.insert(f.id);
        }
    }
    for f in covered {
        if let Some(m) = models.get_mut(f as usize) {
            m.objects.clear();
        }
    }
    for (f, obj) in built {
        if let Some(m) = models.get_mut(f as usize) {
            m.objects.push(Box::new(obj));
        }
    }
    Staged {
        files,
        models,
        notes,
        roots: roots_out,
    }
}

type NoteFn = Box<dyn Fn(&[Arc<SourceFile>]) -> WalkWarning>;

/// One note per kustomization, naming everything its build skipped.
fn by_kustomization(out: &Output) -> Vec<NoteFn> {
    let mut per: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for n in &out.notes {
        per.entry(n.file).or_default().push(n.message.clone());
    }
    per.into_iter()
        .map(|(file, messages)| {
            Box::new(move |files: &[Arc<SourceFile>]| {
                let path = files
                    .get(file as usize)
                    .map(|f| f.display.clone())
                    .unwrap_or_default();
                WalkWarning::note(path, messages.join("; "))
            }) as NoteFn
        })
        .collect()
}

/// A built object's namespace: the kustomization's when a `namespace:`
/// set it (NS003 then compares the namespace its file wrote, unless that
/// was the placeholder the build renames, like kubebuilder's `system`),
/// else what its file or a patch wrote.
fn set_namespace(obj: &mut crate::model::Object, written: Option<&Node>, out: &Output) {
    let Some(ns) = obj
        .root()
        .path(&["metadata", "namespace"])
        .and_then(Node::spanned_str)
    else {
        return;
    };
    if crate::model::placeholder::is_placeholder_text(&ns.value) {
        obj.explicit_namespace = None;
        obj.namespace = NamespaceSource::Unknown(ns.span);
    } else if out.kustomizations.contains(&ns.span.file) {
        let written = written.and_then(Node::spanned_str);
        obj.explicit_namespace = match written {
            Some(w) if w.value != ns.value && !out.declared_namespaces.contains(&w.value) => {
                Some(w)
            }
            _ => None,
        };
        obj.namespace = NamespaceSource::Kustomize {
            file: ns.span.file,
            namespace: Spanned::new(ns.value, ns.span),
        };
    } else {
        obj.namespace = NamespaceSource::Explicit(ns);
    }
}
