//! The command line (SPEC §2).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, Config};
use crate::diagnostic::Severity;
use crate::discover::WalkLevel;
use crate::engine::{self, CheckOptions, Selection};
use crate::index::IndexOptions;
use crate::posture;
use crate::report::snippet::Snippet;
use crate::report::{self, Format, ReportOptions, safe};
use crate::rules;

#[derive(Parser, Debug)]
#[command(
    name = "tenantlint",
    version,
    about = "Lint Kubernetes manifests and MLflow configuration for tenant isolation"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (the main command)
    Check(Box<CheckArgs>),
    /// The tenancy posture: every tenant against every isolation control
    Tenants(Box<TenantsArgs>),
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation (id or name)
    Explain { rule: String },
    /// Write a commented starter `.tenantlint.yaml` in the current directory
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Record every current finding in FILE and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print one line per rule (count, id, name) instead of the findings
    #[arg(long)]
    pub statistics: bool,
}

#[derive(clap::Args, Debug)]
pub struct TenantsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = posture::Format::Human)]
    pub format: posture::Format,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// What `check` and `tenants` share: the inputs, the config, the tenancy,
/// the selection and the exit code.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Files or directories to lint; `-` reads stdin. Default: `.`
    #[arg(long_help = paths_help())]
    pub paths: Vec<PathBuf>,
    /// Deploy-time namespace for objects without one (as `kubectl -n`)
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Name of stdin in reports; implies `-` when no PATH is given
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Rules to run: ids, names, id prefixes or categories (comma list)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Rules to skip: ids, names, id prefixes or categories (comma list)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: error]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Load every file under DIR for cross-object rules, but report only findings in the PATHs (pre-commit mode)
    #[arg(long, value_name = "DIR")]
    pub context: Vec<PathBuf>,
    /// Hide findings recorded in FILE (see --write-baseline)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Config file (default: the nearest `.tenantlint.yaml` from the current directory upward)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Colored output
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Worker threads (default: all cores)
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print findings only: no summary, no notes, no progress
    #[arg(short, long)]
    pub quiet: bool,
    /// Ignore every configuration file
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
}

/// The long help of PATH: what is linted, from the recognisers.
fn paths_help() -> String {
    let mut help = String::from(
        "Files or directories to lint; `-` reads stdin. Default: `.`\n\n\
         A directory is walked for the files below; a file named here that none of them \
         takes (`tox.ini`, a `Makefile`) is skipped with a note:",
    );
    for r in crate::discover::RECOGNISERS {
        help.push_str("\n  - ");
        help.push_str(r.describes);
    }
    help
}

/// Exit codes (SPEC §2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_FAILURE: i32 = 2;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Tenants(args) => run_tenants(*args),
        Command::Rules { format } => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let text = match format {
                RulesFormat::Json => crate::docs::rules_json(),
                RulesFormat::Text => crate::docs::rules_table(),
            };
            let _ = out.write_all(text.as_bytes());
            EXIT_OK
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => {
                print!("{}", crate::docs::rule_markdown(&r.meta));
                EXIT_OK
            }
            None => {
                eprintln!("error: unknown rule `{rule}`; `tenantlint rules` lists them");
                EXIT_FAILURE
            }
        },
        Command::Init { force } => init(force),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "tenantlint", &mut std::io::stdout());
            EXIT_OK
        }
    }
}

fn use_color(choice: Color, to_terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
            {
                true
            } else {
                to_terminal
            }
        }
    }
}

fn init(force: bool) -> i32 {
    let path = PathBuf::from(config::FILE_NAME);
    if std::fs::symlink_metadata(&path).is_ok() && !force {
        eprintln!(
            "error: `{}` already exists; pass --force to overwrite it",
            config::FILE_NAME
        );
        return EXIT_FAILURE;
    }
    match crate::fsio::write_no_follow(&path, config::STARTER.as_bytes()) {
        Ok(()) => {
            eprintln!("wrote {}", config::FILE_NAME);
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", config::FILE_NAME);
            EXIT_FAILURE
        }
    }
}

/// The configuration: `--config FILE`, else the nearest `.tenantlint.yaml`.
fn load_config(args: &RunArgs) -> Result<Config, config::ConfigError> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None if args.isolated => None,
        None => std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d)),
    };
    match path {
        Some(p) => Config::load(&p),
        None => Ok(Config {
            root: config::absolute(std::path::Path::new(".")),
            ..Config::default()
        }),
    }
}

fn print_config_error(e: &config::ConfigError) {
    let handler = miette::GraphicalReportHandler::new_themed(
        if use_color(Color::Auto, std::io::stderr().is_terminal()) {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        },
    );
    let mut out = String::new();
    let rendered = e.file.as_ref().is_some_and(|file| {
        let (snippet, label) = Snippet::single(file, e.span, None, 2);
        let safe = SafeConfigError {
            message: safe::text(&e.message).into_owned(),
            help: e.help.as_deref().map(|h| safe::text(h).into_owned()),
            snippet,
            label,
        };
        handler.render_report(&mut out, &safe).is_ok()
    });
    if rendered {
        eprint!("{out}");
    } else {
        eprintln!("error: {}", safe::text(&e.to_string()));
    }
}

/// A [`config::ConfigError`] as printed: escaped text and a bounded snippet
/// (a config key can be a megabyte long, or hold escape sequences).
struct SafeConfigError {
    message: String,
    help: Option<String>,
    snippet: Snippet,
    label: miette::LabeledSpan,
}

impl std::fmt::Debug for SafeConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for SafeConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SafeConfigError {}

impl miette::Diagnostic for SafeConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("invalid configuration"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// A run prepared from the shared options.
struct Prepared {
    options: CheckOptions,
    fail_on: FailOn,
}

/// Read the config and stdin, and turn the shared options into
/// [`CheckOptions`]; `Err` holds the exit code of a failed run.
fn prepare(args: &RunArgs) -> Result<Prepared, i32> {
    let config = match load_config(args) {
        Ok(c) => c,
        Err(e) => {
            print_config_error(&e);
            return Err(EXIT_FAILURE);
        }
    };
    // Command-line options override the file.
    let selection = Selection {
        select: if args.select.is_empty() {
            config.select.clone().unwrap_or_default()
        } else {
            args.select.clone()
        },
        ignore: if args.ignore.is_empty() {
            config.ignore.clone()
        } else {
            args.ignore.clone()
        },
    };
    let fail_on = args
        .fail_on
        .or(match config.fail_on {
            Some(config::FailOn::Error) => Some(FailOn::Error),
            Some(config::FailOn::Warning) => Some(FailOn::Warning),
            Some(config::FailOn::Info) => Some(FailOn::Info),
            Some(config::FailOn::Never) => Some(FailOn::Never),
            None => None,
        })
        .unwrap_or(FailOn::Error);
    if let Err(e) = selection.validate_with(&config.policy_rules) {
        eprintln!("error: {}", safe::text(&e));
        return Err(EXIT_FAILURE);
    }
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        // `--stdin-filename NAME` alone means stdin, as in ruff and eslint.
        let default = if args.stdin_filename.is_some() {
            "-"
        } else {
            "."
        };
        paths.push(PathBuf::from(default));
    }
    let mut stdin = None;
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let mut data = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut data) {
            eprintln!("error: cannot read stdin: {e}");
            return Err(EXIT_FAILURE);
        }
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_string());
        stdin = Some((name, data));
    }
    let baseline = match &args.baseline {
        Some(path) => match crate::baseline::Baseline::read(path) {
            Ok(b) => Some(std::sync::Arc::new(b)),
            Err(e) => {
                eprintln!("error: {}", safe::text(&e));
                return Err(EXIT_FAILURE);
            }
        },
        None => None,
    };
    let options = CheckOptions {
        paths,
        stdin,
        selection,
        index: IndexOptions {
            deploy_namespace: args.namespace.clone(),
            ..IndexOptions::default()
        },
        threads: args.threads,
        progress: Some(std::sync::Arc::new(engine::Progress::default())),
        config: std::sync::Arc::new(config),
        baseline,
        fingerprints: false,
        context: args.context.clone(),
        keep_index: false,
        keep_trees_up_to: None,
    };
    Ok(Prepared { options, fail_on })
}

/// Check, with a progress line on a terminal; walk warnings (and, unless
/// `-q`, notes) go to stderr.
fn run_engine(options: &CheckOptions, args: &RunArgs) -> Result<engine::CheckResult, i32> {
    let progress_line =
        ProgressLine::start(options.progress.clone().unwrap_or_default(), args.quiet);
    let result = engine::check(options);
    progress_line.stop();
    let mut result = result.map_err(|e| {
        eprintln!("error: {}", safe::text(&e.to_string()));
        EXIT_FAILURE
    })?;
    result.config = options
        .config
        .effect(!args.select.is_empty(), !args.ignore.is_empty());
    for w in &result.warnings {
        let (path, message) = (safe::path(&w.path), safe::text(&w.message));
        match w.level {
            WalkLevel::Warning => eprintln!("warning: {path}: {message}"),
            WalkLevel::Note if !args.quiet => eprintln!("note: {path}: {message}"),
            WalkLevel::Note => {}
        }
    }
    Ok(result)
}

/// Write a report to `--output FILE` or stdout; `Err` holds the exit code.
/// `fence`: the report is text whose lines may start with input, so in a
/// GitHub Actions log it is fenced off from workflow commands.
fn write_output(
    output: Option<&std::path::Path>,
    fence: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), i32> {
    let written = match output {
        Some(path) => crate::fsio::create_no_follow(path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            // In a GitHub Actions log, a line of a text report must not be
            // taken for a workflow command: the runner executes none
            // between `::stop-commands::TOKEN` and `::TOKEN::`. (The `github`
            // format is made of commands; JSON, SARIF, JUnit and GitLab are
            // parsed by tools, and none of their lines can start with `::`.)
            let fence = (fence && std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"))
                .then(stop_commands_token);
            (|| {
                if let Some(token) = &fence {
                    writeln!(w, "::stop-commands::{token}")?;
                }
                write(&mut w)?;
                if let Some(token) = &fence {
                    writeln!(w, "::{token}::")?;
                }
                w.flush()
            })()
        }
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report: {e}");
            Err(EXIT_FAILURE)
        }
        _ => Ok(()),
    }
}

/// `--fail-on` as the lowest failing severity (`None`: never).
fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

fn run_check(args: CheckArgs) -> i32 {
    check(args).unwrap_or_else(|code| code)
}

/// `check`; `Err` holds the exit code of a run that failed.
fn check(args: CheckArgs) -> Result<i32, i32> {
    let started = Instant::now();
    let Prepared {
        mut options,
        fail_on,
    } = prepare(&args.run)?;
    options.fingerprints = args.write_baseline.is_some();
    let quiet = args.run.quiet;
    let result = run_engine(&options, &args.run)?;
    if let Some(path) = &args.write_baseline {
        return match crate::baseline::Baseline::write(
            path,
            result.fingerprints.clone(),
            &result.files,
        ) {
            Ok(n) => {
                if !quiet {
                    eprintln!("recorded {n} findings in {}", path.display());
                }
                Ok(EXIT_OK)
            }
            Err(e) => {
                eprintln!("error: cannot write the baseline `{}`: {e}", path.display());
                Err(EXIT_FAILURE)
            }
        };
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    // Wrap for a terminal; never wrap in logs and files, where a wrapped
    // message breaks grep and copy-paste.
    let width = terminal_width().unwrap_or(if to_terminal { 100 } else { 10_000 });
    let report_options = ReportOptions {
        format: args.format,
        color: use_color(args.run.color, to_terminal),
        width,
        elapsed: started.elapsed(),
        quiet,
        linted: args
            .run
            .paths
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect(),
        fail_on: threshold(fail_on),
    };
    let text = args.statistics || matches!(args.format, Format::Human | Format::Concise);
    write_output(args.output.as_deref(), text, |w| {
        if args.statistics {
            report::statistics::write(w, &result, &report_options)
        } else {
            report::write_report(w, &result, &report_options)
        }
    })?;
    Ok(report::exit_code(&result, &report_options))
}

fn run_tenants(args: TenantsArgs) -> i32 {
    tenants(args).unwrap_or_else(|code| code)
}

/// `tenants`: the same run as `check`, shown as the tenancy posture.
fn tenants(args: TenantsArgs) -> Result<i32, i32> {
    let started = Instant::now();
    let Prepared {
        mut options,
        fail_on,
    } = prepare(&args.run)?;
    options.keep_index = true;
    let mut result = run_engine(&options, &args.run)?;
    let Some(index) = result.index.take() else {
        eprintln!("error: the check kept no index");
        return Err(EXIT_FAILURE);
    };
    let enabled: Vec<&str> = engine::enabled_rules(&options.selection, &options.config)
        .iter()
        .map(|r| r.meta.id)
        .collect();
    let matrix = posture::compute(&result, &index, &options.config, &enabled);
    drop(index);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let posture_options = posture::Options {
        format: args.format,
        color: use_color(args.run.color, to_terminal),
        elapsed: started.elapsed(),
    };
    // Markdown and HTML lines never start with input; the table's do.
    let text = args.format == posture::Format::Human;
    write_output(args.output.as_deref(), text, |w| {
        posture::write(w, &matrix, &result, &posture_options)
    })?;
    let report_options = ReportOptions {
        fail_on: threshold(fail_on),
        ..ReportOptions::default()
    };
    Ok(report::exit_code(&result, &report_options))
}

/// On a terminal, a run that takes longer than a second shows progress on stderr.
struct ProgressLine {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    fn start(progress: std::sync::Arc<engine::Progress>, quiet: bool) -> ProgressLine {
        use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
        let done = std::sync::Arc::new(AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return ProgressLine { done, thread: None };
        }
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            while !flag.load(Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if started.elapsed().as_secs_f64() < 1.0 || flag.load(Relaxed) {
                    continue;
                }
                let (loaded, total) = (progress.loaded.load(Relaxed), progress.total.load(Relaxed));
                let what = if total > 0 && loaded >= total {
                    "checking rules"
                } else {
                    "loading"
                };
                eprint!("\r\x1b[2Ktenantlint: {what} {loaded}/{total} files");
                shown = true;
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        });
        ProgressLine {
            done,
            thread: Some(thread),
        }
    }

    fn stop(self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread {
            let _ = t.join();
        }
    }
}

/// A token no input can guess: 128 bits from the standard library's
/// randomly seeded hasher.
fn stop_commands_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut token = String::from("tenantlint-");
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        token.push_str(&format!("{:016x}", h.finish()));
    }
    token
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}
