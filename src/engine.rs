//! The pipeline: discover → load → model → index → rules → sorted findings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::baseline::{self, Baseline, Fingerprint};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{Input, WalkWarning};
use crate::index::{Index, IndexOptions};
use crate::load::{self, LoadProblem};
pub use crate::meta::{selector_matches_meta, selects_policy};
use crate::model::FileModel;
pub use crate::rules::selector_matches;
use crate::rules::{self, Check, Context, Rule};
use crate::source::{FileKind, SourceFile, Span};
use crate::suppress::{self, Suppression};

/// Which rules run, and at what severity.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Empty means all rules.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Check that every selector names a rule, a prefix or a category.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_with(&[])
    }

    /// [`Selection::validate`], also accepting the ids and names of the
    /// user policies `(id, name)` that the config names.
    pub fn validate_with(&self, policies: &[(String, String)]) -> Result<(), String> {
        for s in self.select.iter().chain(&self.ignore) {
            if !rules::all().any(|r| selector_matches(s, r)) && !selects_policy(s, policies) {
                return Err(format!(
                    "`{s}` is not a rule id, rule name, id prefix or category"
                ));
            }
        }
        Ok(())
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, rule));
        selected && !self.ignore.iter().any(|s| selector_matches(s, rule))
    }

    /// Whether the findings of a user policy are reported: its id, its
    /// name, its id prefix or the `policy` category select it.
    pub fn enabled_policy(&self, id: &str, name: &str) -> bool {
        let matches = |s: &String| selector_matches_meta(s, id, name, rules::Category::Policy);
        let selected = self.select.is_empty() || self.select.iter().any(matches);
        selected && !self.ignore.iter().any(matches)
    }
}

/// Whether `selector` selects finding `d` (of a built-in rule or a user
/// policy).
fn selector_matches_finding(selector: &str, d: &Diagnostic) -> bool {
    match rules::find(&d.rule_id) {
        Some(r) => selector_matches(selector, r),
        None => selector_matches_meta(selector, &d.rule_id, &d.rule_name, rules::Category::Policy),
    }
}

#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// Contents of stdin when `-` was given, with the name to report it under.
    pub stdin: Option<(String, Vec<u8>)>,
    pub selection: Selection,
    pub index: IndexOptions,
    /// Worker threads; 0 = all cores.
    pub threads: usize,
    /// Counts files as they are loaded, for a progress display.
    pub progress: Option<Arc<Progress>>,
    /// The configuration (`.tenantlint.yaml`), or the defaults.
    pub config: Arc<Config>,
    /// `--baseline`: findings recorded there are hidden.
    pub baseline: Option<Arc<Baseline>>,
    /// Compute [`CheckResult::fingerprints`] (for `--write-baseline`).
    pub fingerprints: bool,
    /// `--context DIR`: directories loaded for the whole-set rules whose
    /// own findings are not reported (pre-commit mode).
    pub context: Vec<PathBuf>,
    /// Keep the index in [`CheckResult::index`] (the tenancy posture reads it).
    pub keep_index: bool,
    /// Objects keep their YAML trees in memory while the inputs total at
    /// most this many bytes (`None`: [`KEEP_TREES_UP_TO`]); past it, an
    /// object keeps where its document is, and a rule that reads the tree
    /// gets it parsed again. Same findings, bounded memory.
    pub keep_trees_up_to: Option<u64>,
}

/// Trees take about five bytes of memory per byte of YAML: up to 64 MB of
/// input they stay in memory (faster); past it they are parsed again when
/// read (SPEC: memory bounded per input byte).
pub const KEEP_TREES_UP_TO: u64 = 64 << 20;

/// How far a run has come (read by the CLI's progress line).
#[derive(Debug, Default)]
pub struct Progress {
    pub total: std::sync::atomic::AtomicUsize,
    pub loaded: std::sync::atomic::AtomicUsize,
}

/// The result of a run: files (for snippets), findings, counts.
pub struct CheckResult {
    pub files: Vec<Arc<SourceFile>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings hidden by a suppression comment or annotation or by the
    /// baseline (SARIF lists them with `suppressions`; other formats leave
    /// them out).
    pub suppressed: Vec<Diagnostic>,
    /// Fingerprints of every finding not suppressed in the source (baseline
    /// or not), when [`CheckOptions::fingerprints`] asked for them.
    pub fingerprints: Vec<Fingerprint>,
    pub documents: usize,
    pub objects: usize,
    pub warnings: Vec<WalkWarning>,
    /// The config file in effect and what it turns off (set by the CLI).
    pub config: Option<crate::config::ConfigEffect>,
    /// The index the rules read, when [`CheckOptions::keep_index`] asked for it.
    pub index: Option<Index>,
    /// The built-in platform namespaces (SPEC §4) that the set uses and the
    /// run treated as no tenant's, by name.
    pub platform_namespaces: Vec<String>,
}

impl CheckResult {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// One file after loading and modelling.
struct Loaded {
    file: Arc<SourceFile>,
    problems: Vec<LoadProblem>,
    model: FileModel,
    suppressions: Vec<Suppression>,
    /// Notes and warnings for stderr (not findings).
    notes: Vec<WalkWarning>,
    /// Helm's `# Source:` comments: (line, template), in line order.
    template_sources: Vec<(u32, String)>,
}

/// An MLflow tracking store in SQLite, opened read-only by path (its bytes
/// are never read into memory).
fn load_store(id: u32, input: &Input) -> Loaded {
    use crate::model::sqlite_store::{self, StoreError};
    let (text, model, problems, notes) = match sqlite_store::read(&input.path, id, &input.display) {
        Ok(read) => {
            let model = FileModel {
                mlflow: read.entities,
                ..FileModel::default()
            };
            let notes = read
                .notes
                .into_iter()
                .map(|m| WalkWarning::warning(input.display.clone(), m))
                .collect();
            (read.text, model, Vec::new(), notes)
        }
        Err(StoreError::NotMlflow) => (
            String::new(),
            FileModel::default(),
            Vec::new(),
            vec![WalkWarning::note(
                input.display.clone(),
                "an SQLite database without MLflow's `experiments` and `runs` tables, not a tracking store; skipped",
            )],
        ),
        Err(StoreError::Unreadable(e)) => (
            String::new(),
            FileModel::default(),
            vec![LoadProblem::Syntax {
                span: Span::point(crate::source::Pos {
                    byte: 0,
                    line: 1,
                    col: 1,
                }),
                message: format!("cannot read this MLflow tracking store as SQLite: {e}"),
            }],
            Vec::new(),
        ),
    };
    let file = SourceFile::new(
        id,
        input.path.clone(),
        input.display.clone(),
        input.kind,
        text,
    );
    Loaded {
        file: Arc::new(file),
        problems,
        model,
        suppressions: Vec::new(),
        notes,
        template_sources: Vec::new(),
    }
}

/// `store_trees`: objects keep where their document is instead of its tree
/// (see [`CheckOptions::keep_trees_up_to`]).
fn load_one(id: u32, input: &Input, bytes: std::io::Result<Vec<u8>>, store_trees: bool) -> Loaded {
    if input.kind == FileKind::SqliteStore && input.path.as_os_str() != "-" {
        return load_store(id, input);
    }
    let (text, bad) = match bytes {
        Ok(bytes) => load::decode_owned(bytes),
        Err(e) => (String::new(), Some((0, format!("cannot read file: {e}")))),
    };
    let file = SourceFile::new(
        id,
        input.path.clone(),
        input.display.clone(),
        input.kind,
        text,
    );
    if let Some((byte, message)) = bad {
        let at = file.pos_of_byte(byte);
        return Loaded {
            file: Arc::new(file),
            problems: vec![LoadProblem::Syntax {
                span: Span::point(at),
                message,
            }],
            model: FileModel::default(),
            suppressions: Vec::new(),
            notes: Vec::new(),
            template_sources: Vec::new(),
        };
    }
    let file = Arc::new(file);
    let mut template_sources = Vec::new();
    let (problems, model, suppressions) = match file.kind {
        FileKind::Yaml => {
            // Each document is modelled as soon as it is read: with
            // `store_trees`, a file's trees are never all in memory.
            let mut builder =
                crate::model::build::FileBuilder::new(&file, store_trees.then_some(&file));
            let mut doc_starts: Vec<u32> = Vec::new();
            let (problems, comments) = load::parse_yaml_each(&file, |doc| {
                doc_starts.push(doc.root.span.start.line);
                builder.add(doc);
            });
            let suppressions = suppress::from_comments(&file, &comments, &doc_starts);
            template_sources = comments
                .iter()
                .filter(|c| load::is_template_source(&c.text))
                .map(|c| {
                    (
                        c.line,
                        c.text.trim_start()["Source: ".len()..].trim().to_string(),
                    )
                })
                .collect();
            (problems, builder.finish(), suppressions)
        }
        // A store given as stdin: SQLite reads files, not pipes.
        FileKind::SqliteStore => (
            vec![LoadProblem::Syntax {
                span: Span::default(),
                message: "an SQLite tracking store cannot be read from stdin; name its file".into(),
            }],
            FileModel::default(),
            Vec::new(),
        ),
        FileKind::Dockerfile | FileKind::Shell => {
            let processes = if file.kind == FileKind::Dockerfile {
                crate::model::dockerfile::processes(&file)
            } else {
                crate::model::process::script_file(&file)
            };
            let suppressions = suppress::from_comments(&file, &hash_comments(&file), &[]);
            let model = FileModel {
                processes,
                ..FileModel::default()
            };
            (Vec::new(), model, suppressions)
        }
        FileKind::AuthIni => {
            let (config, comments) = crate::model::auth_ini::from_file(&file);
            let suppressions = suppress::from_comments(&file, &comments, &[]);
            let model = FileModel {
                mlflow: config
                    .map(crate::model::MlflowFile::AuthConfig)
                    .into_iter()
                    .collect(),
                ..FileModel::default()
            };
            (Vec::new(), model, suppressions)
        }
    };
    Loaded {
        file,
        problems,
        model,
        suppressions,
        notes: Vec::new(),
        template_sources,
    }
}

/// `#` comments of a Dockerfile (whole lines) or a shell script (as the
/// shell reads them: not in quotes, not in here-documents), for
/// suppressions.
fn hash_comments(file: &SourceFile) -> Vec<load::Comment> {
    let ranges: Vec<std::ops::Range<usize>> = if file.kind == FileKind::Shell {
        crate::model::shell::split_with_comments(&file.text).1
    } else {
        let mut out = Vec::new();
        let mut start = 0usize;
        for line in file.text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let indent = body.len() - body.trim_start().len();
            if body.trim_start().starts_with('#') {
                out.push(start + indent..start + body.len());
            }
            start += line.len();
        }
        out
    };
    ranges
        .into_iter()
        .filter(|r| !file.text[r.clone()].starts_with("#!"))
        .map(|r| {
            let span = file.span_of_bytes(r.clone());
            load::Comment {
                line: span.start.line,
                span,
                text: file.text[r.start + 1..r.end].trim().to_string(),
            }
        })
        .collect()
}

fn problem_diagnostic(source: &SourceFile, p: LoadProblem) -> Diagnostic {
    use rules::yaml::{yaml001_syntax_error as y1, yaml002_duplicate_key as y2};
    let file = source.id;
    match p {
        LoadProblem::Syntax { span, message } => {
            y1::diagnostic(file, widen_to_char(source, span), &message)
        }
        LoadProblem::DuplicateKey { key, span, first } => y2::diagnostic(file, span, &key, first),
    }
}

/// A finding on a base node that several kustomize roots reach is reported
/// once, with a related location naming each root it was found in.
fn once_across_roots(
    diagnostics: Vec<Diagnostic>,
    index: &Index,
    roots: &[crate::kustomize::stage::Root],
) -> Vec<Diagnostic> {
    use std::collections::{BTreeSet, HashMap};
    let mut roots_of: HashMap<crate::diagnostic::ObjectRef, BTreeSet<u32>> = HashMap::new();
    for o in &index.objects {
        if let Some(b) = o.build {
            roots_of
                .entry(crate::diagnostic::ObjectRef::of(o))
                .or_default()
                .insert(b);
        }
    }
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut found_in: Vec<BTreeSet<u32>> = Vec::with_capacity(diagnostics.len());
    let mut seen: HashMap<(String, u32, Span, String), usize> = HashMap::new();
    for d in diagnostics {
        let builds = d
            .object
            .as_ref()
            .and_then(|o| roots_of.get(o))
            .cloned()
            .unwrap_or_default();
        if builds.is_empty() {
            out.push(d);
            found_in.push(builds);
            continue;
        }
        // The same node of a shared base, whatever namespace each overlay
        // gave the object: the message names the first.
        let message = match d.object.as_ref().and_then(|o| o.namespace.as_deref()) {
            Some(ns) if !ns.is_empty() => d.message.replace(ns, "\u{0}"),
            _ => d.message.clone(),
        };
        let key = (d.rule_id.to_string(), d.file, d.span, message);
        match seen.get(&key) {
            Some(&i) => found_in[i].extend(builds),
            None => {
                seen.insert(key, out.len());
                out.push(d);
                found_in.push(builds);
            }
        }
    }
    for (d, builds) in out.iter_mut().zip(found_in) {
        if builds.len() < 2 {
            continue;
        }
        for b in builds {
            if let Some(r) = roots.get(b as usize) {
                d.related.push(crate::diagnostic::Related {
                    file: r.file,
                    span: Span::point(crate::source::Pos {
                        byte: 0,
                        line: 1,
                        col: 1,
                    }),
                    message: format!("found in the kustomize build of `{}`", r.dir),
                    locator: None,
                });
            }
        }
    }
    out
}

/// A point span covers the character at it (unless at a line end or EOF).
fn widen_to_char(source: &SourceFile, span: Span) -> Span {
    if !span.is_empty() {
        return span;
    }
    let start = span.start.byte as usize;
    match source.text.get(start..).and_then(|t| t.chars().next()) {
        Some(c) if c != '\n' && c != '\r' => source.span_of_bytes(start..start + c.len_utf8()),
        _ => span,
    }
}

/// The linted set after loading: files, load findings (YAML001/YAML002), index.
pub struct LoadedSet {
    pub files: Vec<Arc<SourceFile>>,
    pub load_diagnostics: Vec<Diagnostic>,
    pub index: Index,
    /// Suppression comments of every file.
    pub suppressions: Vec<Suppression>,
    pub config: Arc<Config>,
    pub baseline: Option<Arc<Baseline>>,
    pub want_fingerprints: bool,
    /// Notes about files (an SQLite file that is no tracking store, …).
    pub notes: Vec<WalkWarning>,
    pub keep_index: bool,
    /// The kustomize roots the run built (objects name them by index).
    pub kustomize_roots: Vec<crate::kustomize::stage::Root>,
    /// Helm's `# Source:` comments by file: (line, template), line order.
    pub template_sources: std::collections::HashMap<u32, Vec<(u32, String)>>,
}

/// Load: read, decode, parse and model every file in parallel, then index.
pub fn load_set(inputs: &[Input], options: &CheckOptions) -> LoadedSet {
    load_set_with(inputs, options, |input| match &options.stdin {
        Some((name, data)) if input.display == *name && input.path.as_os_str() == "-" => {
            Ok(data.clone())
        }
        // Stores are opened by path, read-only, a page at a time.
        _ if input.kind == FileKind::SqliteStore => Ok(Vec::new()),
        _ => std::fs::read(&input.path),
    })
}

/// [`load_set`] with the bytes of each input supplied by `read`.
pub fn load_set_with(
    inputs: &[Input],
    options: &CheckOptions,
    read: impl Fn(&Input) -> std::io::Result<Vec<u8>> + Sync,
) -> LoadedSet {
    use std::sync::atomic::Ordering::Relaxed;
    if let Some(p) = &options.progress {
        p.total.store(inputs.len(), Relaxed);
    }
    // Every file's text is kept for the whole run (snippets), so reading
    // them all before parsing holds nothing more; the total decides whether
    // the trees are kept too.
    let bytes: Vec<std::io::Result<Vec<u8>>> = inputs.par_iter().map(&read).collect();
    let yaml_bytes: u64 = inputs
        .iter()
        .zip(&bytes)
        .filter(|(i, _)| i.kind == FileKind::Yaml)
        .map(|(_, b)| b.as_ref().map_or(0, |b| b.len() as u64))
        .fold(0, u64::saturating_add);
    let store_trees = yaml_bytes > options.keep_trees_up_to.unwrap_or(KEEP_TREES_UP_TO);
    let mut loaded: Vec<Loaded> = inputs
        .par_iter()
        .zip(bytes)
        .enumerate()
        .map(|(i, (input, bytes))| {
            let loaded = load_one(i as u32, input, bytes, store_trees);
            if let Some(p) = &options.progress {
                p.loaded.fetch_add(1, Relaxed);
            }
            loaded
        })
        .collect();
    let files: Vec<Arc<SourceFile>> = loaded.iter().map(|l| l.file.clone()).collect();
    let mut load_diagnostics: Vec<Diagnostic> = Vec::new();
    let mut models = Vec::with_capacity(loaded.len());
    let mut suppressions = Vec::new();
    let mut notes = Vec::new();
    let mut template_sources = std::collections::HashMap::new();
    for l in loaded.iter_mut() {
        if !l.template_sources.is_empty() {
            template_sources.insert(l.file.id, std::mem::take(&mut l.template_sources));
        }
        suppressions.append(&mut l.suppressions);
        notes.append(&mut l.notes);
        let file = &l.file;
        load_diagnostics.extend(
            std::mem::take(&mut l.problems)
                .into_iter()
                .map(|p| problem_diagnostic(file, p)),
        );
        models.push(std::mem::take(&mut l.model));
    }
    drop(loaded);
    // Kustomize roots are built; their objects replace the files they read.
    // A build reads only below the linted paths (a pull request must not
    // make tenantlint read, and print, files elsewhere through `../` bases).
    let allowed: Vec<PathBuf> = options
        .paths
        .iter()
        .chain(&options.context)
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let staged = crate::kustomize::stage::run(files, models, &allowed);
    let files = staged.files;
    let models = staged.models;
    notes.extend(staged.notes);
    let kustomize_roots = staged.roots;
    let mut index_options = options.index.clone();
    index_options.tenancy = crate::index::Tenancy::from_config(&options.config);
    if index_options.deploy_namespace.is_none() {
        index_options.deploy_namespace = options.config.namespace.clone();
    }
    let mut index = Index::build(&files, models, &index_options);
    index.assign_process_tenants(&files, &options.config);
    LoadedSet {
        files,
        load_diagnostics,
        index,
        suppressions,
        config: options.config.clone(),
        baseline: options.baseline.clone(),
        want_fingerprints: options.fingerprints,
        notes,
        keep_index: options.keep_index,
        kustomize_roots,
        template_sources,
    }
}

/// Rules: per-object checks in parallel over objects, whole-set checks in
/// parallel over rules; the result is sorted.
pub fn run_rules(set: LoadedSet, selection: &Selection) -> CheckResult {
    let LoadedSet {
        files,
        mut load_diagnostics,
        index,
        mut suppressions,
        config,
        baseline,
        want_fingerprints,
        notes,
        keep_index,
        kustomize_roots,
        template_sources,
    } = set;
    let ctx = Context {
        index: &index,
        files: &files,
        config: &config,
    };
    let enabled = enabled_rules(selection, &config);
    let enabled_ids: Vec<&str> = enabled.iter().map(|r| r.meta.id).collect();
    load_diagnostics.retain(|d| is_undeselectable(d) || enabled_ids.contains(&&*d.rule_id));
    let mut diagnostics = load_diagnostics;

    let object_checks: Vec<_> = enabled
        .iter()
        .filter_map(|r| match r.check {
            Check::Object(f) => Some(f),
            _ => None,
        })
        .collect();
    let per_object: Vec<Diagnostic> = index
        .objects
        .par_iter()
        // What Kubernetes creates in every cluster is no tenant's object.
        .filter(|obj| !crate::model::k8s::is_kubernetes_own(obj))
        .flat_map_iter(|obj| {
            let mut out = Vec::new();
            for check in &object_checks {
                check(obj, &ctx, &mut out);
            }
            out
        })
        .collect();
    diagnostics.extend(per_object);
    let set: Vec<Diagnostic> = enabled
        .par_iter()
        .flat_map_iter(|r| {
            let mut out = Vec::new();
            if let Check::Set(f) = r.check {
                f(&ctx, &mut out);
            }
            out
        })
        .collect();
    diagnostics.extend(set);
    // Policies: POL001 and POL002 like other rules; a user policy's
    // findings carry its own id, selected by its id, name or `policy`.
    let wanted = |id: &str, name: &str| {
        selection.enabled_policy(id, name) && config.severity(id) != Some(None)
    };
    let pol001 = crate::rules::policy::pol001_admission_policy_violation::RULE
        .meta
        .id;
    let policy_findings = crate::policy::check(&ctx, &wanted, enabled_ids.contains(&pol001));
    diagnostics.extend(policy_findings.into_iter().filter(|d| {
        if crate::policy::is_builtin_policy_rule(&d.rule_id) {
            enabled_ids.contains(&&*d.rule_id)
        } else {
            selection.enabled_policy(&d.rule_id, &d.rule_name)
                && config.severity(&d.rule_id) != Some(None)
        }
    }));
    for d in &mut diagnostics {
        d.locate_in_span_files();
    }
    if !kustomize_roots.is_empty() {
        diagnostics = once_across_roots(diagnostics, &index, &kustomize_roots);
    }
    // Rendered Helm output: each finding names the template it came from.
    if !template_sources.is_empty() {
        for d in &mut diagnostics {
            if let Some(list) = template_sources.get(&d.file) {
                let line = d.span.start.line;
                let i = list.partition_point(|(l, _)| *l <= line);
                if i > 0 {
                    d.source = Some(list[i - 1].1.clone());
                }
            }
        }
    }
    attach_locators(&mut diagnostics, &files);

    // `per-path-ignores` of the config.
    if !config.per_path_ignores.is_empty() {
        // Per file, once: the rules its globs ignore.
        let mut ignored: std::collections::HashMap<u32, Vec<&str>> = Default::default();
        diagnostics.retain(|d| {
            let ignored = ignored
                .entry(d.file)
                .or_insert_with(|| config.ignored_for(&files[d.file as usize].path));
            is_undeselectable(d) || !ignored.iter().any(|sel| selector_matches_finding(sel, d))
        });
    }
    // Suppression comments and annotations, then their own findings.
    suppressions.extend(suppress::from_annotations(&index));
    let (mut diagnostics, mut suppressed) = suppress::apply(diagnostics, &mut suppressions);
    diagnostics.extend(suppress::lint_findings(&suppressions, &enabled_ids));
    // Severities configured per rule.
    if !config.rules.is_empty() {
        for d in diagnostics.iter_mut().chain(suppressed.iter_mut()) {
            if let Some(Some(severity)) = config.severity(&d.rule_id)
                && !is_undeselectable(d)
            {
                d.severity = severity;
            }
        }
    }

    let fingerprints = if want_fingerprints {
        let spans = baseline::ObjectSpans::new(&index);
        diagnostics
            .iter()
            .map(|d| baseline::fingerprint(d, &index, &spans, &files))
            .collect()
    } else {
        Vec::new()
    };
    if let Some(b) = &baseline {
        diagnostics = b.apply(diagnostics, &mut suppressed, &index, &files);
    }

    sort_diagnostics(&mut diagnostics, &files);
    sort_diagnostics(&mut suppressed, &files);
    let (documents, objects) = (index.documents, index.objects.len());
    let platform_namespaces = index
        .tenancy
        .assumed(index.namespaces.keys().map(String::as_str));
    // Freeing every object's tree takes tens of milliseconds on a large
    // repository; nothing waits for it.
    let index = if keep_index {
        Some(index)
    } else {
        std::thread::spawn(move || drop(index));
        None
    };
    CheckResult {
        documents,
        objects,
        files,
        diagnostics,
        suppressed,
        fingerprints,
        warnings: notes,
        config: None,
        index,
        platform_namespaces,
    }
}

/// Findings in a source without lines (an SQLite store) name the row and
/// column they sit on instead (SPEC §3).
fn attach_locators(diagnostics: &mut [Diagnostic], files: &[Arc<SourceFile>]) {
    use crate::model::sqlite_store::locator_at;
    let store = |file: u32| {
        let f = &files[file as usize];
        (f.kind == FileKind::SqliteStore).then_some(f)
    };
    for d in diagnostics {
        if let Some(f) = store(d.file) {
            d.locator = locator_at(&f.text, d.span);
        }
        for r in &mut d.related {
            if let Some(f) = store(r.file) {
                r.locator = locator_at(&f.text, r.span);
            }
        }
    }
}

/// YAML001 cannot be deselected, turned off or lowered (SPEC §2): a file
/// that cannot be read is never a silent pass, whatever `--select` says.
fn is_undeselectable(d: &Diagnostic) -> bool {
    d.rule_id == rules::yaml::yaml001_syntax_error::RULE.meta.id
}

/// The rules that run: selected, and not turned off in the config.
pub fn enabled_rules(selection: &Selection, config: &Config) -> Vec<&'static Rule> {
    rules::all()
        .filter(|r| selection.enabled(r) && config.severity(r.meta.id) != Some(None))
        .collect()
}

/// Run `f` on a pool of `threads` workers (0 = all cores).
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// Check in-memory files (name, content), as if they had been read from disk.
/// Used by unit tests, fuzzing and embedding.
pub fn check_sources(sources: &[(&str, &str)], options: &CheckOptions) -> CheckResult {
    let mut inputs: Vec<Input> = sources
        .iter()
        .map(|(name, _)| Input {
            display: name.to_string(),
            path: PathBuf::from(name),
            kind: if name.ends_with(".ini") {
                FileKind::AuthIni
            } else {
                FileKind::Yaml
            },
        })
        .collect();
    inputs.sort();
    let read = |input: &Input| {
        let (_, text) = sources
            .iter()
            .find(|(name, _)| *name == input.display)
            .expect("every input comes from a source");
        Ok(text.as_bytes().to_vec())
    };
    with_threads(options.threads, || {
        run_rules(load_set_with(&inputs, options, read), &options.selection)
    })
}

/// Run a check over already-discovered inputs.
pub fn check_inputs(inputs: &[Input], options: &CheckOptions) -> CheckResult {
    with_threads(options.threads, || {
        run_rules(load_set(inputs, options), &options.selection)
    })
}

/// Sort by file path, line, column, rule id — then the rest, so that the
/// order never depends on thread scheduling — and drop exact duplicates.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>, files: &[Arc<SourceFile>]) {
    diagnostics.sort_by(|a, b| {
        let fa = &files[a.file as usize].display;
        let fb = &files[b.file as usize].display;
        fa.cmp(fb)
            .then(a.span.start.line.cmp(&b.span.start.line))
            .then(a.span.start.col.cmp(&b.span.start.col))
            .then(a.rule_id.cmp(&b.rule_id))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.message.cmp(&b.message))
            .then(a.related.cmp(&b.related))
    });
    diagnostics.dedup();
}

/// Discover and check.
pub fn check(options: &CheckOptions) -> Result<CheckResult, crate::discover::DiscoverError> {
    let mut paths = Vec::new();
    let mut inputs = Vec::new();
    for p in &options.paths {
        if p.as_os_str() == "-" {
            let name = options
                .stdin
                .as_ref()
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| "<stdin>".to_string());
            // `--stdin-filename basic_auth.ini` reads stdin as that kind of
            // file; anything else (`helm template … | tenantlint check -`) is YAML.
            let kind = crate::discover::recognise_name(Path::new(&name)).unwrap_or(FileKind::Yaml);
            inputs.push(Input {
                display: name,
                path: PathBuf::from("-"),
                kind,
            });
        } else {
            paths.push(p.clone());
        }
    }
    let (found, warnings) = if paths.is_empty() && !inputs.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        crate::discover::discover_in(&paths, &options.context)?
    };
    // `exclude:` of the config applies to files named on the command line
    // too: a pre-commit hook names every changed file.
    inputs.extend(
        found
            .into_iter()
            .filter(|i| !options.config.is_excluded(&i.path)),
    );
    let mut warnings = warnings;
    // A Helm chart's `templates/` are not YAML until rendered.
    warnings.extend(crate::discover::skip_chart_templates(&mut inputs));
    if inputs.is_empty() {
        let given: Vec<String> = options
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        warnings.push(WalkWarning::warning(
            given.join(", "),
            "no file to lint: nothing there is a kind of file tenantlint lints, or the config's `exclude` covers it",
        ));
    }
    // `--context DIR`: load every file under DIR too (for the whole-set
    // rules), but report only findings in the files given as PATHs.
    let reported: Option<std::collections::HashSet<PathBuf>> = if options.context.is_empty() {
        None
    } else {
        let given: std::collections::HashSet<PathBuf> = inputs
            .iter()
            .map(|i| crate::config::absolute(&i.path))
            .collect();
        let (mut context, more) = crate::discover::discover_in(&options.context, &options.context)?;
        warnings.extend(more);
        // Charts of the context are skipped without a note each: only the
        // files given are the run's business.
        crate::discover::skip_chart_templates(&mut context);
        inputs.extend(context.into_iter().filter(|i| {
            !given.contains(&crate::config::absolute(&i.path))
                && !options.config.is_excluded(&i.path)
        }));
        Some(given)
    };
    // `policies:` of the config: their files are part of the set even when
    // outside the paths given (their own findings are reported like any
    // other file's).
    if !options.config.policy_files.is_empty() {
        let have: std::collections::HashSet<PathBuf> = inputs
            .iter()
            .map(|i| crate::config::absolute(&i.path))
            .collect();
        let cwd = std::env::current_dir()
            .map(|d| crate::config::absolute(&d))
            .ok();
        for path in &options.config.policy_files {
            let abs = crate::config::absolute(path);
            if have.contains(&abs) {
                continue;
            }
            let shown = cwd
                .as_ref()
                .and_then(|d| abs.strip_prefix(d).ok())
                .unwrap_or(&abs)
                .to_path_buf();
            inputs.push(Input {
                display: shown.to_string_lossy().replace('\\', "/"),
                path: shown,
                kind: FileKind::Yaml,
            });
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.display == b.display);
    let mut result = check_inputs(&inputs, options);
    if let Some(given) = reported {
        let files = &result.files;
        let keep = |d: &Diagnostic| {
            let f = &files[d.file as usize];
            f.path.as_os_str() == "-" || given.contains(&crate::config::absolute(&f.path))
        };
        result.diagnostics.retain(keep);
        result.suppressed.retain(keep);
        let fingerprints = std::mem::take(&mut result.fingerprints);
        result.fingerprints = fingerprints
            .into_iter()
            .filter(|fp| {
                result.files.iter().any(|f| {
                    f.display == fp.file && given.contains(&crate::config::absolute(&f.path))
                })
            })
            .collect();
    }
    warnings.append(&mut result.warnings);
    result.warnings = warnings;
    Ok(result)
}
