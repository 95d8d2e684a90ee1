//! A process that may run MLflow, wherever it is started: a container of a
//! Kubernetes workload, a Docker Compose service, a Dockerfile's image, a
//! command of a shell script or of a GitHub Actions `run:` step. Each
//! producer gives the same view — a command line (words with spans), an
//! environment (name → value with spans, literal or reference), mounts
//! where known, and what decides its tenant — and the MLflow server and
//! client views (`super::mlflow`) are read from it alone.

use std::collections::HashMap;

use super::k8s::{Container, Object, follow};
use super::shell::{Token, assignment, expand_vars, expand_with, is_separator, place};
use crate::load::Node;
use crate::source::{FileId, SourceFile, Span, Spanned};

/// Where a process is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Producer {
    Container,
    Compose,
    Dockerfile,
    Script,
    Workflow,
}

impl Producer {
    /// Where its settings are written, for messages (`in the manifest`).
    pub fn written_in(self) -> &'static str {
        match self {
            Producer::Container => "the manifest",
            Producer::Compose => "the Compose file",
            Producer::Dockerfile => "the Dockerfile",
            Producer::Script => "the script",
            Producer::Workflow => "the workflow",
        }
    }

    /// How to keep a secret out of the file, for help texts.
    pub fn secret_help(self) -> &'static str {
        match self {
            Producer::Container => {
                "move the value into a Secret and set the variable from `valueFrom.secretKeyRef`"
            }
            Producer::Compose => {
                "use a Compose secret, or `${VAR}` interpolated from an untracked `.env` file"
            }
            Producer::Dockerfile => {
                "pass the value at run time (`docker run -e`, a secret mount) instead of baking it into the image"
            }
            Producer::Script => {
                "read the value from the environment the script runs in (or a secret manager) instead of writing it in the script"
            }
            Producer::Workflow => "use a repository secret: `${{ secrets.NAME }}`",
        }
    }
}

/// Where a process's environment variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvSource {
    /// A literal value written where the process is defined.
    Literal,
    /// `valueFrom` (a Secret or ConfigMap key, a field, a resource).
    Reference,
    /// A key of a ConfigMap of the set, through `envFrom`.
    ConfigMap,
    /// A line of an env file (Compose `env_file`).
    EnvFile,
}

/// One environment variable a process sees.
#[derive(Clone, Debug)]
pub struct EnvSetting {
    pub name: String,
    /// The literal value (from `value:` or the ConfigMap's data).
    pub value: Option<String>,
    pub source: EnvSource,
    pub file: FileId,
    /// The variable's `name:` value, or the ConfigMap's key.
    pub name_span: Span,
    /// The value node; the name when there is no value node.
    pub value_span: Span,
}

/// What backs a path inside a process's file system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountSource {
    /// A directory of the host (Compose bind mount), normalised.
    Host(String),
    /// A named volume of the Compose project.
    Volume(String),
    /// Memory (`tmpfs`), lost when the container stops.
    Tmpfs,
}

/// A mount of a non-Kubernetes process (Compose `volumes`, `tmpfs`).
#[derive(Clone, Debug)]
pub struct Mount {
    pub target: String,
    pub source: MountSource,
    pub span: Span,
}

/// A process that may run MLflow.
#[derive(Clone, Debug)]
pub struct Process {
    pub file: FileId,
    pub producer: Producer,
    /// What it is, for messages: `Deployment team-a/mlflow`, `Compose
    /// service mlflow`, `the image of Dockerfile`, `script start.sh`.
    pub what: String,
    /// The command line, variables expanded, separators included.
    pub words: Vec<Token>,
    /// The command is given explicitly (a container's `command`, a
    /// Compose `entrypoint`), not left to the image.
    pub explicit_command: bool,
    pub image: Option<String>,
    /// The environment, in order: a later definition wins.
    pub env: Vec<EnvSetting>,
    /// Build arguments (Dockerfile `ARG` defaults): not the process's
    /// environment, but written in the file all the same.
    pub build_args: Vec<EnvSetting>,
    /// Some variables come from sources tenantlint cannot read.
    pub opaque_env: bool,
    pub mounts: Vec<Mount>,
    pub working_dir: Option<String>,
    /// The nodes the command line is written in (for URIs with passwords).
    pub command_spans: Vec<Span>,
    /// Where a finding about something absent sits.
    pub entry_span: Span,
    /// Runs to completion (a job, a script, a CI step), as opposed to a service.
    pub batch: bool,
    /// The tenant scope the source gives (Compose project, the file): the
    /// tenant unless the config's `paths:` says otherwise. `None` for a
    /// container, whose tenant is its namespace's.
    pub scope: Option<String>,
    /// The tenant, once the config has been applied (see `Index`).
    pub tenant: Option<String>,
    /// The tenant comes from the config's `paths:`, not from the scope.
    pub tenant_from_config: bool,
    /// Whether what it listens on is reachable from outside its own
    /// project, when the source says: a Compose service publishes a port
    /// on a non-loopback address (or uses the host's network); `None`
    /// when unknown (a pod is reachable from every pod of the cluster).
    pub published: Option<bool>,
}

impl Process {
    /// A process with nothing set yet.
    pub fn new(file: FileId, producer: Producer, what: String, entry_span: Span) -> Process {
        Process {
            file,
            producer,
            what,
            words: Vec::new(),
            explicit_command: true,
            image: None,
            env: Vec::new(),
            build_args: Vec::new(),
            opaque_env: false,
            mounts: Vec::new(),
            working_dir: None,
            command_spans: Vec::new(),
            entry_span,
            batch: false,
            scope: None,
            tenant: None,
            tenant_from_config: false,
            published: None,
        }
    }

    /// Literal values of the environment, by name (for `$VAR` expansion;
    /// the last definition wins).
    pub fn literal_env(&self) -> HashMap<&str, &str> {
        self.env
            .iter()
            .filter(|e| e.source != EnvSource::Reference)
            .filter_map(|e| Some((e.name.as_str(), e.value.as_deref()?)))
            .collect()
    }

    pub fn image_is_mlflow(&self) -> bool {
        self.image
            .as_deref()
            .is_some_and(|i| i.to_ascii_lowercase().contains("mlflow"))
    }
}

/// Largest env file read (an env file is a few lines).
const MAX_ENV_FILE: u64 = 1 << 20;

/// The text of file `rel` relative to `dir`, when it lies inside `dir`
/// (links resolved), is a regular file and is small; else `None` (its
/// variables are then unknown).
pub fn read_inside(dir: &std::path::Path, rel: &str) -> Option<String> {
    use std::io::Read;
    if rel.contains('$') {
        return None;
    }
    let base = std::fs::canonicalize(dir).ok()?;
    let target = std::fs::canonicalize(dir.join(rel)).ok()?;
    if !target.starts_with(&base) {
        return None;
    }
    let meta = std::fs::metadata(&target).ok()?;
    if !meta.is_file() || meta.len() > MAX_ENV_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&target)
        .ok()?
        .take(MAX_ENV_FILE)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `NAME=value` lines of a dotenv file (`export ` prefixes, quotes and
/// `#` comment lines as python-dotenv reads them).
pub fn dotenv_lines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        out.push((name.trim().to_string(), value.to_string()));
    }
    out
}

/// `mlflow --env-file F …` (SPEC §4.8): the file's variables join the
/// process's environment when it lies inside `dir` (the Compose project,
/// the script's directory, the repository of a workflow); the
/// environment the process already has wins, as python-dotenv loads
/// without overriding. A file that cannot be read leaves them unknown.
pub fn read_mlflow_env_files(file: &SourceFile, p: &mut Process, dir: &std::path::Path) {
    let files: Vec<Token> = super::mlflow::env_files(&p.words)
        .into_iter()
        .cloned()
        .collect();
    for f in files {
        let rel = f.text.strip_prefix("--env-file=").unwrap_or(&f.text);
        let Some(text) = read_inside(dir, rel) else {
            p.opaque_env = true;
            continue;
        };
        let loaded: Vec<EnvSetting> = dotenv_lines(&text)
            .into_iter()
            .filter(|(name, _)| !p.env.iter().any(|e| e.name == *name))
            .map(|(name, value)| EnvSetting {
                name,
                value: Some(value),
                source: EnvSource::EnvFile,
                file: file.id,
                name_span: f.span,
                value_span: f.span,
            })
            .collect();
        p.env.splice(0..0, loaded);
    }
}

/// A cheap first test: whether a container can use MLflow at all (an
/// `MLFLOW_*` variable, `mlflow` on its command line or in its image, or
/// variables from `envFrom` that may be `MLFLOW_*`).
pub fn container_may_use_mlflow(container: &Container) -> bool {
    container.env.iter().any(|e| e.name.starts_with("MLFLOW_"))
        || container
            .command
            .iter()
            .chain(&container.args)
            .any(|a| a.contains("mlflow"))
        || container.env_from
        || container
            .image
            .as_ref()
            .is_some_and(|i| i.to_ascii_lowercase().contains("mlflow"))
}

/// The process of a Kubernetes container. `config_map(name)` finds a
/// ConfigMap of the pod's namespace in the set (variables of `envFrom`
/// sources it cannot find are opaque).
/// `referenced` holds the values the command line's `$(VAR)`s take from
/// ConfigMaps and Secrets (see `server_env`), for expansion.
pub fn from_container<'n>(
    file: &SourceFile,
    obj: &Object,
    container: &Container,
    config_map: impl Fn(&str) -> Option<&'n Object>,
    referenced: &HashMap<String, String>,
) -> Process {
    let mut p = Process::new(
        obj.file,
        Producer::Container,
        obj.describe(),
        container.entry_span,
    );
    p.image = container.image.clone();
    p.working_dir = container.working_dir.clone();
    p.explicit_command = !container.command.is_empty();
    p.batch = obj.workload().is_some_and(|w| w.runs_to_completion);
    // The tree only for `envFrom` (read again from the file in a big set).
    let root = container.env_from.then(|| obj.root());
    let node = root.as_deref().and_then(|r| follow(r, &container.path));
    for from in node
        .and_then(|c| c.get("envFrom"))
        .map_or(&[][..], Node::items)
    {
        let prefix = from.get_str("prefix").unwrap_or("");
        let data = from
            .get("configMapRef")
            .and_then(|r| r.get_str("name"))
            .and_then(&config_map);
        let Some(cm) = data else {
            p.opaque_env = true;
            continue;
        };
        let cm_file = cm.file;
        let cm_root = cm.root();
        for e in cm_root.get("data").map_or(&[][..], Node::entries) {
            let Some(key) = e.key.as_str() else { continue };
            p.env.push(EnvSetting {
                name: format!("{prefix}{key}"),
                value: e.value.as_str().map(str::to_string),
                source: EnvSource::ConfigMap,
                file: cm_file,
                name_span: e.key.span,
                value_span: e.value.span,
            });
        }
    }
    for e in &container.env {
        let (value, source, value_span) = match &e.value {
            Some(v) => (Some(v.value.clone()), EnvSource::Literal, v.span),
            None if e.value_from => (None, EnvSource::Reference, e.name.span),
            None => (Some(String::new()), EnvSource::Literal, e.name.span),
        };
        p.env.push(EnvSetting {
            name: e.name.value.clone(),
            value,
            source,
            file: obj.file,
            name_span: e.name.span,
            value_span,
        });
    }
    // `$(VAR)` in a command refers to the container's own `env` only.
    let mut env: HashMap<&str, &str> = container
        .env
        .iter()
        .filter_map(|e| Some((e.name.as_str(), e.value.as_ref()?.value.as_str())))
        .collect();
    env.extend(referenced.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    for item in container.command.iter().chain(&container.args) {
        p.command_spans.push(item.span);
        p.words.extend(words_of_item(file, item, &env));
    }
    with_script_env(file, p)
}

/// A container's or service's command line that is a script (`sh -c
/// "export MLFLOW_HOST=0.0.0.0 && exec mlflow server"`): the command that
/// runs MLflow, with the variables the script sets before it (`export`,
/// `VAR=value` prefixes) joining the process's environment. Other command
/// lines are left as they are.
pub fn with_script_env(file: &SourceFile, mut p: Process) -> Process {
    let start = match p.words.as_slice() {
        [sh, c, ..] if is_shell(&sh.text) && c.text.starts_with('-') && c.text.ends_with('c') => 2,
        _ => 0,
    };
    let rest = &p.words[start..];
    let sets_variables = rest.iter().enumerate().any(|(i, w)| {
        let at_command_start = i == 0 || is_separator(&rest[i - 1].text);
        w.text == "export" || (at_command_start && assignment(file, w).is_some())
    });
    if !sets_variables {
        return p;
    }
    let mut env = ScriptEnv::default();
    for s in &p.env {
        env.set(s.clone());
    }
    let mut found = Vec::new();
    script_processes(file, rest, &mut env, &p, &mut found);
    if let Some(first) = found.into_iter().next() {
        p.words = first.words;
        p.env = first.env;
    }
    p
}

/// One item of a command list: a word, or a script when it holds
/// whitespace (`sh -c "…"`, or one string holding the whole command line).
pub fn words_of_item(
    file: &SourceFile,
    item: &Spanned<String>,
    env: &HashMap<&str, &str>,
) -> Vec<Token> {
    if item.value.contains(char::is_whitespace) {
        super::shell::shell_tokens(file, item.span, &item.value, env)
    } else {
        vec![Token {
            text: expand_vars(&item.value, env),
            span: item.span,
        }]
    }
}

/// Programs that run the command after them (`exec mlflow server`).
const WRAPPERS: &[&str] = &["exec", "nohup", "env", "time", "command", "sudo"];

fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_shell(word: &str) -> bool {
    matches!(
        program_name(word),
        "sh" | "bash" | "dash" | "zsh" | "ash" | "ksh"
    )
}

/// Whether a command (words after its assignments and wrappers) runs
/// MLflow: the `mlflow` CLI (also `python -m mlflow`), a `gunicorn` or
/// `uvicorn` serving MLflow's app, or a Python program with a tracking URI.
fn runs_mlflow(words: &[Token], has_tracking_uri: bool) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let program = program_name(&first.text);
    if program == "mlflow" {
        return true;
    }
    let python = program.starts_with("python");
    if python
        && words.get(1).is_some_and(|w| w.text == "-m")
        && words.get(2).is_some_and(|w| w.text == "mlflow")
    {
        return true;
    }
    if matches!(program, "gunicorn" | "uvicorn")
        || (python
            && words
                .iter()
                .any(|w| w.text == "gunicorn" || w.text == "uvicorn"))
    {
        return words.iter().any(|w| w.text.starts_with("mlflow.server"));
    }
    python && has_tracking_uri
}

/// The state of a script as its commands are read: variables set so far.
/// A command's own `VAR=value` prefixes and a nested `sh -c` script set
/// variables for a while only: [`ScriptEnv::mark`] and
/// [`ScriptEnv::rollback`] undo them without copying the environment (a
/// script of many commands must not cost its length squared).
#[derive(Clone, Default)]
pub struct ScriptEnv {
    pub settings: Vec<EnvSetting>,
    values: HashMap<String, String>,
    /// Earlier values of the names set, for [`ScriptEnv::rollback`].
    undo: Vec<(String, Option<String>)>,
}

impl ScriptEnv {
    pub fn set(&mut self, s: EnvSetting) {
        let previous = match (&s.value, s.source) {
            (Some(v), EnvSource::Literal | EnvSource::ConfigMap | EnvSource::EnvFile) => {
                self.values.insert(s.name.clone(), v.clone())
            }
            _ => self.values.remove(&s.name),
        };
        self.undo.push((s.name.clone(), previous));
        self.settings.push(s);
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn mark(&self) -> (usize, usize) {
        (self.settings.len(), self.undo.len())
    }

    pub fn rollback(&mut self, (settings, undo): (usize, usize)) {
        self.settings.truncate(settings);
        while self.undo.len() > undo {
            let Some((name, previous)) = self.undo.pop() else {
                break;
            };
            match previous {
                Some(v) => self.values.insert(name, v),
                None => self.values.remove(&name),
            };
        }
    }
}

/// How deep `sh -c "…"` scripts inside scripts are followed.
const MAX_NESTING: usize = 4;

/// How many MLflow commands of one file become processes: each carries
/// the environment set before it, so a file of many must stay bounded.
pub const MAX_PROCESSES_PER_FILE: usize = 64;

/// The processes a script starts: one for each command that runs MLflow,
/// with the variables the script exported or assigned before it and its
/// own `VAR=value` prefixes. `template` gives the producer, the
/// description, the batch flag and the scope of each.
pub fn script_processes(
    file: &SourceFile,
    tokens: &[Token],
    env: &mut ScriptEnv,
    template: &Process,
    out: &mut Vec<Process>,
) {
    script_processes_at(file, tokens, env, template, out, 0);
}

fn literal_setting(file: &SourceFile, tok: &Token, env: &ScriptEnv) -> Option<EnvSetting> {
    let (name, name_span, value, value_span) = assignment(file, tok)?;
    Some(EnvSetting {
        name,
        value: Some(expand_with(&value, |n| env.get(n))),
        source: EnvSource::Literal,
        file: file.id,
        name_span,
        value_span,
    })
}

fn script_processes_at(
    file: &SourceFile,
    tokens: &[Token],
    env: &mut ScriptEnv,
    template: &Process,
    out: &mut Vec<Process>,
    depth: usize,
) {
    for command in tokens.split(|t| is_separator(&t.text)) {
        if out.len() >= MAX_PROCESSES_PER_FILE {
            return;
        }
        let scope = env.mark();
        let mut i = 0;
        let mut prefix: Vec<EnvSetting> = Vec::new();
        // Assignments and wrappers before the program.
        while i < command.len() {
            let t = &command[i];
            let wrapper_option = t.text.starts_with('-')
                && i > 0
                && WRAPPERS.contains(&command[i - 1].text.as_str());
            if let Some(s) = literal_setting(file, t, env) {
                prefix.push(s);
            } else if !(WRAPPERS.contains(&t.text.as_str()) || wrapper_option) {
                // `env -i`, `sudo -E`: options of a wrapper are skipped too.
                break;
            }
            i += 1;
        }
        let words = &command[i..];
        let Some(first) = words.first() else {
            // `VAR=value` alone sets a shell variable: it stays.
            for s in prefix {
                env.set(s);
            }
            continue;
        };
        if matches!(
            first.text.as_str(),
            "export" | "declare" | "readonly" | "local"
        ) {
            for w in &words[1..] {
                if let Some(s) = literal_setting(file, w, env) {
                    env.set(s);
                }
            }
            continue;
        }
        if is_shell(&first.text) && depth < MAX_NESTING {
            // `sh -c "script"`, `bash -lc '…'`: what it sets is its own.
            let c = words[1..].iter().position(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with('c')
            });
            if let Some(c) = c
                && let Some(script) = words.get(c + 2)
            {
                let inner = place(file, script.span, &script.text);
                for s in prefix {
                    env.set(s);
                }
                script_processes_at(file, &inner, env, template, out, depth + 1);
                env.rollback(scope);
                continue;
            }
        }
        let tracking = prefix.iter().any(|s| s.name == "MLFLOW_TRACKING_URI");
        if runs_mlflow(
            words,
            tracking || env.values.contains_key("MLFLOW_TRACKING_URI"),
        ) {
            // The words are expanded by the shell before the command's own
            // `VAR=value` prefixes, which only its environment sees.
            let expanded = words
                .iter()
                .map(|w| Token {
                    text: expand_with(&w.text, |n| env.get(n)),
                    span: w.span,
                })
                .collect();
            for s in prefix {
                env.set(s);
            }
            let mut p = template.clone();
            p.words = expanded;
            p.entry_span = first.span;
            if let (Some(a), Some(b)) = (words.first(), words.last()) {
                p.command_spans.push(Span::new(a.span.start, b.span.end));
            }
            p.env = env.settings.clone();
            out.push(p);
        }
        // A command's own prefixes end with it.
        env.rollback(scope);
    }
}

/// A whole shell script file.
pub fn script_file(file: &SourceFile) -> Vec<Process> {
    let all = Span::new(file.pos_of_byte(0), file.pos_of_byte(file.text.len()));
    let tokens = place(file, all, &file.text);
    let mut template = Process::new(
        file.id,
        Producer::Script,
        format!("script {}", file.display),
        all,
    );
    template.batch = true;
    template.scope = Some(file.display.clone());
    let mut out = Vec::new();
    script_processes(
        file,
        &tokens,
        &mut ScriptEnv::default(),
        &template,
        &mut out,
    );
    let dir = file_dir(file);
    for p in &mut out {
        read_mlflow_env_files(file, p, &dir);
    }
    out
}

/// The directory of a source file on disk (`.` for a bare name).
pub fn file_dir(file: &SourceFile) -> std::path::PathBuf {
    match file.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// Whether the first bytes of a file are a `sh`/`bash` shebang.
pub fn has_shell_shebang(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let Some(rest) = line.strip_prefix(b"#!") else {
        return false;
    };
    let line = String::from_utf8_lossy(rest);
    let mut words = line.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let program = if program_name(program) == "env" {
        words.find(|w| !w.starts_with('-')).unwrap_or("")
    } else {
        program
    };
    matches!(program_name(program), "sh" | "bash" | "dash" | "ash")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn script(text: &str) -> (SourceFile, Vec<Process>) {
        let f = SourceFile::new(
            0,
            "s.sh".into(),
            "s.sh".into(),
            FileKind::Shell,
            text.into(),
        );
        let ps = script_file(&f);
        (f, ps)
    }

    #[test]
    fn exports_prefixes_and_nested_shells() {
        let (f, ps) = script(
            "#!/bin/sh\nexport ROOT=s3://b/team\nMLFLOW_HOST=0.0.0.0 exec mlflow server --host \"$HOST\" --default-artifact-root $ROOT/x &&\n  sh -c 'MLFLOW_TRACKING_URI=http://x python3 train.py'\necho $HOST\n",
        );
        assert_eq!(ps.len(), 2, "{ps:?}");
        let texts: Vec<&str> = ps[0].words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "mlflow",
                "server",
                "--host",
                "$HOST",
                "--default-artifact-root",
                "s3://b/team/x"
            ]
        );
        assert_eq!(f.slice(ps[0].words[3].span), "$HOST");
        assert!(ps[1].env.iter().any(|e| e.name == "MLFLOW_TRACKING_URI"));
        assert!(ps[0].env.iter().any(|e| e.name == "MLFLOW_HOST"));
        // The prefix `MLFLOW_HOST=` was the server's own.
        assert!(!ps[1].env.iter().any(|e| e.name == "MLFLOW_HOST"));
    }

    #[test]
    fn many_commands_stay_bounded() {
        let mut text = String::from("#!/bin/sh\n");
        for i in 0..20_000 {
            text.push_str(&format!("export V{i}=x\nmlflow server --port {i}\n"));
        }
        let (_, ps) = script(&text);
        assert_eq!(ps.len(), MAX_PROCESSES_PER_FILE);
    }

    #[test]
    fn shebangs() {
        assert!(has_shell_shebang(b"#!/bin/sh\nx"));
        assert!(has_shell_shebang(b"#!/usr/bin/env bash\n"));
        assert!(!has_shell_shebang(b"#!/usr/bin/env python3\n"));
        assert!(!has_shell_shebang(b"echo hi\n"));
    }
}
