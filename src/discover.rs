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
    /// A note says what was skipped as intended (`-q` hides it); a warning
    /// says what could not be done.
    pub level: WalkLevel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkLevel {
    Note,
    Warning,
}

impl WalkWarning {
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> WalkWarning {
        WalkWarning {
            path: path.into(),
            message: message.into(),
            level: WalkLevel::Warning,
        }
    }

    pub fn note(path: impl Into<String>, message: impl Into<String>) -> WalkWarning {
        WalkWarning {
            path: path.into(),
            message: message.into(),
            level: WalkLevel::Note,
        }
    }
}

/// The note for a file named on the command line that no recogniser takes.
pub const NOT_RECOGNISED: &str =
    "skipped: not a kind of file tenantlint lints (`tenantlint check --help` lists them)";

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

/// How a file reached discovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Found by walking a directory.
    Walked,
    /// Named on the command line (a pre-commit hook names every changed file).
    Explicit,
}

/// One recogniser of SPEC §1. A file is linted as the `kind` of the first
/// entry whose name test takes it (and whose `confirm`, if any, agrees with
/// the file's first bytes); a file named on the command line that no name
/// test takes may still be taken by an entry's `sniff` of its first bytes.
/// Nothing else is linted.
pub struct Recogniser {
    pub kind: FileKind,
    /// What the entry takes, as the docs say it.
    pub describes: &'static str,
    /// The name test: the path and its lowercased file name.
    pub name: fn(path: &Path, lower: &str) -> bool,
    /// When the name alone is not enough: a test of the first [`HEAD_BYTES`].
    pub confirm: Option<fn(&[u8]) -> bool>,
    /// For a file named on the command line that no name test took: a test
    /// of its first [`HEAD_BYTES`] alone (a shebang, a file header).
    pub sniff: Option<fn(&[u8]) -> bool>,
    /// The name test as a regular expression over the `/`-separated path
    /// (valid in Python's `re` and Rust's `regex`), for the `files` pattern
    /// of `.pre-commit-hooks.yaml`; `None` when the name alone cannot decide
    /// (`confirm`), so the hook must not pass every such file.
    pub hook_pattern: Option<&'static str>,
}

/// How much of a file `confirm` and `sniff` see: a huge file costs no more
/// than a small one.
pub const HEAD_BYTES: u64 = 4096;

/// The recognisers, in order: the first that takes a file decides its kind.
/// Add an entry here (and its `hook_pattern`) to lint a new kind of file;
/// a test checks `.pre-commit-hooks.yaml` against this table.
pub const RECOGNISERS: &[Recogniser] = &[
    Recogniser {
        kind: FileKind::Yaml,
        describes: "YAML (`*.yaml`, `*.yml`)",
        name: |_, lower| lower.ends_with(".yaml") || lower.ends_with(".yml"),
        confirm: None,
        sniff: None,
        hook_pattern: Some(r"\.(?i:ya?ml)"),
    },
    Recogniser {
        kind: FileKind::Yaml,
        describes: "Docker Compose files (`compose.y*ml`, `docker-compose*.y*ml`, or YAML whose top level is `services:` of images)",
        name: |_, lower| crate::model::compose::is_compose_name(lower),
        confirm: None,
        sniff: None,
        hook_pattern: Some(r"(^|/)(?i:(docker-)?compose)[^/]*\.(?i:ya?ml)"),
    },
    Recogniser {
        kind: FileKind::Yaml,
        describes: "GitHub Actions workflows (`.github/workflows/*.y*ml`; the one hidden directory walked)",
        name: |path, _| {
            crate::model::workflow::is_workflow_path(&path.to_string_lossy().replace('\\', "/"))
        },
        confirm: None,
        sniff: None,
        hook_pattern: Some(r"(^|/)\.github/workflows/[^/]*\.(?i:ya?ml)"),
    },
    Recogniser {
        kind: FileKind::Dockerfile,
        describes: "Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`)",
        name: |_, lower| crate::model::dockerfile::is_dockerfile_name(lower),
        confirm: None,
        sniff: None,
        hook_pattern: Some(
            r"(^|/)((?i:dockerfile|containerfile)(\.[^/]*)?|[^/]*\.(?i:dockerfile|containerfile))",
        ),
    },
    Recogniser {
        kind: FileKind::Shell,
        describes: "shell scripts (`*.sh`, `*.bash`, or a file named here with a `sh`/`bash` shebang)",
        name: |_, lower| lower.ends_with(".sh") || lower.ends_with(".bash"),
        confirm: None,
        sniff: Some(crate::model::process::has_shell_shebang),
        hook_pattern: Some(r"\.(?i:sh|bash)"),
    },
    Recogniser {
        kind: FileKind::Yaml,
        describes: "MLflow `MLproject` and `MLmodel` (any case)",
        name: |_, lower| lower == "mlproject" || lower == "mlmodel",
        confirm: None,
        sniff: None,
        hook_pattern: Some(r"(^|/)(?i:mlproject|mlmodel)"),
    },
    Recogniser {
        kind: FileKind::AuthIni,
        describes: "MLflow auth config `basic_auth.ini`",
        name: |_, lower| lower == "basic_auth.ini",
        confirm: None,
        sniff: None,
        hook_pattern: Some(r"(^|/)(?i:basic_auth\.ini)"),
    },
    Recogniser {
        kind: FileKind::AuthIni,
        describes: "MLflow auth config: any other `*.ini` with an `[mlflow]` section",
        name: |_, lower| lower.ends_with(".ini"),
        confirm: Some(has_mlflow_section),
        sniff: None,
        hook_pattern: None,
    },
    Recogniser {
        kind: FileKind::SqliteStore,
        describes: "MLflow tracking stores in SQLite (`*.db`, `*.sqlite`, `*.sqlite3`, or any named file with the SQLite header)",
        name: |_, lower| {
            [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|e| lower.ends_with(e))
        },
        confirm: Some(crate::source::has_sqlite_header),
        sniff: Some(crate::source::has_sqlite_header),
        hook_pattern: None,
    },
];

/// What a file is, or `None` when no recogniser takes it. The first bytes
/// are read (at most [`HEAD_BYTES`], once) only when a recogniser needs them.
pub fn recognise(path: &Path, origin: Origin) -> Option<FileKind> {
    let lower = path.file_name()?.to_str()?.to_ascii_lowercase();
    let mut head: Option<Vec<u8>> = None;
    for r in RECOGNISERS {
        if (r.name)(path, &lower)
            && r.confirm
                .is_none_or(|confirm| confirm(head.get_or_insert_with(|| read_head(path))))
        {
            return Some(r.kind);
        }
    }
    if origin == Origin::Explicit {
        for r in RECOGNISERS {
            if r.sniff
                .is_some_and(|sniff| sniff(head.get_or_insert_with(|| read_head(path))))
            {
                return Some(r.kind);
            }
        }
    }
    None
}

/// Whether some recogniser's name test takes the path (before any look
/// inside the file).
fn named_like_an_input(path: &Path) -> bool {
    let Some(lower) = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
    else {
        return false;
    };
    RECOGNISERS.iter().any(|r| (r.name)(path, &lower))
}

/// What a file name alone says the file is: the recognisers without a
/// `confirm` (for a name given with `--stdin-filename`, whose content is
/// not a file to peek into).
pub fn recognise_name(path: &Path) -> Option<FileKind> {
    let lower = path.file_name()?.to_str()?.to_ascii_lowercase();
    RECOGNISERS
        .iter()
        .find(|r| r.confirm.is_none() && (r.name)(path, &lower))
        .map(|r| r.kind)
}

/// The `files` pattern of the pre-commit hooks: the name tests of the
/// recognisers that need no look inside the file, anchored at the end.
pub fn hook_files_pattern() -> String {
    let parts: Vec<&str> = RECOGNISERS.iter().filter_map(|r| r.hook_pattern).collect();
    format!("({})$", parts.join("|"))
}

/// The first [`HEAD_BYTES`] of a file; empty when it cannot be read.
fn read_head(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD_BYTES as usize);
    let _ = std::fs::File::open(path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head));
    head
}

/// MLflow reads its auth settings from the `[mlflow]` section.
fn has_mlflow_section(head: &[u8]) -> bool {
    String::from_utf8_lossy(head)
        .lines()
        .any(|l| l.trim() == "[mlflow]")
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

/// Walk `paths` (files or directories), honouring `.gitignore` and skipping
/// hidden directories. Files are taken by the [`RECOGNISERS`]; an explicit
/// file that none takes is skipped with a note. The result is sorted and
/// free of duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<(Vec<Input>, Vec<WalkWarning>), DiscoverError> {
    discover_in(paths, &[])
}

/// Where symbolic links may point (SPEC §1): a link is followed only when
/// its target lies inside the path being walked or a `--context`
/// directory; for a file named on the command line, inside the current
/// directory or a `--context` directory. Any other link is skipped with a
/// note and its target never read: a committed link to
/// `~/.aws/credentials` must not end up in a snippet in a public CI log.
struct LinkPolicy {
    context: Vec<PathBuf>,
    cwd: Option<PathBuf>,
}

impl LinkPolicy {
    fn new(context: &[PathBuf]) -> LinkPolicy {
        LinkPolicy {
            context: context
                .iter()
                .filter_map(|d| std::fs::canonicalize(d).ok())
                .collect(),
            cwd: std::env::current_dir()
                .ok()
                .and_then(|d| std::fs::canonicalize(d).ok()),
        }
    }

    /// Whether `target` (canonical) may be read for a link under `root`.
    fn allows(&self, target: &Path, root: Option<&Path>) -> bool {
        root.into_iter()
            .chain(self.cwd.as_deref().filter(|_| root.is_none()))
            .chain(self.context.iter().map(PathBuf::as_path))
            .any(|allowed| target.starts_with(allowed))
    }
}

fn outside_note(path: &Path) -> WalkWarning {
    WalkWarning::note(
        display_path(path),
        "symbolic link to a target outside the linted path; skipped, and its target was not read",
    )
}

/// [`discover`] with the `--context` directories, which symbolic links may
/// also point into.
pub fn discover_in(
    paths: &[PathBuf],
    context: &[PathBuf],
) -> Result<(Vec<Input>, Vec<WalkWarning>), DiscoverError> {
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    let links = LinkPolicy::new(context);
    for root in paths {
        let meta = std::fs::metadata(root);
        let is_link = std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink());
        if is_link
            && meta.as_ref().is_ok_and(|m| !m.is_dir())
            && let Ok(target) = std::fs::canonicalize(root)
            && !links.allows(&target, None)
        {
            warnings.push(outside_note(root));
            continue;
        }
        match meta {
            Err(_) if std::fs::symlink_metadata(root).is_err() => {
                return Err(DiscoverError::NotFound(display_path(root)));
            }
            // A dangling symlink or an unreadable path given explicitly: the
            // read fails and becomes a finding, like any other bad file.
            Err(_) => match recognise_name(root) {
                Some(kind) => inputs.push(Input {
                    display: display_path(root),
                    path: root.clone(),
                    kind,
                }),
                None => warnings.push(WalkWarning::note(display_path(root), NOT_RECOGNISED)),
            },
            // A FIFO, socket or device given by name: reading it could block
            // forever (a FIFO without a writer) or never end (`/dev/zero`).
            // Pipes go through `-` (stdin), which is read once up front.
            Ok(m) if !m.is_dir() && !m.is_file() => warnings.push(WalkWarning::warning(
                display_path(root),
                format!(
                    "not a regular file ({}); skipped. To lint a pipe, send it to stdin: `... | tenantlint check -`",
                    special_file_kind(&m)
                ),
            )),
            // A file named on the command line (a pre-commit hook names every
            // changed file): linted when a recogniser takes it, else skipped
            // with a note — a `tox.ini` or a `Makefile` is not invalid YAML.
            Ok(m) if !m.is_dir() => match recognise(root, Origin::Explicit) {
                Some(kind) => inputs.push(Input {
                    display: display_path(root),
                    path: root.clone(),
                    kind,
                }),
                None => warnings.push(WalkWarning::note(display_path(root), NOT_RECOGNISED)),
            },
            Ok(_) => {
                let canonical_root = std::fs::canonicalize(root).ok();
                let git = GitIgnored::query(root);
                let mut builder = ignore::WalkBuilder::new(root);
                builder
                    // Hidden entries are skipped below, except `.github/workflows`.
                    .hidden(false)
                    // `.ignore` files would let a pull request hide a
                    // manifest from tenantlint alone (SPEC §1).
                    .ignore(false)
                    .parents(true)
                    // In a git work tree, git itself says what it ignores
                    // (only untracked files); elsewhere `.gitignore` applies.
                    .git_ignore(git.is_none())
                    .git_exclude(git.is_none())
                    .git_global(false)
                    .require_git(false)
                    // Links are judged one by one below.
                    .follow_links(false);
                builder.filter_entry(move |e| {
                    walked_unless_hidden(e) && git.as_ref().is_none_or(|g| !g.hides(e.path()))
                });
                for entry in builder.build() {
                    match entry {
                        Ok(e) => {
                            let mut kind_of_file = e.file_type();
                            if e.path_is_symlink() {
                                let Ok(target) = std::fs::canonicalize(e.path()) else {
                                    if recognise(e.path(), Origin::Walked).is_some() {
                                        warnings.push(WalkWarning::warning(
                                            display_path(e.path()),
                                            "symbolic link that cannot be resolved (dangling, or a loop); skipped",
                                        ));
                                    }
                                    continue;
                                };
                                let target_meta = std::fs::metadata(&target).ok();
                                if target_meta.as_ref().is_some_and(|m| m.is_dir()) {
                                    // Not followed: a directory inside the
                                    // linted path is linted where it lies.
                                    if !links.allows(&target, canonical_root.as_deref()) {
                                        warnings.push(outside_note(e.path()));
                                    } else {
                                        warnings.push(WalkWarning::note(
                                            display_path(e.path()),
                                            "symbolic link to a directory; not followed",
                                        ));
                                    }
                                    continue;
                                }
                                // Judged before anything of the target is
                                // read: a recogniser that looks at a file's
                                // first bytes must not open a target outside
                                // the linted path (or a FIFO, which blocks).
                                if !links.allows(&target, canonical_root.as_deref()) {
                                    if named_like_an_input(e.path()) {
                                        warnings.push(outside_note(e.path()));
                                    }
                                    continue;
                                }
                                if !target_meta.as_ref().is_some_and(|m| m.is_file())
                                    || recognise(e.path(), Origin::Walked).is_none()
                                {
                                    continue;
                                }
                                kind_of_file = target_meta.map(|m| m.file_type());
                            }
                            if !kind_of_file.is_some_and(|t| t.is_file()) {
                                continue;
                            }
                            if let Some(kind) = recognise(e.path(), Origin::Walked) {
                                inputs.push(Input {
                                    display: display_path(e.path()),
                                    path: e.path().to_path_buf(),
                                    kind,
                                });
                            }
                        }
                        Err(err) => {
                            warnings.push(WalkWarning::warning(display_path(root), err.to_string()))
                        }
                    }
                }
            }
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.display == b.display);
    Ok((inputs, warnings))
}

/// Hidden files and directories are skipped (SPEC §1), except GitHub
/// Actions workflows: `.github` is entered for its `workflows` directory
/// alone, and that for the files in it.
fn walked_unless_hidden(e: &ignore::DirEntry) -> bool {
    if e.depth() == 0 {
        return true;
    }
    let name = e.file_name().to_string_lossy();
    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
    let parent = e
        .path()
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if parent == ".github" && e.depth() >= 1 {
        return is_dir && name == "workflows";
    }
    if name.starts_with('.') {
        return is_dir && name == ".github";
    }
    true
}

/// The chart directory of a file inside a Helm chart's `templates/` (at any
/// depth below it), or `None`. `charts` caches whether a directory holds a
/// `Chart.yaml`.
fn chart_of(path: &Path, charts: &mut std::collections::HashMap<PathBuf, bool>) -> Option<PathBuf> {
    for dir in path.ancestors().skip(1) {
        if dir.file_name().is_some_and(|n| n == "templates") {
            let chart = dir.parent().unwrap_or(Path::new(""));
            let is_chart = *charts
                .entry(chart.to_path_buf())
                .or_insert_with(|| chart.join("Chart.yaml").is_file());
            if is_chart {
                return Some(chart.to_path_buf());
            }
        }
    }
    None
}

/// Remove the unrendered templates of Helm charts (files under `templates/`
/// next to a `Chart.yaml`) from `inputs`: they are Go templates, not YAML,
/// and are linted through `helm template` (SPEC §1). One note per chart.
pub fn skip_chart_templates(inputs: &mut Vec<Input>) -> Vec<WalkWarning> {
    let mut charts = std::collections::HashMap::new();
    let mut skipped = std::collections::BTreeSet::new();
    inputs.retain(|input| {
        if input.path.as_os_str() == "-" {
            return true;
        }
        match chart_of(&input.path, &mut charts) {
            Some(chart) => {
                skipped.insert(chart);
                false
            }
            None => true,
        }
    });
    skipped
        .into_iter()
        .map(|chart| {
            let shown = match display_path(&chart) {
                s if s.is_empty() => ".".to_string(),
                s => s,
            };
            let message = format!(
                "unrendered Helm chart templates skipped; lint the rendered chart: `helm template {shown} | tenantlint check -`"
            );
            WalkWarning::note(shown, message)
        })
        .collect()
}

/// The files and directories git ignores under a directory of a work tree:
/// untracked and matched by `.gitignore`, `.git/info/exclude` or the
/// global excludes. A tracked file is never among them, whatever
/// `.gitignore` says, as for git (SPEC §1).
struct GitIgnored {
    /// Absolute paths; directories without their trailing `/`.
    paths: std::collections::HashSet<PathBuf>,
    root: PathBuf,
}

impl GitIgnored {
    /// Ask git once; `None` outside a work tree or without git.
    fn query(root: &Path) -> Option<GitIgnored> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args([
                "ls-files",
                "-z",
                "--others",
                "--ignored",
                "--exclude-standard",
                "--directory",
                "--no-empty-directory",
            ])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output();
        let out = match out {
            Ok(out) if out.status.success() => out,
            // In a work tree that git cannot read for us (no git, or a
            // checkout owned by another user), no `.gitignore` applies:
            // linting an ignored file is better than missing a tracked one.
            _ => {
                let abs = crate::config::absolute(root);
                return abs
                    .ancestors()
                    .any(|d| d.join(".git").exists())
                    .then(|| GitIgnored {
                        paths: Default::default(),
                        root: root.to_path_buf(),
                    });
            }
        };
        let paths = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let s = String::from_utf8_lossy(p);
                root.join(s.trim_end_matches('/'))
            })
            .collect();
        Some(GitIgnored {
            paths,
            root: root.to_path_buf(),
        })
    }

    fn hides(&self, path: &Path) -> bool {
        path != self.root && self.paths.contains(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walked(name: &str) -> Option<FileKind> {
        recognise(Path::new(name), Origin::Walked)
    }

    #[test]
    fn names_that_are_linted() {
        assert_eq!(walked("a/b.yaml"), Some(FileKind::Yaml));
        assert_eq!(walked("a/B.YML"), Some(FileKind::Yaml));
        assert_eq!(walked("x/MLproject"), Some(FileKind::Yaml));
        assert_eq!(walked("x/mlmodel"), Some(FileKind::Yaml));
        assert_eq!(walked("x/basic_auth.ini"), Some(FileKind::AuthIni));
        assert_eq!(walked("x/README.md"), None);
        assert_eq!(walked("Makefile"), None);
        assert_eq!(
            recognise_name(Path::new("cfg/basic_auth.ini")),
            Some(FileKind::AuthIni)
        );
        assert_eq!(recognise_name(Path::new("cfg/auth.ini")), None);
    }

    #[test]
    fn an_ini_file_is_linted_only_when_it_configures_mlflow_auth() {
        let dir = tempfile::tempdir().unwrap();
        let tox = dir.path().join("tox.ini");
        std::fs::write(&tox, "[tox]\nenvlist = py311\n[mlflow_extra]\n").unwrap();
        let auth = dir.path().join("auth.ini");
        std::fs::write(&auth, "; MLflow\n[mlflow]\ndefault_permission = READ\n").unwrap();
        for origin in [Origin::Walked, Origin::Explicit] {
            assert_eq!(recognise(&tox, origin), None);
            assert_eq!(recognise(&auth, origin), Some(FileKind::AuthIni));
        }
    }

    #[test]
    fn explicit_files_that_no_recogniser_takes_are_skipped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (name, text) in [
            ("tox.ini", "[tox]\nenvlist = py311\n"),
            ("setup.cfg", "[metadata]\nname = x\n"),
            ("Makefile", "all:\n\techo hi\n"),
            ("pod.yaml", "kind: Pod\n"),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            paths.push(p);
        }
        let (inputs, notes) = discover(&paths).unwrap();
        let names: Vec<_> = inputs.iter().map(|i| i.path.file_name().unwrap()).collect();
        assert_eq!(names, ["pod.yaml"]);
        assert_eq!(notes.len(), 3);
        for n in &notes {
            assert_eq!(n.level, WalkLevel::Note);
            assert_eq!(n.message, NOT_RECOGNISED);
        }
    }

    #[test]
    fn helm_templates_are_skipped_with_one_note_per_chart() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "app/Chart.yaml",
            "app/values.yaml",
            "app/templates/svc.yaml",
            "app/templates/tests/conn.yaml",
            "app/crds/crd.yaml",
            "app/charts/db/Chart.yaml",
            "app/charts/db/templates/sts.yaml",
            "openshift/templates/plain.yaml",
        ] {
            let p = d.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "a: {{ .Values.a }}\n").unwrap();
        }
        let (mut inputs, _) = discover(&[d.to_path_buf()]).unwrap();
        let notes = skip_chart_templates(&mut inputs);
        let kept: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            kept,
            [
                "app/Chart.yaml",
                "app/charts/db/Chart.yaml",
                "app/crds/crd.yaml",
                "app/values.yaml",
                "openshift/templates/plain.yaml"
            ]
        );
        let charts: Vec<&str> = notes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(charts.len(), 2, "{notes:?}");
        assert!(charts[0].ends_with("/app") && charts[1].ends_with("/app/charts/db"));
        assert!(notes.iter().all(|n| n.level == WalkLevel::Note));
    }
}
