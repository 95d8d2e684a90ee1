//! What a pre-commit hook or a CI step relies on (SPEC §1, §2, §6): explicit
//! files that no recogniser takes, `exclude` on explicit files,
//! `--stdin-filename`, YAML001 that no selection hides, empty input,
//! baselines used from another directory, `--statistics` and `-q`.

use std::path::Path;

mod common;

use common::{NAMESPACE_MISMATCH, SHARED_SA, tenantlint, write};

/// Exit code, stdout and stderr of `tenantlint check ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tenantlint(dir)
        .arg("check")
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn explicit_files_that_are_not_tenantlints_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "tox.ini",
        "[tox]\nenvlist = py311\n[testenv]\ncommands = pytest {posargs}\n",
    );
    write(d, "setup.cfg", "[metadata]\nname = x\n");
    write(d, "Makefile", "all:\n\techo {{ not: yaml\n");
    write(
        d,
        "auth/basic_auth.ini",
        "[mlflow]\ndefault_permission = MANAGE\nadmin_username = admin\n",
    );
    let (code, stdout, stderr) = check(
        d,
        &["--format", "concise", "tox.ini", "setup.cfg", "Makefile"],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, "");
    for name in ["tox.ini", "setup.cfg", "Makefile"] {
        assert!(
            stderr.contains(&format!(
                "note: {name}: skipped: not a kind of file tenantlint lints"
            )),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("warning:") && stderr.contains("no file to lint"),
        "{stderr}"
    );
    // `-q` keeps the warning that nothing was linted, not the notes.
    let (_, _, quiet) = check(d, &["-q", "tox.ini", "Makefile"]);
    assert!(!quiet.contains("note:"), "{quiet}");
    assert!(quiet.contains("no file to lint"), "{quiet}");
    // An MLflow auth config named on the command line is linted.
    let (code, stdout, stderr) = check(
        d,
        &["--format", "concise", "tox.ini", "auth/basic_auth.ini"],
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("auth/basic_auth.ini:2:22: error[MLF007]"),
        "{stdout}"
    );
    assert!(!stdout.contains("YAML001"), "{stdout}");
}

#[test]
fn exclude_applies_to_explicit_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".tenantlint.yaml",
        "exclude: [\"charts/**/templates/**\"]\n",
    );
    write(
        d,
        "charts/app/templates/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n{{- if .Values.x }}\n",
    );
    write(d, "charts/app/values.yaml", "replicas: 1\n");
    let (code, stdout, stderr) = check(
        d,
        &[
            "--format",
            "concise",
            "charts/app/templates/svc.yaml",
            "charts/app/values.yaml",
        ],
    );
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    // From a subdirectory too: the globs are relative to the config file.
    let (code, stdout, _) = check(
        &d.join("charts/app"),
        &["--format", "concise", "templates/svc.yaml"],
    );
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
}

#[test]
fn stdin_filename_alone_reads_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A file in the working directory that must not be linted instead.
    write(d, "other.yaml", "a: [1\n");
    let out = tenantlint(d)
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "rendered.yaml",
        ])
        .write_stdin(NAMESPACE_MISMATCH)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("rendered.yaml:10:14: error[NS003]"),
        "{stdout}"
    );
    assert!(!stdout.contains("other.yaml"), "{stdout}");
    // The name also says what the text is.
    let out = tenantlint(d)
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "basic_auth.ini",
        ])
        .write_stdin("[mlflow]\ndefault_permission = EDIT\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("basic_auth.ini:2:22: error[MLF007]"),
        "{stdout}"
    );
}

#[test]
fn yaml001_cannot_be_deselected() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "broken.yaml", "a: [1, 2\n");
    for args in [
        &["--select", "NS,SA"][..],
        &["--ignore", "YAML001"],
        &["--ignore", "input"],
        &["--select", "NS003"],
    ] {
        let (code, stdout, _) = check(d, &[&["--format", "concise"][..], args].concat());
        assert_eq!(code, Some(1), "{args:?}: {stdout}");
        assert!(
            stdout.contains("broken.yaml:1:4: error[YAML001]"),
            "{args:?}: {stdout}"
        );
    }
    write(
        d,
        ".tenantlint.yaml",
        "rules:\n  YAML001: off\nignore: [YAML001]\nper-path-ignores:\n  \"*.yaml\": [YAML001]\n",
    );
    let (code, stdout, _) = check(d, &["--format", "concise"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("error[YAML001]"), "{stdout}");
}

#[test]
fn a_run_that_finds_no_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "docs/README.md", "# docs\n");
    for args in [&[][..], &["docs"]] {
        let (code, stdout, stderr) = check(d, args);
        assert_eq!(code, Some(0), "{stdout}");
        assert!(
            stderr.contains("warning:") && stderr.contains("no file to lint"),
            "{args:?}: {stderr}"
        );
    }
    // A run that lints something does not say it.
    write(d, "job.yaml", SHARED_SA);
    let (_, _, stderr) = check(d, &[]);
    assert!(!stderr.contains("no file to lint"), "{stderr}");
}

#[test]
fn baseline_paths_are_relative_to_the_baseline_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "deploy/jobs/job.yaml", SHARED_SA);
    write(d, "deploy/pod.yaml", NAMESPACE_MISMATCH);
    let (code, _, stderr) = check(d, &["--write-baseline", "baseline.json", "deploy"]);
    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(d.join("baseline.json")).unwrap();
    assert!(
        text.contains("\"file\": \"deploy/jobs/job.yaml\""),
        "{text}"
    );
    // From the root, from a subdirectory, from a sibling: everything hidden.
    for (cwd, baseline, path) in [
        (d.to_path_buf(), "baseline.json", "deploy"),
        (d.join("deploy"), "../baseline.json", "."),
        (d.join("deploy/jobs"), "../../baseline.json", "job.yaml"),
    ] {
        let (code, stdout, _) = check(&cwd, &["--format", "concise", "--baseline", baseline, path]);
        assert_eq!(
            (code, stdout.as_str()),
            (Some(0), ""),
            "from {}",
            cwd.display()
        );
    }
    // A baseline written from a subdirectory works from the root.
    let (code, _, _) = check(
        &d.join("deploy"),
        &["--write-baseline", "../deploy.baseline.json", "."],
    );
    assert_eq!(code, Some(0));
    let (code, stdout, _) = check(
        d,
        &[
            "--format",
            "concise",
            "--baseline",
            "deploy.baseline.json",
            "deploy",
        ],
    );
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    // A new finding still shows.
    write(
        d,
        "deploy/pod.yaml",
        NAMESPACE_MISMATCH.replace("tenant1-pod", "other-pod"),
    );
    let (code, stdout, _) = check(
        &d.join("deploy"),
        &["--format", "concise", "--baseline", "../baseline.json"],
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("pod.yaml:10:14: error[NS003]"), "{stdout}");
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.yaml", NAMESPACE_MISMATCH);
    write(
        d,
        "b.yaml",
        NAMESPACE_MISMATCH.replace("tenant1-pod", "second-pod"),
    );
    let (code, concise, _) = check(d, &["--format", "concise"]);
    let (stats_code, stats, _) = check(d, &["--statistics"]);
    assert_eq!(code, stats_code);
    let lines: Vec<&str> = stats.lines().collect();
    let summary = lines.last().unwrap();
    assert!(
        summary.contains("errors") && summary.contains("in 2 files"),
        "{stats}"
    );
    let rows: Vec<(usize, &str, &str)> = lines[..lines.len() - 1]
        .iter()
        .map(|l| {
            let mut f = l.split_whitespace();
            let count = f.next().unwrap().parse().unwrap();
            (count, f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    assert!(
        rows.contains(&(2, "NS003", "namespace-mismatch")),
        "{stats}"
    );
    // Each count is the number of findings of that rule; most frequent first.
    for (count, id, _) in &rows {
        let found = concise
            .lines()
            .filter(|l| l.contains(&format!("[{id}]")))
            .count();
        assert_eq!(*count, found, "{id}: {stats}\n{concise}");
    }
    assert!(rows.windows(2).all(|w| w[0].0 >= w[1].0), "{stats}");
    assert_eq!(
        rows.iter().map(|r| r.0).sum::<usize>(),
        concise.lines().count()
    );
    // `-q` drops the summary; `--format json` gives the rows as JSON.
    let (_, quiet, _) = check(d, &["--statistics", "-q"]);
    assert_eq!(quiet.lines().count(), rows.len(), "{quiet}");
    let (_, json, _) = check(d, &["--statistics", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json.as_array().unwrap().len(), rows.len());
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "NS003" && r["name"] == "namespace-mismatch" && r["count"] == 2),
        "{json}"
    );
}

#[test]
fn quiet_prints_findings_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.yaml", NAMESPACE_MISMATCH);
    write(d, "tox.ini", "[tox]\n");
    let (code, loud, loud_err) = check(d, &["a.yaml", "tox.ini"]);
    let (quiet_code, quiet, quiet_err) = check(d, &["-q", "a.yaml", "tox.ini"]);
    assert_eq!((code, quiet_code), (Some(1), Some(1)));
    let summary = loud.lines().last().unwrap();
    assert!(summary.contains(" in 1 file "), "{loud}");
    assert!(!quiet.contains(summary), "{quiet}");
    assert!(quiet.contains("NS003"), "{quiet}");
    assert_eq!(
        quiet.trim_end(),
        loud.trim_end().strip_suffix(summary).unwrap().trim_end()
    );
    assert!(loud_err.contains("note: tox.ini"), "{loud_err}");
    assert_eq!(quiet_err, "");
    // The github format drops its summary line too.
    let (_, github, _) = check(d, &["-q", "--format", "github", "a.yaml"]);
    assert!(github.lines().all(|l| l.starts_with("::")), "{github}");
}

#[test]
fn helm_chart_templates_are_skipped_with_a_note_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    );
    write(d, "charts/app/values.yaml", "replicas: 1\n");
    write(
        d,
        "charts/app/templates/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n{{- if .Values.x }}\n",
    );
    write(
        d,
        "charts/app/templates/tests/conn.yaml",
        "{{- range .Values.x }}\n",
    );
    write(d, "pod.yaml", NAMESPACE_MISMATCH);
    // Walking the repository: the templates are not YAML001.
    let (code, stdout, stderr) = check(d, &["--format", "concise"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("charts/"), "{stdout}");
    assert!(stdout.contains("pod.yaml:10:14: error[NS003]"), "{stdout}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("Helm chart"))
        .collect();
    assert_eq!(
        notes,
        [
            "note: charts/app: unrendered Helm chart templates skipped; lint the rendered chart: `helm template charts/app | tenantlint check -`"
        ],
        "{stderr}"
    );
    // A template named on the command line (a pre-commit hook) is skipped too.
    let (code, stdout, stderr) =
        check(d, &["--format", "concise", "charts/app/templates/svc.yaml"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert!(
        stderr.contains("note: charts/app: unrendered Helm chart templates"),
        "{stderr}"
    );
    // In pre-commit mode, the charts of the context add no notes.
    let (code, _, stderr) = check(d, &["--context", ".", "pod.yaml"]);
    assert_eq!(code, Some(1));
    assert!(!stderr.contains("Helm chart"), "{stderr}");
}
