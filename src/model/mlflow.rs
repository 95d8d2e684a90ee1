//! MLflow configuration: which MLflow file a document is, file-store
//! experiments, kustomizations, `mlflow server` processes found in
//! containers (parsed as the MLflow CLI parses them), and the MLflow view
//! of any container — `mlflow` subcommands, `mlflow run` options and the
//! environment (`env`, `envFrom`) its process sees.

use std::collections::HashMap;

use super::MlflowFile;
use super::auth_ini::AuthConfig;
use super::file_store::{LoggedModel, MlModel, ModelVersion, RegisteredModel, Run};
use super::gateway::GatewayConfig;
use super::mlproject::MlProject;
use super::process::Process;
pub use super::process::{EnvSetting, EnvSource};
use super::shell::{Token, is_separator};
pub use super::shell::{expand_vars, shell_words};
use crate::load::Node;
use crate::source::{FileId, SourceFile, Span, Spanned};

/// A `kustomization.yaml`: not an object, but its `namespace:` applies to
/// every object in its directory tree.
#[derive(Debug)]
pub struct Kustomization {
    pub file: FileId,
    /// Directory of the file, as displayed (`""` for the current directory).
    pub dir: String,
    pub namespace: Option<Spanned<String>>,
}

/// An experiment of an MLflow file store (`mlruns/<id>/meta.yaml`).
#[derive(Debug)]
pub struct Experiment {
    pub file: FileId,
    pub experiment_id: Option<String>,
    pub name: Option<Spanned<String>>,
    pub artifact_location: Option<Spanned<String>>,
    pub workspace: Option<Spanned<String>>,
    pub lifecycle_stage: Option<String>,
    /// Identity of the experiment in the set: its directory in a file
    /// store, or the SQLite file and id (runs name it in their
    /// `experiment_key`).
    pub key: String,
    /// The store it belongs to (the `mlruns` directory, or the SQLite file).
    pub store: String,
}

impl Experiment {
    /// An experiment `meta.yaml` has `experiment_id` and neither `run_id`
    /// nor `model_id` (MLflow 3's logged models have both other keys).
    pub fn from_meta(file: &SourceFile, root: &Node) -> Option<Experiment> {
        if root.get("run_id").is_some()
            || root.get("run_uuid").is_some()
            || root.get("model_id").is_some()
        {
            return None;
        }
        let experiment_id = root.get("experiment_id")?.as_str()?.to_string();
        let dir = super::build::parent_dir(&file.display);
        Some(Experiment {
            file: file.id,
            experiment_id: Some(experiment_id),
            name: root.get("name").and_then(Node::spanned_str),
            artifact_location: root.get("artifact_location").and_then(Node::spanned_str),
            workspace: root.get("workspace").and_then(Node::spanned_str),
            lifecycle_stage: root.get_str("lifecycle_stage").map(str::to_string),
            key: dir.to_string(),
            store: super::build::parent_dir(dir).to_string(),
        })
    }

    /// Deleted experiments are history, not findings.
    pub fn is_active(&self) -> bool {
        self.lifecycle_stage.as_deref() != Some("deleted")
    }
}

/// The MLflow files of the set, other than experiments (which the index
/// keeps on their own).
#[derive(Debug, Default)]
pub struct MlflowSet {
    pub runs: Vec<Run>,
    pub logged_models: Vec<LoggedModel>,
    pub registered_models: Vec<RegisteredModel>,
    pub model_versions: Vec<ModelVersion>,
    pub models: Vec<MlModel>,
    pub projects: Vec<MlProject>,
    pub gateways: Vec<GatewayConfig>,
    pub auth_configs: Vec<AuthConfig>,
}

impl MlflowSet {
    /// File `f` under its kind; an experiment is handed back.
    pub fn add(&mut self, f: MlflowFile) -> Option<Experiment> {
        match f {
            MlflowFile::Experiment(e) => return Some(e),
            MlflowFile::Run(r) => self.runs.push(r),
            MlflowFile::LoggedModel(m) => self.logged_models.push(m),
            MlflowFile::RegisteredModel(m) => self.registered_models.push(m),
            MlflowFile::ModelVersion(v) => self.model_versions.push(v),
            MlflowFile::Model(m) => self.models.push(m),
            MlflowFile::Project(p) => self.projects.push(p),
            MlflowFile::Gateway(g) => self.gateways.push(g),
            MlflowFile::AuthConfig(a) => self.auth_configs.push(a),
        }
        None
    }
}

/// The MLflow file a YAML document is, by its file's name and its shape:
/// `meta.yaml` of a file store (experiment, run, registered model, model
/// version), `MLproject`, `MLmodel`, or — in any file, for documents
/// without `kind` — a Docker project or an AI gateway config.
pub fn mlflow_document(file: &SourceFile, root: &Node) -> Option<MlflowFile> {
    let name = file.file_name();
    if name == "meta.yaml" {
        let display = file.display.as_str();
        return Experiment::from_meta(file, root)
            .map(MlflowFile::Experiment)
            .or_else(|| Run::from_meta(file.id, display, root).map(MlflowFile::Run))
            .or_else(|| LoggedModel::from_meta(file.id, display, root).map(MlflowFile::LoggedModel))
            .or_else(|| {
                ModelVersion::from_meta(file.id, display, root).map(MlflowFile::ModelVersion)
            })
            .or_else(|| {
                RegisteredModel::from_meta(file.id, display, root).map(MlflowFile::RegisteredModel)
            });
    }
    if name.eq_ignore_ascii_case("MLproject") {
        return MlProject::from_yaml(file.id, root, true).map(MlflowFile::Project);
    }
    if name.eq_ignore_ascii_case("MLmodel") {
        return MlModel::from_yaml(file.id, root).map(MlflowFile::Model);
    }
    if root.get("kind").is_some() {
        return None;
    }
    MlProject::from_yaml(file.id, root, false)
        .map(MlflowFile::Project)
        .or_else(|| GatewayConfig::from_yaml(file.id, root).map(MlflowFile::Gateway))
}

/// One argument of an `mlflow server` invocation, wherever it was written.
#[derive(Clone, Debug)]
pub struct ServerArg {
    /// The value after `$(VAR)` / `$VAR` expansion from the container's env.
    pub value: String,
    /// The node that holds it: the flag's value token, or the env var's value.
    pub span: Span,
    /// Set through an `MLFLOW_*` environment variable rather than a flag.
    pub from_env: bool,
    /// The ConfigMap or Secret the value comes from (through `envFrom` or
    /// `valueFrom`), when it is not written in the server's own object.
    pub origin: Option<ArgOrigin>,
}

/// The object of the set that holds a server setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgOrigin {
    pub file: FileId,
    /// Index of the object in the set.
    pub object: usize,
}

/// An `mlflow server` found in a process.
#[derive(Debug)]
pub struct MlflowServer {
    /// Long option name (`default-artifact-root`) → value.
    pub args: HashMap<&'static str, ServerArg>,
    /// The libpq variables of the server's environment (`PGHOST`,
    /// `PGPORT`, `PGDATABASE`) → value (`None` when it comes from a source
    /// tenantlint cannot read): they complete a `postgresql://` store URI
    /// that leaves those parts out.
    pub libpq: HashMap<&'static str, Option<String>>,
    /// Where `mlflow server` is written (the `server` token).
    pub span: Span,
}

impl MlflowServer {
    pub fn arg(&self, name: &str) -> Option<&ServerArg> {
        self.args.get(name)
    }
}

/// `mlflow server` options: (long name, short name, env var, takes a value).
const SERVER_OPTIONS: &[(&str, Option<&str>, Option<&str>, bool)] = &[
    (
        "backend-store-uri",
        None,
        Some("MLFLOW_BACKEND_STORE_URI"),
        true,
    ),
    (
        "registry-store-uri",
        None,
        Some("MLFLOW_REGISTRY_STORE_URI"),
        true,
    ),
    (
        "read-replica-backend-store-uri",
        None,
        Some("MLFLOW_READ_REPLICA_BACKEND_STORE_URI"),
        true,
    ),
    (
        "workspace-store-uri",
        None,
        Some("MLFLOW_WORKSPACE_STORE_URI"),
        true,
    ),
    (
        "trace-archival-config",
        None,
        Some("MLFLOW_TRACE_ARCHIVAL_CONFIG"),
        true,
    ),
    ("secrets-cache-max-size", None, None, true),
    (
        "artifacts-presigned-only",
        None,
        Some("MLFLOW_ARTIFACTS_PRESIGNED_ONLY"),
        false,
    ),
    (
        "default-artifact-root",
        None,
        Some("MLFLOW_DEFAULT_ARTIFACT_ROOT"),
        true,
    ),
    (
        "serve-artifacts",
        None,
        Some("MLFLOW_SERVE_ARTIFACTS"),
        false,
    ),
    ("no-serve-artifacts", None, None, false),
    ("artifacts-only", None, Some("MLFLOW_ARTIFACTS_ONLY"), false),
    (
        "artifacts-destination",
        None,
        Some("MLFLOW_ARTIFACTS_DESTINATION"),
        true,
    ),
    ("host", Some("h"), Some("MLFLOW_HOST"), true),
    ("port", Some("p"), Some("MLFLOW_PORT"), true),
    ("workers", Some("w"), Some("MLFLOW_WORKERS"), true),
    ("static-prefix", None, Some("MLFLOW_STATIC_PREFIX"), true),
    ("gunicorn-opts", None, Some("MLFLOW_GUNICORN_OPTS"), true),
    ("waitress-opts", None, None, true),
    ("uvicorn-opts", None, Some("MLFLOW_UVICORN_OPTS"), true),
    (
        "expose-prometheus",
        None,
        Some("MLFLOW_EXPOSE_PROMETHEUS"),
        true,
    ),
    ("app-name", None, None, true),
    ("dev", None, None, false),
    (
        "allowed-hosts",
        None,
        Some("MLFLOW_SERVER_ALLOWED_HOSTS"),
        true,
    ),
    (
        "cors-allowed-origins",
        None,
        Some("MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"),
        true,
    ),
    (
        "disable-security-middleware",
        None,
        Some("MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE"),
        false,
    ),
    (
        "x-frame-options",
        None,
        Some("MLFLOW_SERVER_X_FRAME_OPTIONS"),
        true,
    ),
    (
        "enable-workspaces",
        None,
        Some("MLFLOW_ENABLE_WORKSPACES"),
        false,
    ),
    ("secrets-cache-ttl", None, None, true),
    // `--enable-workspaces/--disable-workspaces` is one click boolean: the
    // last of the two wins (see `NEGATIONS`).
    ("disable-workspaces", None, None, false),
];

/// The `mlflow server` option that environment variable `var` sets.
pub fn server_option_for_env(var: &str) -> Option<&'static str> {
    SERVER_OPTIONS
        .iter()
        .find(|o| o.2 == Some(var))
        .map(|o| o.0)
}

/// The environment variables that set `mlflow server` options.
pub fn server_env_vars() -> impl Iterator<Item = &'static str> {
    SERVER_OPTIONS.iter().filter_map(|o| o.2)
}

/// Click's `--flag/--no-flag` pairs: the negative form sets the positive
/// option to false, and the last one given wins.
const NEGATIONS: &[(&str, &str)] = &[("disable-workspaces", "enable-workspaces")];

/// Find `mlflow server` in a process and parse it as the MLflow CLI would.
pub fn find_server(file: &SourceFile, process: &Process) -> Option<MlflowServer> {
    let tokens = &process.words;
    let Some((server_span, first)) = server_start(process, tokens) else {
        return wrapped_server(file, process);
    };
    let mut args = parse_options(file, process, tokens, first, SERVER_OPTIONS);
    gunicorn_binds(file, &mut args);
    Some(MlflowServer {
        args,
        libpq: HashMap::new(),
        span: server_span,
    })
}

/// The variables through which `mlflow server` hands its settings to the
/// app it starts (`mlflow/server/constants.py`): a `gunicorn` or `uvicorn`
/// serving `mlflow.server…:app` directly reads them.
const APP_ENV: &[(&str, &str)] = &[
    ("_MLFLOW_SERVER_FILE_STORE", "backend-store-uri"),
    ("_MLFLOW_SERVER_REGISTRY_STORE", "registry-store-uri"),
    (
        "_MLFLOW_SERVER_READ_REPLICA_BACKEND_STORE",
        "read-replica-backend-store-uri",
    ),
    ("_MLFLOW_SERVER_ARTIFACT_ROOT", "default-artifact-root"),
    (
        "_MLFLOW_SERVER_ARTIFACT_DESTINATION",
        "artifacts-destination",
    ),
    ("_MLFLOW_SERVER_SERVE_ARTIFACTS", "serve-artifacts"),
    ("_MLFLOW_SERVER_ARTIFACTS_ONLY", "artifacts-only"),
];

/// Options of the app itself that it reads from its environment whoever
/// starts it (the security middleware's).
const APP_OPTIONS: &[&str] = &[
    "allowed-hosts",
    "cors-allowed-origins",
    "disable-security-middleware",
    "x-frame-options",
];

/// A `gunicorn` or `uvicorn` (also `python -m …`) serving MLflow's app
/// (`mlflow.server:app`, `mlflow.server.fastapi_app:app`; an auth app such
/// as `mlflow.server.auth:create_app` counts as `--app-name`): settings
/// from the `_MLFLOW_SERVER_*` variables, the listen address from the
/// wrapper's `-b`/`--bind` (gunicorn, default `127.0.0.1:8000`) or
/// `--host` (uvicorn, default `127.0.0.1`).
fn wrapped_server(file: &SourceFile, process: &Process) -> Option<MlflowServer> {
    let tokens = &process.words;
    let w = tokens.iter().position(|t| {
        let name = t.text.rsplit('/').next().unwrap_or(&t.text);
        name == "gunicorn" || name == "uvicorn"
    })?;
    let end = tokens[w..]
        .iter()
        .position(|t| is_separator(&t.text))
        .map_or(tokens.len(), |e| w + e);
    let words = &tokens[w + 1..end];
    let app = words
        .iter()
        .find(|t| t.text.starts_with("mlflow.server") && !t.text.starts_with('-'))?;
    let mut args: HashMap<&'static str, ServerArg> = HashMap::new();
    for e in &process.env {
        let Some(value) = &e.value else { continue };
        if e.source == EnvSource::ConfigMap {
            continue;
        }
        let option = APP_ENV
            .iter()
            .find(|(var, _)| *var == e.name)
            .map(|(_, o)| *o)
            .or_else(|| {
                SERVER_OPTIONS
                    .iter()
                    .find(|o| o.2 == Some(e.name.as_str()) && APP_OPTIONS.contains(&o.0))
                    .map(|o| o.0)
            });
        if let Some(option) = option {
            args.insert(
                option,
                ServerArg {
                    value: value.clone(),
                    span: e.value_span,
                    from_env: true,
                    origin: None,
                },
            );
        }
    }
    if app.text.contains("auth") {
        args.insert(
            "app-name",
            ServerArg {
                value: app.text.clone(),
                span: app.span,
                from_env: false,
                origin: None,
            },
        );
    }
    let gunicorn = tokens[w].text.ends_with("gunicorn");
    let mut i = 0;
    while i < words.len() {
        let t = &words[i];
        i += 1;
        let (flag, inline) = match t.text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (t.text.as_str(), None),
        };
        let is_bind = if gunicorn {
            flag == "-b" || flag == "--bind"
        } else {
            flag == "--host"
        };
        if !is_bind {
            continue;
        }
        let (value, span) = match inline {
            Some(v) => (v.to_string(), value_subspan(file, t, v)),
            None => match words.get(i) {
                Some(v) => {
                    i += 1;
                    (v.text.clone(), v.span)
                }
                None => continue,
            },
        };
        let host = if gunicorn {
            bind_host(&value)
        } else {
            Some(value)
        };
        let Some(host) = host else { continue };
        // gunicorn binds every `-b` given: a non-loopback one decides.
        let keep = args.get("host").is_none_or(|h| is_loopback(&h.value));
        if keep {
            args.insert(
                "host",
                ServerArg {
                    value: host,
                    span,
                    from_env: false,
                    origin: None,
                },
            );
        }
    }
    Some(MlflowServer {
        args,
        libpq: HashMap::new(),
        span: tokens[w].span,
    })
}

/// The host of a gunicorn bind (`0.0.0.0:5000`, `[::]:80`, `:5000` is all
/// interfaces); `None` for a Unix socket or a file descriptor.
fn bind_host(bind: &str) -> Option<String> {
    if bind.starts_with("unix:") || bind.starts_with("fd://") {
        return None;
    }
    if let Some(rest) = bind.strip_prefix('[') {
        return rest.split_once(']').map(|(h, _)| h.to_string());
    }
    let host = match bind.rsplit_once(':') {
        Some((h, _)) => h,
        None => bind,
    };
    Some(if host.is_empty() {
        "0.0.0.0".to_string()
    } else {
        host.to_string()
    })
}

/// Loopback addresses: a server listening there is not reachable from
/// other pods or machines.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h == "localhost" || h == "::1" || h.starts_with("127.")
}

/// `--gunicorn-opts "-b 0.0.0.0:5000"`: gunicorn binds every `-b` it is
/// given, MLflow's own `-b host:port` included (its `bind` setting
/// appends), so a bind in the options is a listen address too. (Not so
/// for `--uvicorn-opts`: MLflow puts its own `--host` after them, and
/// uvicorn keeps the last.)
fn gunicorn_binds(file: &SourceFile, args: &mut HashMap<&'static str, ServerArg>) {
    let Some(opts) = args.get("gunicorn-opts").cloned() else {
        return;
    };
    let words = super::shell::shell_words(&opts.value);
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        let value = if w == "-b" || w == "--bind" {
            i += 1;
            words.get(i - 1).cloned()
        } else if let Some(v) = w.strip_prefix("--bind=") {
            Some(v.to_string())
        } else {
            w.strip_prefix("-b")
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let Some(host) = value.as_deref().and_then(bind_host) else {
            continue;
        };
        if is_loopback(&host) || args.get("host").is_some_and(|h| !is_loopback(&h.value)) {
            continue;
        }
        let token = Token {
            text: opts.value.clone(),
            span: opts.span,
        };
        let span = value_subspan(file, &token, value.as_deref().unwrap_or(""));
        args.insert(
            "host",
            ServerArg {
                value: host,
                span,
                from_env: opts.from_env,
                origin: opts.origin,
            },
        );
    }
}

/// Options that only `mlflow server` takes: an image whose entrypoint is
/// `mlflow server` is recognised by them in `args`.
const SERVER_ONLY: &[&str] = &[
    "--backend-store-uri",
    "--registry-store-uri",
    "--default-artifact-root",
    "--artifacts-destination",
    "--serve-artifacts",
    "--app-name",
];

/// Where `mlflow server` starts in the tokens: the span to show for it and
/// the index of its first argument.
fn server_start(process: &Process, tokens: &[Token]) -> Option<(Span, usize)> {
    if let Some(sub) = invocations(tokens).find(|&j| is_server_command(&tokens[j].text)) {
        return Some((tokens[sub].span, sub + 1));
    }
    // No `command`, an MLflow image, and `args` for its entrypoint:
    // `[server, …]` (entrypoint `mlflow`) or `[--backend-store-uri=…, …]`
    // (entrypoint `mlflow server`).
    if process.explicit_command || !process.image_is_mlflow() {
        return None;
    }
    let first = tokens.first()?;
    if is_server_command(&first.text) {
        return Some((first.span, 1));
    }
    let server_flags = tokens.iter().any(|t| {
        let flag = t.text.split('=').next().unwrap_or("");
        SERVER_ONLY.contains(&flag)
    });
    (first.text.starts_with('-') && server_flags).then_some((first.span, 0))
}

/// A click option: long name, short name, environment variable, takes a value.
type CliOption = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

/// Parse the options of an MLflow subcommand from `tokens[first..]` (up to
/// a shell separator) as click does, after those set through the
/// environment: a flag on the command line wins over its variable.
fn parse_options(
    file: &SourceFile,
    process: &Process,
    tokens: &[Token],
    first: usize,
    options: &[CliOption],
) -> HashMap<&'static str, ServerArg> {
    let mut args: HashMap<&'static str, ServerArg> = HashMap::new();
    for e in &process.env {
        let Some(value) = &e.value else { continue };
        // A variable named without a value (`env: [{name: X}]`) sets nothing.
        if e.value_span == e.name_span && value.is_empty() {
            continue;
        }
        // A ConfigMap's settings are read by the client view only (yet).
        if e.source == EnvSource::ConfigMap {
            continue;
        }
        if let Some(opt) = options.iter().find(|o| o.2 == Some(e.name.as_str())) {
            args.insert(
                opt.0,
                ServerArg {
                    value: value.clone(),
                    span: e.value_span,
                    from_env: true,
                    origin: None,
                },
            );
        }
    }
    let mut i = first;
    while i < tokens.len() {
        let tok = &tokens[i];
        if is_shell_separator(&tok.text) {
            break;
        }
        i += 1;
        let Some(flag) = tok.text.strip_prefix('-') else {
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            // Click accepts a short option's value attached: `-p5000`.
            None if !flag.starts_with('-') && flag.len() > 1 && flag.is_char_boundary(1) => {
                (&flag[..1], Some(&flag[1..]))
            }
            None => (flag, None),
        };
        let opt = if let Some(long) = name.strip_prefix('-') {
            options.iter().find(|o| o.0 == long)
        } else {
            options.iter().find(|o| o.1 == Some(name))
        };
        let Some(&(long, _, _, takes_value)) = opt else {
            // An unknown option: skip its value if it has one.
            if inline.is_none()
                && tokens
                    .get(i)
                    .is_some_and(|t| !t.text.starts_with('-') && !is_shell_separator(&t.text))
            {
                i += 1;
            }
            continue;
        };
        if !takes_value {
            let (long, value) = match NEGATIONS.iter().find(|(neg, _)| *neg == long) {
                Some(&(_, positive)) => (positive, "false"),
                None => (long, "true"),
            };
            args.insert(
                long,
                ServerArg {
                    value: value.into(),
                    span: tok.span,
                    from_env: false,
                    origin: None,
                },
            );
            continue;
        }
        let (value, span) = match inline {
            Some(v) => (v.to_string(), value_subspan(file, tok, v)),
            None => match tokens.get(i) {
                Some(next) if !is_shell_separator(&next.text) => {
                    i += 1;
                    (next.text.clone(), next.span)
                }
                _ => continue,
            },
        };
        args.insert(
            long,
            ServerArg {
                value,
                span,
                from_env: false,
                origin: None,
            },
        );
    }
    args
}

/// `mlflow run` options (the ones with values, so that they are skipped
/// correctly; the experiment ones are what the rules read).
const RUN_OPTIONS: &[CliOption] = &[
    ("entry-point", Some("e"), None, true),
    ("version", Some("v"), None, true),
    ("param-list", Some("P"), None, true),
    ("docker-args", Some("A"), None, true),
    (
        "experiment-name",
        None,
        Some("MLFLOW_EXPERIMENT_NAME"),
        true,
    ),
    ("experiment-id", None, Some("MLFLOW_EXPERIMENT_ID"), true),
    ("backend", Some("b"), None, true),
    ("backend-config", Some("c"), None, true),
    ("env-manager", None, None, true),
    ("storage-dir", None, None, true),
    ("run-id", None, Some("MLFLOW_RUN_ID"), true),
    ("run-name", None, None, true),
    ("build-image", None, None, false),
];

/// `mlflow` subcommands: a word after `mlflow` that is one of these is an
/// invocation of the MLflow CLI (not, say, `pip install mlflow`).
const SUBCOMMANDS: &[&str] = &[
    "server",
    "run",
    "ui",
    "models",
    "db",
    "gc",
    "gateway",
    "deployments",
    "experiments",
    "runs",
    "artifacts",
    "doctor",
    "sagemaker",
    "recipes",
];

/// How a container uses MLflow: the subcommands it runs, the environment
/// its process sees, and the experiment options of `mlflow run`.
#[derive(Debug, Default)]
pub struct MlflowClient {
    /// `mlflow <subcommand>` invocations, at the subcommand word.
    pub subcommands: Vec<Spanned<String>>,
    /// `envFrom` first, then `env` (which overrides it), in order.
    pub env: Vec<EnvSetting>,
    /// Some variables come from sources tenantlint cannot read (an
    /// `envFrom` Secret, or a ConfigMap the set does not define).
    pub opaque_env: bool,
    /// `mlflow run` options (`experiment-name`, `experiment-id`, `run-id`, …).
    pub run_options: HashMap<&'static str, ServerArg>,
    /// Some command-line word names an experiment in a way tenantlint does
    /// not parse (a training script's own `--experiment-name`).
    pub mentions_experiment: bool,
}

impl MlflowClient {
    /// The effective setting of `name` (the last definition wins).
    pub fn var(&self, name: &str) -> Option<&EnvSetting> {
        self.env.iter().rev().find(|e| e.name == name)
    }

    pub fn runs(&self, subcommand: &str) -> bool {
        self.subcommands.iter().any(|s| s.value == subcommand)
    }

    /// Runs the MLflow CLI, or has `MLFLOW_*` variables (a training process).
    pub fn uses_mlflow(&self) -> bool {
        !self.subcommands.is_empty() || self.env.iter().any(|e| e.name.starts_with("MLFLOW_"))
    }
}

/// The MLflow view of a process: the `mlflow` subcommands it runs, its
/// environment and the experiment options of `mlflow run`.
pub fn client_view(file: &SourceFile, process: &Process) -> MlflowClient {
    let mut client = MlflowClient {
        env: process.env.clone(),
        opaque_env: process.opaque_env,
        ..MlflowClient::default()
    };
    let tokens = &process.words;
    for sub in invocations(tokens) {
        let w = &tokens[sub];
        if SUBCOMMANDS.contains(&w.text.as_str()) {
            client
                .subcommands
                .push(Spanned::new(w.text.clone(), w.span));
            if w.text == "run" {
                client.run_options = parse_options(file, process, tokens, sub + 1, RUN_OPTIONS);
            }
        }
    }
    if client.subcommands.is_empty()
        && let Some((span, _)) = server_start(process, tokens)
    {
        client.subcommands.push(Spanned::new("server".into(), span));
    }
    // An option of the script (`--experiment_name churn`) or a call in
    // inline code (`mlflow.set_experiment(…)`) names one; a path that
    // merely contains the word (`mlflow run ./experiments/churn`) does not.
    client.mentions_experiment = tokens.iter().any(|t| {
        let lower = t.text.to_ascii_lowercase();
        (lower.starts_with('-') && lower.contains("experiment")) || lower.contains("set_experiment")
    });
    client
}

/// A click boolean from the environment (`MLFLOW_SERVE_ARTIFACTS=true`).
pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

/// Options of the `mlflow` group itself, before the subcommand (MLflow's
/// `mlflow/cli/__init__.py`): (name, takes a value).
const GROUP_OPTIONS: &[(&str, bool)] = &[
    ("--env-file", true),
    ("--version", false),
    ("--help", false),
];

/// The index of the subcommand of each `mlflow` invocation in `tokens`:
/// the word after `mlflow` (or `python -m mlflow`) and the group's own
/// options (`mlflow --env-file .env server`).
pub fn invocations(tokens: &[Token]) -> impl Iterator<Item = usize> + '_ {
    tokens.iter().enumerate().filter_map(move |(i, t)| {
        if !is_mlflow_program(&t.text) {
            return None;
        }
        let mut j = i + 1;
        while let Some(w) = tokens.get(j) {
            let name = w.text.split('=').next().unwrap_or("");
            match GROUP_OPTIONS.iter().find(|(n, _)| *n == name) {
                Some((_, true)) if !w.text.contains('=') => j += 2,
                Some(_) => j += 1,
                None => break,
            }
        }
        tokens.get(j).filter(|w| !is_separator(&w.text)).map(|_| j)
    })
}

/// The files given to `mlflow --env-file` in `tokens`: the path and the
/// word it is written in.
pub fn env_files(tokens: &[Token]) -> Vec<&Token> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !is_mlflow_program(&t.text) {
            continue;
        }
        let mut j = i + 1;
        while let Some(w) = tokens.get(j) {
            if w.text == "--env-file" {
                if let Some(f) = tokens.get(j + 1) {
                    out.push(f);
                }
                j += 2;
            } else if w.text.starts_with("--env-file=") {
                out.push(w);
                j += 1;
            } else if GROUP_OPTIONS.iter().any(|(n, _)| *n == w.text) {
                j += 1;
            } else {
                break;
            }
        }
    }
    out
}

/// `mlflow server`, or its alias `mlflow ui` (the CLI maps `ui` to `server`).
fn is_server_command(t: &str) -> bool {
    t == "server" || t == "ui"
}

fn is_mlflow_program(t: &str) -> bool {
    t == "mlflow" || t.ends_with("/mlflow")
}

fn is_shell_separator(t: &str) -> bool {
    is_separator(t)
}

/// For `--flag=value` the span of `value` inside the token, when the token
/// text appears verbatim in the source.
fn value_subspan(file: &SourceFile, tok: &Token, value: &str) -> Span {
    let src = file.slice(tok.span);
    match src.rfind(value) {
        Some(off) if !value.is_empty() => {
            let start = tok.span.start.byte as usize + off;
            file.span_of_bytes(start..start + value.len())
        }
        _ => tok.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(yaml: &str) -> (SourceFile, MlflowServer) {
        let f = SourceFile::new(
            0,
            "s.yaml".into(),
            "s.yaml".into(),
            crate::source::FileKind::Yaml,
            yaml.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let model = crate::model::build::build_file(&f, parsed.docs);
        let obj = &model.objects[0];
        let c = &obj.workload().unwrap().templates[0].containers[0];
        let p = crate::model::process::from_container(&f, obj, c, |_| None, &HashMap::new());
        let s = find_server(&f, &p).expect("a server");
        (f, s)
    }

    #[test]
    fn server_flags_parse_like_click() {
        let (f, s) = server(
            "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: s\n    command: [python, -m, mlflow, server, -p5000, --host=0.0.0.0, --serve-artifacts, --backend-store-uri, sqlite:///db]\n    env:\n    - {name: MLFLOW_DEFAULT_ARTIFACT_ROOT, value: s3://b/x}\n    - {name: MLFLOW_BACKEND_STORE_URI, value: ignored-because-the-flag-wins}\n",
        );
        assert_eq!(s.arg("port").unwrap().value, "5000");
        assert_eq!(s.arg("host").unwrap().value, "0.0.0.0");
        assert_eq!(f.slice(s.arg("host").unwrap().span), "0.0.0.0");
        assert_eq!(s.arg("serve-artifacts").unwrap().value, "true");
        assert_eq!(s.arg("backend-store-uri").unwrap().value, "sqlite:///db");
        let root = s.arg("default-artifact-root").unwrap();
        assert!(root.from_env);
        assert_eq!(f.slice(root.span), "s3://b/x");
    }

    #[test]
    fn server_in_a_shell_script() {
        let (f, s) = server(
            "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: s\n    command: [/bin/sh, -c]\n    args:\n    - |\n      pip install boto3 && mlflow db upgrade $DB && \\\n        exec mlflow server --default-artifact-root \"s3://b/$(TEAM)\" --workers 2; echo done\n    env:\n    - {name: TEAM, value: alpha}\n",
        );
        let root = s.arg("default-artifact-root").unwrap();
        assert_eq!(root.value, "s3://b/alpha");
        assert_eq!(s.arg("workers").unwrap().value, "2");
        assert_eq!(f.slice(s.span), "server");
        assert_eq!(f.slice(root.span), "s3://b/$(TEAM)");
    }

    #[test]
    fn server_from_an_image_entrypoint() {
        let (f, s) = server(
            "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: s\n    image: example/mlflow:1.20\n    args: [--host=0.0.0.0, --backend-store-uri=postgresql://db/m]\n",
        );
        assert_eq!(s.arg("host").unwrap().value, "0.0.0.0");
        assert_eq!(f.slice(s.span), "--host=0.0.0.0");
        let (_, s) = server(
            "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: s\n    image: burakince/mlflow:1.0.0\n    args: [server, --port, \"5000\"]\n",
        );
        assert_eq!(s.arg("port").unwrap().value, "5000");
    }

    #[test]
    fn client_view_of_mlflow_run() {
        let text = "kind: Job\napiVersion: batch/v1\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        command: [sh, -c, \"pip install mlflow && mlflow run . -e train -P alpha=0.1 --experiment-name churn\"]\n        envFrom: [{configMapRef: {name: cm}}, {secretRef: {name: s}}]\n        env:\n        - {name: MLFLOW_TRACKING_URI, value: \"http://mlflow:5000\"}\n";
        let f = SourceFile::new(
            0,
            "j.yaml".into(),
            "j.yaml".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let model = crate::model::build::build_file(&f, parsed.docs);
        let obj = &model.objects[0];
        let c = &obj.workload().unwrap().templates[0].containers[0];
        let p = crate::model::process::from_container(&f, obj, c, |_| None, &HashMap::new());
        let client = client_view(&f, &p);
        let subcommands: Vec<&str> = client
            .subcommands
            .iter()
            .map(|s| s.value.as_str())
            .collect();
        assert_eq!(subcommands, ["run"]);
        assert_eq!(client.run_options["experiment-name"].value, "churn");
        assert!(client.opaque_env);
        assert!(client.uses_mlflow());
        assert_eq!(
            client.var("MLFLOW_TRACKING_URI").unwrap().value.as_deref(),
            Some("http://mlflow:5000")
        );
    }
}
