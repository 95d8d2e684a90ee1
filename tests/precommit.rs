//! The pre-commit integration (SPEC §7): `.pre-commit-hooks.yaml` agrees
//! with the recognisers, and the real `pre-commit` (installed from PyPI into
//! the test's own virtualenv) runs the `system` hook on a temporary git
//! repository as a developer's commit would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

mod common;

use common::SHARED_SA;
use tenantlint::discover::{RECOGNISERS, hook_files_pattern, recognise_name};
use tenantlint::load::Node;
use tenantlint::source::{FileKind, SourceFile};

const HOOK_IDS: [(&str, &str); 3] = [
    ("tenantlint", "rust"),
    ("tenantlint-system", "system"),
    ("tenantlint-docker", "docker_image"),
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The hooks of `.pre-commit-hooks.yaml`, read with tenantlint's own loader.
fn hooks() -> Vec<Node> {
    let path = manifest_dir().join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = SourceFile::new(0, path, "hooks".into(), FileKind::Yaml, text);
    let mut parsed = tenantlint::load::parse_yaml(&file);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed.docs.remove(0).root.items().to_vec()
}

fn field<'a>(hook: &'a Node, key: &str) -> &'a str {
    hook.get_str(key)
        .unwrap_or_else(|| panic!("a hook without `{key}`"))
}

#[test]
fn hooks_take_exactly_the_files_tenantlint_recognises() {
    let hooks = hooks();
    let found: Vec<(&str, &str)> = hooks
        .iter()
        .map(|h| (field(h, "id"), field(h, "language")))
        .collect();
    assert_eq!(found, HOOK_IDS);
    let pattern = hook_files_pattern();
    for hook in &hooks {
        assert_eq!(
            field(hook, "files"),
            pattern,
            "`files` of hook `{}` differs from the recognisers in src/discover.rs; \
             set it to the pattern on the right",
            field(hook, "id")
        );
        assert!(field(hook, "entry").ends_with("check --context ."));
        assert_eq!(hook.get_str("require_serial"), Some("true"));
    }
    // pre-commit matches `files` with Python's `re.search` on the path
    // relative to the repository root; Rust's `regex` reads this subset alike.
    let re = regex::Regex::new(&pattern).unwrap();
    let names = [
        "pod.yaml",
        "k8s/Deploy.YML",
        "charts/x/templates/svc.yaml",
        "MLproject",
        "models/m1/MLmodel",
        "models/mlmodel",
        "auth/basic_auth.ini",
        "basic_auth.ini",
        "tox.ini",
        "setup.cfg",
        "Makefile",
        "mlproject.md",
        "notbasic_auth.ini",
        "yaml/README.md",
        "x.yaml.orig",
        "values.json",
        "docker-compose.yml",
        "deploy/compose.override.yaml",
        ".github/workflows/ci.yml",
        "Dockerfile",
        "images/Dockerfile.gpu",
        "api.Dockerfile",
        "Containerfile",
        "Dockerfiles/README.md",
        "scripts/start.sh",
        "run.bash",
        "bash.txt",
    ];
    for name in names {
        assert_eq!(
            re.is_match(name),
            recognise_name(Path::new(name)).is_some(),
            "hook pattern and recognisers disagree on `{name}`"
        );
    }
    // Every recogniser that decides by name alone is in the pattern.
    for r in RECOGNISERS {
        assert_eq!(
            r.hook_pattern.is_some(),
            r.confirm.is_none(),
            "{}: a recogniser that needs no look inside the file belongs in the hook pattern",
            r.describes
        );
    }
}

#[test]
fn the_docker_hook_runs_the_image_of_this_version() {
    let hooks = hooks();
    let docker = hooks
        .iter()
        .find(|h| field(h, "language") == "docker_image")
        .unwrap();
    let image = field(docker, "entry").split_whitespace().next().unwrap();
    assert_eq!(
        image,
        format!(
            "ghcr.io/tenantlint/tenantlint:{}",
            env!("CARGO_PKG_VERSION")
        ),
        "bump the image tag of `tenantlint-docker` with the version"
    );
}

/// A virtualenv with pre-commit from PyPI, or `None` (with a printed note)
/// when python3, venv or the network is missing.
fn install_pre_commit(dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let ok = |out: std::io::Result<Output>, what: &str| match out {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!(
                "note: {what} failed; the pre-commit test is skipped:\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("note: cannot run {what} ({e}); the pre-commit test is skipped");
            false
        }
    };
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output();
    if !ok(created, "`python3 -m venv`") {
        return None;
    }
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let installed = Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--timeout",
            "30",
            "pre-commit>=3,<5",
        ])
        .output();
    ok(installed, "`pip install pre-commit`").then_some(bin)
}

struct Repo {
    dir: PathBuf,
    path: std::ffi::OsString,
    pre_commit_home: PathBuf,
}

impl Repo {
    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `pre-commit try-repo` of this checkout's hooks on the staged files.
    fn try_repo(&self, hook: &str) -> (bool, String) {
        let out = Command::new("pre-commit")
            .arg("try-repo")
            .arg(manifest_dir())
            .args([hook, "--verbose", "--color", "never"])
            .env("PATH", &self.path)
            .env("PRE_COMMIT_HOME", &self.pre_commit_home)
            .env("NO_COLOR", "1")
            .current_dir(&self.dir)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// The hook's run time as pre-commit reports it (`- duration: 0.05s`).
fn hook_duration(output: &str) -> Duration {
    let line = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("- duration: "))
        .unwrap_or_else(|| panic!("no duration in:\n{output}"));
    Duration::from_secs_f64(line.trim_end_matches('s').parse().unwrap())
}

const NAMESPACE: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
";

/// The two Deployments of [`SHARED_SA`], one per file: committing the
/// second is SA001 on its line 11, found only by looking at the first.
fn shared_service_account() -> (&'static str, &'static str) {
    SHARED_SA.split_once("---\n").unwrap()
}

/// An unrendered Helm template: not YAML until `helm template` runs.
const CHART_TEMPLATE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: {{ include \"x.fullname\" . }}
{{- if .Values.labels }}
  labels: {{ toYaml .Values.labels | nindent 4 }}
{{- end }}
";

/// Acceptance 1 of issue 13. Installs pre-commit from PyPI: slow, and
/// needs the network, so it runs in CI (`.ci/run`) rather than in every
/// `cargo test`.
#[test]
#[ignore = "installs pre-commit from PyPI; run by .ci/run"]
fn real_pre_commit_runs_the_system_hook() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(venv_bin) = install_pre_commit(tmp.path()) else {
        return;
    };
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_tenantlint"));
    let mut path = vec![venv_bin, binary.parent().unwrap().to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let repo = Repo {
        dir: tmp.path().join("repo"),
        path: std::env::join_paths(path).unwrap(),
        pre_commit_home: tmp.path().join("cache"),
    };
    std::fs::create_dir_all(&repo.dir).unwrap();
    repo.git(&["init", "--quiet"]);
    repo.write(
        ".tenantlint.yaml",
        "exclude: [\"charts/**/templates/**\"]\n",
    );
    repo.write("ns.yaml", NAMESPACE);
    let (notebook, serving) = shared_service_account();
    repo.write("notebook.yaml", notebook);
    repo.git(&["add", "."]);
    repo.git(&["commit", "--quiet", "-m", "base"]);

    // A commit of files that are not tenantlint's, and of an excluded
    // chart template, passes.
    repo.write("tox.ini", "[tox]\nenvlist = py311\n");
    repo.write("setup.cfg", "[metadata]\nname = x\n");
    repo.write("Makefile", "all:\n\techo {{ not yaml\n");
    repo.write("charts/x/templates/service.yaml", CHART_TEMPLATE);
    repo.git(&["add", "."]);
    let (passed, output) = repo.try_repo("tenantlint-system");
    assert!(passed, "the commit should pass:\n{output}");
    let duration = hook_duration(&output);
    assert!(
        duration < Duration::from_secs(1),
        "the system hook took {duration:?}:\n{output}"
    );
    repo.git(&["commit", "--quiet", "-m", "tooling"]);

    // A manifest that shares the committed notebook's service account
    // fails, with the finding on its `serviceAccountName` line.
    repo.write("serving.yaml", serving);
    repo.git(&["add", "serving.yaml"]);
    let (passed, output) = repo.try_repo("tenantlint-system");
    assert!(!passed, "the commit should fail:\n{output}");
    assert!(
        output.contains("SA001") && output.contains("serving.yaml:11:27"),
        "SA001 on serving.yaml line 11 expected:\n{output}"
    );
    // Only the committed file's findings: the notebook is a related location.
    let primary: Vec<&str> = output
        .lines()
        .filter_map(|l| l.strip_prefix("    ╭─["))
        .collect();
    assert!(
        !primary.is_empty() && primary.iter().all(|p| p.starts_with("serving.yaml:")),
        "findings in files not committed now are not reported:\n{output}"
    );
    assert!(hook_duration(&output) < Duration::from_secs(1), "{output}");
}
