//! Build: kustomizations → the objects `kustomize build` would deploy.
//!
//! Sits between [`crate::load`] and [`crate::model`]: kustomization files
//! become a graph (directories, hashed), every root is built as kustomize
//! v5 builds it (resources, bases, components, generators, patches,
//! namespace, names, labels, annotations, images, replicas, name
//! references, hash suffixes), and each value of a built object keeps the
//! span of the file and line that set it. Nothing is fetched or executed:
//! remote bases, Helm charts, `replacements` and `vars` are skipped with a
//! note, and what they would set stays as written.

pub mod files;
mod generate;
pub mod hash;
pub mod json;
mod jsonpatch;
mod merge;
mod nameref;
pub mod res;
pub mod stage;
mod transform;
pub mod tree;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::load::{Node, Value};
use crate::source::{FileId, FileKind, Pos, SourceFile, Span};
pub use files::{Workspace, normalize};
use generate::Behavior;
use res::{Gvk, Id, Res};
use tree::get_ci;

/// The names kustomize looks for, in its order.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Bounds a build against hostile trees (a diamond of bases repeated at
/// every level doubles the objects per level).
const MAX_OBJECTS: usize = 100_000;
const MAX_DEPTH: usize = 64;

/// A note about a kustomization (a skipped feature), shown as `info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// An object of a build.
#[derive(Clone, Debug)]
pub struct BuiltObject {
    pub node: Node,
    /// The file of the object's document (the kustomization for a
    /// generated ConfigMap or Secret).
    pub file: FileId,
    pub doc: u32,
    /// `metadata.namespace` as its resource file wrote it (a kustomization's
    /// `namespace:` may have replaced it).
    pub written_namespace: Option<Node>,
}

/// The result of building one root.
#[derive(Debug, Default)]
pub struct Output {
    pub dir: PathBuf,
    /// The root's kustomization file.
    pub kustomization: Option<FileId>,
    pub objects: Vec<BuiltObject>,
    pub notes: Vec<Note>,
    /// Files read as patches or generator inputs (not objects).
    pub consumed: Vec<FileId>,
    /// Files read as resources.
    pub resources: Vec<FileId>,
    /// Kustomization files the build went through.
    pub kustomizations: Vec<FileId>,
    /// Why the build failed, as kustomize would fail.
    pub error: Option<String>,
    /// The names `Namespace` objects of the build had in their files
    /// (kustomize renames them to the kustomization's namespace).
    pub declared_namespaces: Vec<String>,
}

/// A kustomization directory during a build.
pub struct Dir {
    pub path: PathBuf,
    pub kust_file: FileId,
    canonical: Option<PathBuf>,
}

pub struct Build<'w> {
    ws: &'w Workspace,
    out: Output,
    stack: Vec<PathBuf>,
    objects: usize,
}

/// The kustomization file in `dir`, if any (a link to a file outside the
/// directory does not count, as for kustomize).
pub fn kustomization_file(dir: &Path) -> Result<Option<PathBuf>, String> {
    let found: Vec<PathBuf> = KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    if found.len() > 1 {
        return Err(format!(
            "found multiple kustomization files in {}",
            dir.display()
        ));
    }
    let Some(path) = found.into_iter().next() else {
        return Ok(None);
    };
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        let inside = match (path.canonicalize(), dir.canonicalize()) {
            (Ok(t), Ok(d)) => t.starts_with(d),
            _ => false,
        };
        if !inside {
            return Ok(None);
        }
    }
    Ok(Some(path))
}

fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.starts_with("git@")
        || s.contains("?ref=")
        || s.contains("?version=")
}

/// Fields kustomize has that this build does not run.
const UNSUPPORTED: &[&str] = &[
    "replacements",
    "vars",
    "helmCharts",
    "helmChartInflationGenerator",
    "configurations",
    "crds",
    "generators",
    "transformers",
    "validators",
    "openapi",
];

/// Fields that do not change what is deployed, or that this build runs.
const KNOWN: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonLabels",
    "commonAnnotations",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "sortOptions",
    "buildMetadata",
    "helmGlobals",
];

fn strings(root: &Node, key: &str) -> Vec<Node> {
    get_ci(root, key)
        .map(|n| {
            n.items()
                .iter()
                .filter(|i| i.as_str().is_some())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(node: Option<&Node>) -> transform::Pairs {
    node.map(|m| {
        m.entries()
            .iter()
            .filter_map(|e| {
                let k = e.key.as_scalar()?;
                let v = e.value.as_scalar().unwrap_or("");
                Some((
                    k.to_string(),
                    Node::scalar(v, crate::load::ScalarStyle::Quoted, e.value.span),
                ))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A patch selector (`target`): names and namespaces are anchored regular
/// expressions, labels and annotations selectors.
struct Selector {
    gvk: Gvk,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Option<String>,
    annotations: Option<String>,
}

fn anchored(node: Option<&Node>) -> Result<Option<regex::Regex>, String> {
    match node.and_then(Node::as_str).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => regex::RegexBuilder::new(&format!("^(?:{s})$"))
            .size_limit(1 << 20)
            .build()
            .map(Some)
            .map_err(|e| format!("target `{s}` is not a regular expression: {e}")),
    }
}

impl Selector {
    fn of(t: &Node) -> Result<Selector, String> {
        Ok(Selector {
            gvk: Gvk::new(
                get_ci(t, "group").and_then(Node::as_str).unwrap_or(""),
                get_ci(t, "version").and_then(Node::as_str).unwrap_or(""),
                get_ci(t, "kind").and_then(Node::as_str).unwrap_or(""),
            ),
            name: anchored(get_ci(t, "name"))?,
            namespace: anchored(get_ci(t, "namespace"))?,
            labels: get_ci(t, "labelSelector")
                .and_then(Node::as_str)
                .map(str::to_string),
            annotations: get_ci(t, "annotationSelector")
                .and_then(Node::as_str)
                .map(str::to_string),
        })
    }

    fn selects(&self, r: &Res) -> bool {
        let cur = r.cur_id();
        let org = r.org_id();
        if let Some(ns) = &self.namespace
            && !ns.is_match(org.effective_namespace())
            && !ns.is_match(cur.effective_namespace())
        {
            return false;
        }
        if let Some(n) = &self.name
            && !n.is_match(&org.name)
            && !n.is_match(&cur.name)
        {
            return false;
        }
        if !self.gvk.selects(&cur) {
            return false;
        }
        let meta = r.node.get("metadata");
        if let Some(sel) = &self.labels
            && !matches_selector(sel, meta.and_then(|m| m.get("labels")))
        {
            return false;
        }
        if let Some(sel) = &self.annotations
            && !matches_selector(sel, meta.and_then(|m| m.get("annotations")))
        {
            return false;
        }
        true
    }
}

/// Split a label selector at the commas outside parentheses.
fn requirements(sel: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in sel.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(sel[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(sel[start..].trim());
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn matches_selector(sel: &str, labels: Option<&Node>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Node::as_scalar);
    requirements(sel).into_iter().all(|req| {
        let set_of = |s: &str| -> Vec<String> {
            s.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .map(|v| v.trim().to_string())
                .collect()
        };
        if let Some((k, v)) = req.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, vs)) = req.split_once(" notin ") {
            get(k.trim()).is_none_or(|x| !set_of(vs).iter().any(|v| v == x))
        } else if let Some((k, vs)) = req.split_once(" in ") {
            get(k.trim()).is_some_and(|x| set_of(vs).iter().any(|v| v == x))
        } else if let Some(k) = req.strip_prefix('!') {
            get(k.trim()).is_none()
        } else {
            get(req).is_some()
        }
    })
}

/// Move the spans of a patch parsed from a block scalar of `outer` to where
/// its text sits in `outer`.
fn relocate(node: &mut Node, inner: &SourceFile, outer: &SourceFile, scalar: &Node) {
    let first_line = scalar.span.start.line + 1;
    let indent = outer
        .line_text(first_line)
        .chars()
        .take_while(|c| *c == ' ')
        .count() as u32;
    let map = |p: Pos| -> Pos {
        let line = first_line + p.line.saturating_sub(1);
        let col_bytes = p.byte as usize - inner.line_start(p.line).min(p.byte as usize);
        let byte = outer.line_start(line) + indent as usize + col_bytes;
        Pos {
            byte: byte.min(outer.text.len()) as u32,
            line,
            col: p.col + indent,
        }
    };
    fn walk(n: &mut Node, f: &dyn Fn(Pos) -> Pos) {
        n.span = Span::new(f(n.span.start), f(n.span.end)).in_file(n.span.file);
        match &mut n.value {
            Value::Map(entries) => {
                for e in entries {
                    walk(&mut e.key, f);
                    walk(&mut e.value, f);
                }
            }
            Value::Seq(items) => items.iter_mut().for_each(|i| walk(i, f)),
            Value::Scalar(..) => {}
        }
    }
    walk(node, &map);
}

fn point_at(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries {
                point_at(&mut e.key, span);
                point_at(&mut e.value, span);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| point_at(i, span)),
        Value::Scalar(..) => {}
    }
}

/// A patch document with the file it came from.
struct Patch {
    doc: Node,
}

impl<'w> Build<'w> {
    fn new(ws: &'w Workspace, dir: &Path) -> Build<'w> {
        Build {
            ws,
            out: Output {
                dir: dir.to_path_buf(),
                ..Output::default()
            },
            stack: Vec::new(),
            objects: 0,
        }
    }

    fn note(&mut self, file: FileId, span: Span, message: String) {
        let n = Note {
            file,
            span,
            message,
        };
        if !self.out.notes.contains(&n) {
            self.out.notes.push(n);
        }
    }

    /// `rel` from `dir`, refused when it lies outside the kustomization's
    /// directory (kustomize's default load restrictor).
    fn restricted(&self, dir: &Dir, rel: &str) -> Result<PathBuf, String> {
        let path = normalize(&dir.path.join(rel));
        let target = path
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(root) = &dir.canonical
            && !target.starts_with(root)
        {
            return Err(format!(
                "security; file '{}' is not in or below '{}'",
                path.display(),
                dir.path.display()
            ));
        }
        Ok(path)
    }

    /// The bytes of a generator input.
    fn read_input(&mut self, dir: &Dir, rel: &str) -> Result<(Arc<SourceFile>, Vec<u8>), String> {
        let path = self.restricted(dir, rel)?;
        let (file, bytes) = self.ws.load_text(&path)?;
        self.out.consumed.push(file.id);
        Ok((file, bytes))
    }

    fn docs(&mut self, dir: &Dir, rel: &str) -> Result<(Arc<SourceFile>, Arc<Vec<Node>>), String> {
        let path = self.restricted(dir, rel)?;
        let loaded = self.ws.load(&path)?;
        let docs = loaded.docs?;
        Ok((loaded.file, docs))
    }

    /// Patches of an entry: a file, or text inline in the kustomization.
    fn patches(
        &mut self,
        dir: &Dir,
        kfile: &SourceFile,
        entry: &Node,
        inline: Option<&Node>,
    ) -> Result<Vec<Patch>, String> {
        if let Some(text) = inline {
            let body = text.as_scalar().unwrap_or("");
            let inner = SourceFile::new(
                kfile.id,
                kfile.path.clone(),
                kfile.display.clone(),
                FileKind::Yaml,
                body.to_string(),
            );
            let parsed = crate::load::parse_yaml(&inner);
            if let Some(crate::load::LoadProblem::Syntax { message, .. }) = parsed
                .problems
                .iter()
                .find(|p| matches!(p, crate::load::LoadProblem::Syntax { .. }))
            {
                return Err(format!("inline patch: {message}"));
            }
            let block = matches!(
                text.value,
                Value::Scalar(_, crate::load::ScalarStyle::Block)
            );
            return Ok(parsed
                .docs
                .into_iter()
                .map(|d| {
                    let mut doc = d.root;
                    if block {
                        relocate(&mut doc, &inner, kfile, text);
                    } else {
                        point_at(&mut doc, text.span);
                    }
                    Patch { doc }
                })
                .collect());
        }
        let rel = entry.as_str().unwrap_or("");
        let (file, docs) = self.docs(dir, rel)?;
        self.out.consumed.push(file.id);
        Ok(docs.iter().map(|d| Patch { doc: d.clone() }).collect())
    }

    fn take_objects(&mut self, n: usize) -> Result<(), String> {
        self.objects += n;
        if self.objects > MAX_OBJECTS {
            return Err(format!(
                "the build makes more than {MAX_OBJECTS} objects; stopped"
            ));
        }
        Ok(())
    }

    fn resource_file(&mut self, dir: &Dir, rel: &str, ra: &mut Vec<Res>) -> Result<(), String> {
        let (file, docs) = self.docs(dir, rel)?;
        self.out.resources.push(file.id);
        let mut added = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            if doc.is_null() {
                continue;
            }
            if !doc.is_map() {
                return Err(format!(
                    "{}: a document is not a mapping (missing Resource metadata)",
                    file.display
                ));
            }
            if doc.entries().is_empty() {
                continue;
            }
            if crate::model::build::is_list(doc) {
                for item in doc.get("items").map(Node::items).unwrap_or_default() {
                    added.push(Res::new(item.clone(), file.id, i as u32));
                }
            } else {
                added.push(Res::new(doc.clone(), file.id, i as u32));
            }
        }
        for r in &mut added {
            r.written_namespace = r.node.path(&["metadata", "namespace"]).cloned();
        }
        for r in &added {
            if r.node.get_str("kind").is_none() {
                return Err(format!("{}: an object has no `kind`", file.display));
            }
        }
        self.take_objects(added.len())?;
        append(ra, added)
    }

    fn resource(&mut self, dir: &Dir, entry: &Node, ra: &mut Vec<Res>) -> Result<(), String> {
        let rel = entry.as_str().unwrap_or("");
        let path = normalize(&dir.path.join(rel));
        if path.is_file() {
            return self.resource_file(dir, rel, ra);
        }
        if path.is_dir() {
            let sub = self.accumulate(&path, Vec::new(), Some(false))?;
            return append(ra, sub);
        }
        if is_remote(rel) {
            self.note(
                dir.kust_file,
                entry.span,
                format!("remote resource `{rel}` is not fetched; what it would add is not linted"),
            );
            return Ok(());
        }
        Err(format!(
            "accumulating resources: '{}' is neither a file nor a directory",
            path.display()
        ))
    }

    fn load_kustomization(&mut self, path: &Path) -> Result<(Arc<SourceFile>, Node), String> {
        let Some(kpath) = kustomization_file(path)? else {
            return Err(format!(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                path.display()
            ));
        };
        let loaded = self.ws.load(&kpath)?;
        let docs = loaded.docs?;
        let root = match docs.first() {
            Some(r) if r.is_map() => r.clone(),
            Some(r) if !r.is_null() => {
                return Err(format!(
                    "{}: a kustomization must be a mapping",
                    loaded.file.display
                ));
            }
            _ => crate::kustomize::tree::empty_map(Span::default()),
        };
        let meaningful = root
            .entries()
            .iter()
            .any(|e| !matches!(e.key.as_scalar(), Some("apiVersion" | "kind")));
        if !meaningful {
            return Err(format!(
                "kustomization.yaml is empty: {}",
                loaded.file.display
            ));
        }
        self.out.kustomizations.push(loaded.file.id);
        Ok((loaded.file, root))
    }

    /// kustomize's `accumulateTarget`. `component`: `Some(true)` when
    /// reached as a component, `Some(false)` as a resource, `None` for the
    /// root (a Component built alone is built as a Kustomization).
    fn accumulate(
        &mut self,
        path: &Path,
        ra: Vec<Res>,
        component: Option<bool>,
    ) -> Result<Vec<Res>, String> {
        let path = normalize(path);
        if self.stack.contains(&path) {
            return Err(format!(
                "cycle detected: {} includes itself",
                path.display()
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!(
                "kustomizations nest deeper than {MAX_DEPTH} levels"
            ));
        }
        self.stack.push(path.clone());
        let result = self.accumulate_inner(&path, ra, component);
        self.stack.pop();
        result
    }

    fn accumulate_inner(
        &mut self,
        path: &Path,
        mut ra: Vec<Res>,
        component: Option<bool>,
    ) -> Result<Vec<Res>, String> {
        let (kfile, root) = self.load_kustomization(path)?;
        let kind = get_ci(&root, "kind")
            .and_then(Node::as_str)
            .unwrap_or("Kustomization");
        match component {
            Some(true) if kind != "Component" => {
                return Err(format!(
                    "expected kind 'Component' for path '{}' but got '{kind}'",
                    path.display()
                ));
            }
            Some(false) if kind == "Component" => {
                return Err(format!(
                    "expected kind != 'Component' for path '{}'",
                    path.display()
                ));
            }
            _ => {}
        }
        let dir = Dir {
            path: path.to_path_buf(),
            kust_file: kfile.id,
            canonical: path.canonicalize().ok(),
        };
        for e in root.entries() {
            let Some(k) = e.key.as_scalar() else { continue };
            if UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(k)) {
                self.note(
                    kfile.id,
                    e.key.span,
                    format!("`{k}` is not run by tenantlint's kustomize build; the values it would set are not known"),
                );
            } else if !KNOWN.iter().any(|u| u.eq_ignore_ascii_case(k)) {
                self.note(
                    kfile.id,
                    e.key.span,
                    format!("unknown kustomization field `{k}` is ignored"),
                );
            }
        }
        // Not run, but kustomize reads them: a missing one fails the build.
        for field in ["configurations", "crds"] {
            for e in strings(&root, field) {
                self.restricted(&dir, e.as_str().unwrap_or(""))?;
            }
        }
        let mut resources = strings(&root, "resources");
        resources.extend(strings(&root, "bases"));
        for entry in &resources {
            self.resource(&dir, entry, &mut ra)?;
        }
        let global = get_ci(&root, "generatorOptions");
        for (field, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            if let Some(list) = get_ci(&root, field) {
                let made = generate::generate(self, &dir, kind, list, global)?;
                self.take_objects(made.len())?;
                for (r, behavior) in made {
                    absorb(&mut ra, r, behavior)?;
                }
            }
        }
        for c in strings(&root, "components") {
            let rel = c.as_str().unwrap_or("");
            if is_remote(rel) {
                self.note(
                    kfile.id,
                    c.span,
                    format!("remote component `{rel}` is not fetched"),
                );
                continue;
            }
            ra = self.accumulate(&dir.path.join(rel), ra, Some(true))?;
        }
        self.transform(&dir, &kfile, &root, &mut ra)?;
        Ok(ra)
    }

    fn transform(
        &mut self,
        dir: &Dir,
        kfile: &SourceFile,
        root: &Node,
        ra: &mut Vec<Res>,
    ) -> Result<(), String> {
        for entry in get_ci(root, "patchesStrategicMerge")
            .map(Node::items)
            .unwrap_or_default()
        {
            let inline = entry
                .as_scalar()
                .filter(|s| s.contains('\n') || s.contains(": "))
                .map(|_| entry);
            for p in self.patches(dir, kfile, entry, inline)? {
                apply_sm_by_id(ra, &p.doc, false, false)?;
            }
        }
        for entry in get_ci(root, "patches").map(Node::items).unwrap_or_default() {
            let inline = get_ci(entry, "patch");
            let path = get_ci(entry, "path");
            let Some(source) = inline.or(path) else {
                return Err("a patch has neither `path` nor `patch`".into());
            };
            let patches = self.patches(dir, kfile, source, inline)?;
            let target = get_ci(entry, "target").map(Selector::of).transpose()?;
            let opts = get_ci(entry, "options");
            let allow =
                |k: &str| opts.and_then(|o| get_ci(o, k)).and_then(Node::as_bool) == Some(true);
            let (allow_name, allow_kind) = (allow("allowNameChange"), allow("allowKindChange"));
            for p in patches {
                if matches!(p.doc.value, Value::Seq(_)) {
                    let Some(t) = &target else {
                        return Err("a JSON patch needs a `target`".into());
                    };
                    apply_json(ra, t, &p.doc)?;
                } else if let Some(t) = &target {
                    let mut i = 0;
                    while i < ra.len() {
                        if t.selects(&ra[i]) && apply_sm(&mut ra[i], &p.doc, allow_name, allow_kind)
                        {
                            ra.remove(i);
                        } else {
                            i += 1;
                        }
                    }
                } else {
                    apply_sm_by_id(ra, &p.doc, allow_name, allow_kind)?;
                }
            }
        }
        if let Some(ns) =
            get_ci(root, "namespace").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            transform::namespace(ra, ns)?;
        }
        if let Some(p) = get_ci(root, "namePrefix").and_then(Node::as_str) {
            transform::affix(ra, p, false);
        }
        if let Some(s) = get_ci(root, "nameSuffix").and_then(Node::as_str) {
            transform::affix(ra, s, true);
        }
        let common = pairs(get_ci(root, "commonLabels"));
        if !common.is_empty() {
            transform::labels(
                ra,
                &common,
                true,
                true,
                get_ci(root, "commonLabels")
                    .map(|n| n.span)
                    .unwrap_or_default(),
            );
        }
        for l in get_ci(root, "labels").map(Node::items).unwrap_or_default() {
            let p = pairs(get_ci(l, "pairs"));
            let flag = |k: &str| get_ci(l, k).and_then(Node::as_bool) == Some(true);
            transform::labels(
                ra,
                &p,
                flag("includeTemplates"),
                flag("includeSelectors"),
                l.span,
            );
        }
        let annotations = pairs(get_ci(root, "commonAnnotations"));
        if !annotations.is_empty() {
            transform::annotations(
                ra,
                &annotations,
                get_ci(root, "commonAnnotations")
                    .map(|n| n.span)
                    .unwrap_or_default(),
            );
        }
        for entry in get_ci(root, "patchesJson6902")
            .map(Node::items)
            .unwrap_or_default()
        {
            let inline = get_ci(entry, "patch");
            let Some(source) = inline.or(get_ci(entry, "path")) else {
                return Err("a JSON patch has neither `path` nor `patch`".into());
            };
            let Some(target) = get_ci(entry, "target") else {
                return Err("a JSON patch needs a `target`".into());
            };
            let sel = Selector::of(target)?;
            for p in self.patches(dir, kfile, source, inline)? {
                apply_json(ra, &sel, &p.doc)?;
            }
        }
        for r in get_ci(root, "replicas")
            .map(Node::items)
            .unwrap_or_default()
        {
            if let (Some(name), Some(count)) =
                (get_ci(r, "name").and_then(Node::as_str), get_ci(r, "count"))
            {
                transform::replicas(ra, name, count);
            }
        }
        let images: Vec<transform::Image> = get_ci(root, "images")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| {
                Some(transform::Image {
                    name: get_ci(i, "name")?.as_str()?.to_string(),
                    new_name: get_ci(i, "newName")
                        .filter(|n| n.as_str().is_some())
                        .cloned(),
                    new_tag: get_ci(i, "newTag")
                        .filter(|n| n.as_str().is_some())
                        .cloned(),
                    digest: get_ci(i, "digest")
                        .filter(|n| n.as_str().is_some())
                        .cloned(),
                    tag_suffix: get_ci(i, "tagSuffix")
                        .and_then(Node::as_str)
                        .map(str::to_string),
                })
            })
            .collect();
        if !images.is_empty() {
            transform::images(ra, &images);
        }
        Ok(())
    }
}

/// Add resources, refusing one whose id is already there (kustomize:
/// "may not add resource with an already registered id").
fn append(ra: &mut Vec<Res>, added: Vec<Res>) -> Result<(), String> {
    if added.is_empty() {
        return Ok(());
    }
    let key = |id: &Id| {
        (
            id.group.clone(),
            id.version.clone(),
            id.kind.clone(),
            id.name.clone(),
            id.effective_namespace().to_string(),
        )
    };
    let mut seen: HashSet<_> = ra.iter().map(|r| key(&r.cur_id())).collect();
    for r in &added {
        let id = r.cur_id();
        if !seen.insert(key(&id)) {
            return Err(format!(
                "may not add resource with an already registered id: {} {}",
                id.kind, id.name
            ));
        }
    }
    ra.extend(added);
    Ok(())
}

fn absorb(ra: &mut Vec<Res>, new: Res, behavior: Behavior) -> Result<(), String> {
    let id = new.cur_id();
    let found = ra
        .iter()
        .position(|r| r.any_id_equals(&id) || (r.generated && r.org_id().equals(&id)));
    match (behavior, found) {
        (Behavior::Create, None) => ra.push(new),
        (Behavior::Create, Some(_)) => {
            return Err(format!(
                "a {} named {} already exists; use behavior merge or replace",
                id.kind, id.name
            ));
        }
        (Behavior::Merge, Some(i)) => generate::merge_into(&mut ra[i], new),
        (Behavior::Replace, Some(i)) => {
            // The new content, under the old name, namespace, labels and
            // annotations (the new ones win).
            let old = &mut ra[i];
            let old_meta = old.node.get("metadata").cloned();
            old.node = new.node;
            old.needs_hash = new.needs_hash;
            if let Some(old_meta) = old_meta
                && let Some(meta) = tree::get_mut(&mut old.node, "metadata")
            {
                for key in ["name", "namespace"] {
                    if let Some(n) = old_meta.get(key) {
                        tree::set(meta, key, n.clone());
                    }
                }
                for key in ["labels", "annotations"] {
                    if let Some(o) = old_meta.get(key).filter(|o| o.is_map()) {
                        let mut merged = o.clone();
                        for e in meta.get(key).map(Node::entries).unwrap_or_default() {
                            tree::set_entry(&mut merged, e.clone());
                        }
                        tree::set(meta, key, merged);
                    }
                }
            }
        }
        (_, None) => {
            return Err(format!(
                "no {} named {} to {:?}",
                id.kind, id.name, behavior
            ));
        }
    }
    Ok(())
}

/// Apply a strategic merge patch; true when the patch deletes the object.
fn apply_sm(r: &mut Res, patch: &Node, allow_name: bool, allow_kind: bool) -> bool {
    let meta = r.node.get("metadata");
    let name = meta.and_then(|m| m.get("name")).cloned();
    let ns = meta.and_then(|m| m.get("namespace")).cloned();
    let kind = r.node.get("kind").cloned();
    if allow_name || allow_kind {
        r.store_previous_id();
    }
    if merge::merge_object(&mut r.node, patch) == merge::Outcome::Deleted {
        return true;
    }
    if r.node.entries().is_empty() {
        return true;
    }
    if !allow_kind && let Some(k) = kind {
        tree::set(&mut r.node, "kind", k);
    }
    let meta = tree::map_at(&mut r.node, "metadata", patch.span);
    if !allow_name && let Some(n) = name {
        tree::set(meta, "name", n);
    }
    match ns {
        Some(n) => tree::set(meta, "namespace", n),
        None => {
            tree::remove(meta, "namespace");
        }
    }
    false
}

fn apply_sm_by_id(
    ra: &mut Vec<Res>,
    patch: &Node,
    allow_name: bool,
    allow_kind: bool,
) -> Result<(), String> {
    if patch.is_null() || patch.entries().is_empty() {
        return Ok(());
    }
    let id = Id::of(patch);
    let matches: Vec<usize> = (0..ra.len())
        .filter(|&i| ra[i].any_id_equals(&id))
        .collect();
    match matches.as_slice() {
        [i] => {
            if apply_sm(&mut ra[*i], patch, allow_name, allow_kind) {
                ra.remove(*i);
            }
            Ok(())
        }
        [] => Err(format!(
            "no resource matches strategic merge patch \"{}\" {}",
            id.kind, id.name
        )),
        _ => Err(format!(
            "multiple matches for strategic merge patch {} {}",
            id.kind, id.name
        )),
    }
}

fn apply_json(ra: &mut [Res], sel: &Selector, ops: &Node) -> Result<(), String> {
    if !matches!(ops.value, Value::Seq(_)) {
        return Err("a JSON patch must be a list of operations".into());
    }
    for r in ra.iter_mut() {
        if sel.selects(r) {
            r.store_previous_id();
            jsonpatch::apply(&mut r.node, ops)?;
        }
    }
    Ok(())
}

/// Build the kustomization in `dir` as `kustomize build dir` would.
pub fn build(ws: &Workspace, dir: &Path) -> Output {
    let mut b = Build::new(ws, dir);
    match b.accumulate(dir, Vec::new(), None) {
        Ok(mut ra) => {
            for r in ra.iter_mut().filter(|r| r.needs_hash) {
                let suffix = hash::suffix(&r.node);
                r.store_previous_id();
                if let Some(name) =
                    tree::get_mut(&mut r.node, "metadata").and_then(|m| tree::get_mut(m, "name"))
                    && let Some(old) = name.as_scalar().map(str::to_string)
                {
                    *name = Node::scalar(
                        &format!("{old}-{suffix}"),
                        crate::load::ScalarStyle::Quoted,
                        name.span,
                    );
                }
            }
            nameref::fix(&mut ra);
            for r in ra.iter_mut() {
                // kustomize's own bookkeeping annotations leave an empty or
                // null `annotations` out of what it prints.
                if let Some(meta) = tree::get_mut(&mut r.node, "metadata")
                    && meta
                        .get("annotations")
                        .is_some_and(|a| a.is_null() || a.is_map() && a.entries().is_empty())
                {
                    tree::remove(meta, "annotations");
                }
            }
            ra.retain(|r| {
                r.node
                    .path(&[
                        "metadata",
                        "annotations",
                        "config.kubernetes.io/local-config",
                    ])
                    .and_then(Node::as_str)
                    != Some("true")
            });
            b.out.kustomization = b.out.kustomizations.first().copied();
            b.out.declared_namespaces = ra
                .iter()
                .filter(|r| r.cur_id().kind == "Namespace")
                .map(|r| r.org_id().name)
                .collect();
            b.out.objects = ra
                .into_iter()
                .map(|r| BuiltObject {
                    node: r.node,
                    file: r.file,
                    doc: r.doc,
                    written_namespace: r.written_namespace,
                })
                .collect();
        }
        Err(e) => b.out.error = Some(e),
    }
    let mut out = b.out;
    for v in [
        &mut out.consumed,
        &mut out.resources,
        &mut out.kustomizations,
    ] {
        v.sort_unstable();
        v.dedup();
    }
    out
}

/// What the kustomization in `dir` reads as patches or generator inputs
/// (files that are never objects of their own, built or not), and the
/// kustomization directories it includes.
pub fn static_inputs(ws: &Workspace, dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut inputs = Vec::new();
    let mut children = Vec::new();
    let Ok(Some(kpath)) = kustomization_file(dir) else {
        return (inputs, children);
    };
    let Ok(loaded) = ws.load(&kpath) else {
        return (inputs, children);
    };
    let Ok(docs) = loaded.docs else {
        return (inputs, children);
    };
    let Some(root) = docs.first() else {
        return (inputs, children);
    };
    let mut add = |rel: &str| {
        if !rel.contains('\n') && !rel.contains(": ") {
            inputs.push(normalize(&dir.join(rel)));
        }
    };
    for e in get_ci(root, "patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or_default()
    {
        add(e.as_str().unwrap_or(""));
    }
    for field in ["patches", "patchesJson6902"] {
        for e in get_ci(root, field).map(Node::items).unwrap_or_default() {
            if let Some(p) = get_ci(e, "path").and_then(Node::as_str) {
                add(p);
            }
        }
    }
    for field in ["configMapGenerator", "secretGenerator"] {
        for g in get_ci(root, field).map(Node::items).unwrap_or_default() {
            for key in ["files", "envs"] {
                for f in get_ci(g, key).map(Node::items).unwrap_or_default() {
                    let spec = f.as_str().unwrap_or("");
                    add(spec.split_once('=').map_or(spec, |(_, p)| p));
                }
            }
            if let Some(e) = get_ci(g, "env").and_then(Node::as_str) {
                add(e);
            }
        }
    }
    for field in ["resources", "bases", "components"] {
        for e in strings(root, field) {
            let target = normalize(&dir.join(e.as_str().unwrap_or("")));
            if target.is_dir() && kustomization_file(&target).is_ok_and(|k| k.is_some()) {
                children.push(target);
            }
        }
    }
    (inputs, children)
}

/// The kustomization directories among `dirs` that no other one includes
/// (as a resource, base or component): the roots to build.
pub fn roots(ws: &Workspace, dirs: &[PathBuf]) -> Vec<PathBuf> {
    let set: HashSet<PathBuf> = dirs.iter().map(|d| normalize(d)).collect();
    let mut referenced: HashSet<PathBuf> = HashSet::new();
    for d in &set {
        let Ok(Some(kpath)) = kustomization_file(d) else {
            continue;
        };
        let Ok(loaded) = ws.load(&kpath) else {
            continue;
        };
        let Ok(docs) = loaded.docs else { continue };
        let Some(root) = docs.first() else { continue };
        for field in ["resources", "bases", "components"] {
            for e in strings(root, field) {
                let target = normalize(&d.join(e.as_str().unwrap_or("")));
                if target != *d && set.contains(&target) {
                    referenced.insert(target);
                }
            }
        }
    }
    let mut out: Vec<PathBuf> = set
        .into_iter()
        .filter(|d| !referenced.contains(d))
        .collect();
    out.sort();
    out
}

/// Build every root in parallel; results in the order of `roots`.
pub fn build_all(ws: &Workspace, roots: &[PathBuf]) -> Vec<Output> {
    use rayon::prelude::*;
    roots.par_iter().map(|r| build(ws, r)).collect()
}

/// The kustomization directories among files (by their paths).
pub fn kustomization_dirs<'a>(paths: impl Iterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut dirs: HashMap<PathBuf, ()> = HashMap::new();
    for p in paths {
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
            && let Some(parent) = p.parent()
        {
            dirs.insert(normalize(parent), ());
        }
    }
    let mut out: Vec<PathBuf> = dirs.into_keys().collect();
    out.sort();
    out
}
