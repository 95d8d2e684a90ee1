//! End-to-end tests of the `tenantlint` binary: SPEC §2 exit codes and
//! options, the acceptance example in every format, and bad input.

use std::path::Path;

use predicates::prelude::*;

mod common;

use common::{NAMESPACE_MISMATCH, command, write};

#[test]
fn acceptance_example_in_all_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.yaml", NAMESPACE_MISMATCH);

    let out = command()
        .current_dir(dir.path())
        .args(["check", "bad.yaml", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["version"], 1);
    for key in [
        "files",
        "documents",
        "objects",
        "errors",
        "warnings",
        "infos",
    ] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    let ns003: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "NS003")
        .collect();
    assert_eq!(ns003.len(), 1);
    let d = ns003[0];
    assert_eq!(d["name"], "namespace-mismatch");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "bad.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(10), Some(14))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(10), Some(21))
    );
    assert_eq!(
        d["object"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "namespace": "tenant2", "name": "tenant1-pod"})
    );
    assert_eq!(d["related"][0]["file"], "bad.yaml");
    assert_eq!(
        (
            d["related"][0]["line"].as_u64(),
            d["related"][0]["column"].as_u64()
        ),
        (Some(4), Some(9))
    );
    assert!(d["help"].as_str().unwrap().len() > 5);

    command()
        .current_dir(dir.path())
        .args(["check", "bad.yaml", "--format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "bad.yaml:10:14: error[NS003] `metadata.namespace` is `tenant2`, but this file declares namespace `tenant1`",
        ));

    let human = command()
        .current_dir(dir.path())
        .args(["check", "bad.yaml", "--color", "never"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert!(human.contains("error[NS003] namespace-mismatch"), "{human}");
    assert!(human.contains("bad.yaml:10:14"), "{human}");
    assert!(
        human.contains("namespace `tenant1` is declared here"),
        "{human}"
    );
    assert!(human.contains("bad.yaml:4:9"), "{human}");
    assert!(
        human
            .lines()
            .last()
            .unwrap()
            .contains("in 1 file (2 objects)"),
        "{human}"
    );
    assert!(!human.contains('\u{1b}'), "no color with --color never");
}

#[test]
fn exit_codes_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.yaml", NAMESPACE_MISMATCH);
    let run = |args: &[&str]| {
        command()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&["check", "bad.yaml"]), Some(1));
    assert_eq!(run(&["check", "bad.yaml", "--fail-on", "never"]), Some(0));
    // Only a warning left: exit 0 by default, 1 with --fail-on warning.
    assert_eq!(run(&["check", "bad.yaml", "--select", "SA002"]), Some(0));
    assert_eq!(
        run(&[
            "check",
            "bad.yaml",
            "--select",
            "SA002",
            "--fail-on",
            "warning"
        ]),
        Some(1)
    );
    assert_eq!(
        run(&[
            "check",
            "bad.yaml",
            "--ignore",
            "NS,QUOTA001,NET001",
            "--fail-on",
            "error"
        ]),
        Some(0)
    );
    assert_eq!(
        run(&[
            "check",
            "bad.yaml",
            "--select",
            "service-accounts",
            "--fail-on",
            "info"
        ]),
        Some(1)
    );
    assert_eq!(
        run(&["check", "bad.yaml", "--select", "namespace-mismatch"]),
        Some(1)
    );
    // Bad arguments and missing paths are failures of the run itself.
    assert_eq!(run(&["check", "bad.yaml", "--select", "NOPE999"]), Some(2));
    assert_eq!(run(&["check", "does-not-exist.yaml"]), Some(2));
    assert_eq!(run(&["check", "--format", "xml", "bad.yaml"]), Some(2));
}

#[test]
fn missing_path_is_a_clear_error() {
    command()
        .args(["check", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "path `no/such/dir` does not exist",
        ));
}

#[test]
fn bad_files_become_findings_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.yaml", NAMESPACE_MISMATCH);
    write(d, "binary.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00");
    write(
        d,
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    );
    write(d, "utf16.yaml", b"\xff\xfea\x00:\x00 \x001\x00");
    write(d, "broken.yaml", "a: [1, 2\n");
    write(d, "empty.yaml", "");
    write(d, "dashes.yaml", "---\n---\n");
    std::os::unix::fs::symlink(d.join("nowhere.yaml"), d.join("dangling.yaml")).unwrap();
    let out = command()
        .current_dir(d)
        .args(["check", ".", "dangling.yaml", "--format", "concise"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("binary.yaml:1:1: error[YAML001] file is binary"),
        "{stdout}"
    );
    assert!(
        stdout.contains("latin1.yaml:4:12: error[YAML001] file is not valid UTF-8"),
        "{stdout}"
    );
    assert!(
        stdout.contains("utf16.yaml:1:1: error[YAML001] file is UTF-16"),
        "{stdout}"
    );
    assert!(
        stdout.contains("broken.yaml:1:4: error[YAML001] invalid YAML: unclosed bracket"),
        "{stdout}"
    );
    assert!(
        stdout.contains("dangling.yaml:1:1: error[YAML001] cannot read file"),
        "{stdout}"
    );
    assert!(stdout.contains("good.yaml:10:14: error[NS003]"), "{stdout}");
    assert!(
        !stdout.contains("empty.yaml") && !stdout.contains("dashes.yaml"),
        "{stdout}"
    );
}

#[test]
fn stdin_with_a_file_name() {
    command()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "rendered.yaml",
            "--format",
            "concise",
        ])
        .write_stdin(NAMESPACE_MISMATCH)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "rendered.yaml:10:14: error[NS003]",
        ));
}

#[test]
fn deploy_time_namespace() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check", "cm.yaml", "--format", "concise", "--select", "NS002",
        ];
        args.extend(extra);
        let out = command()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&[]).contains("cm.yaml:3:1: warning[NS002]"));
    assert!(!run(&["--namespace", "team-a"]).contains("NS002"));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let run = |j: &str| {
        command()
            .args(["check", "--format", "json", "-j", j])
            .arg(&examples)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("8"));
    assert_eq!(one, run("3"));
}

#[test]
fn gitignore_is_honoured_outside_git_and_hidden_dirs_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".gitignore", "rendered/\n");
    write(d, "rendered/out.yaml", NAMESPACE_MISMATCH);
    write(d, ".hidden/x.yaml", NAMESPACE_MISMATCH);
    write(d, "notes.txt", NAMESPACE_MISMATCH);
    write(
        d,
        "team/MLproject",
        "name: p\nentry_points: {main: {command: python train.py}}\n",
    );
    let out = command()
        .current_dir(d)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1, "only team/MLproject is linted");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn rules_and_explain() {
    let out = command()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "YAML001", "YAML002", "NS001", "NS002", "NS003", "SA001", "SA002", "QUOTA001", "MLF001",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    for r in rules.as_array().unwrap() {
        for key in ["id", "name", "category", "severity", "summary"] {
            assert!(r[key].is_string(), "{key}");
        }
    }
    command()
        .args(["explain", "namespace-mismatch"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("# NS003 namespace-mismatch")
                .and(predicate::str::contains("## Why is this bad?")),
        );
    command().args(["explain", "ns003"]).assert().success();
    command().args(["explain", "XYZ"]).assert().code(2);
}

#[test]
fn color_follows_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.yaml", NAMESPACE_MISMATCH);
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = command();
        cmd.current_dir(dir.path())
            .args(["check", "bad.yaml"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // Not a terminal: no color unless forced.
    assert!(!run(&[], &[]).contains('\u{1b}'));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]).contains('\u{1b}'));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\u{1b}'));
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]).contains('\u{1b}'));
}
