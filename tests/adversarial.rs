//! A hostile pull request (issue 8): it cannot crash tenantlint, exhaust
//! it, leak through it, silence it or forge its output (SPEC §1–§3).
//!
//! Every attack is a generated input run through the real binary under a
//! 20 s deadline and a virtual-memory cap (`ulimit -v`), so a regression
//! fails here instead of taking the machine down. The heavy cases are
//! `#[ignore]`d and run by `.ci/run` (`cargo test --test adversarial --
//! --ignored`, with the debug build `cargo test` made; by hand also
//! `cargo test --release --test adversarial -- --ignored`).

use std::path::Path;
use std::time::Duration;

#[path = "common/limited.rs"]
mod limited;

mod common;

use common::write;
use limited::{Limited, run_limited};

const DEADLINE: Duration = Duration::from_secs(20);

/// The heavy cases' deadline: 20 s for the release binary, three times
/// that for the unoptimised one CI runs them with (it takes 4–5 s of CPU on
/// 20,000 workloads where the release binary takes 0.8 s; quadratic work
/// took minutes, so either deadline catches it).
const HEAVY_DEADLINE: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(60)
} else {
    DEADLINE
};
const MIB: u64 = 1024;

fn check(dir: &Path, args: &[&str]) -> Limited {
    check_env(dir, args, &[])
}

fn check_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Limited {
    let mut all = vec!["check", "--color", "never", "-j", "2"];
    all.extend_from_slice(args);
    run_limited(dir, &all, env, DEADLINE, MIB)
}

/// Exit 0/1 (2 when `may_fail`), no panic, no signal.
fn assert_sane(out: &Limited, may_fail: bool) {
    let stderr = out.stderr_text();
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    let ok = match out.code {
        Some(0 | 1) => true,
        Some(2) => may_fail,
        _ => false,
    };
    assert!(
        ok,
        "exit code {:?} (None = a signal)\nstderr:\n{stderr}",
        out.code
    );
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers: [{name: c, image: i}]\n";

// --- forgery --------------------------------------------------------------

/// Names and values that try every trick on a terminal and a CI log.
const INJECTION: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x\\n::add-mask::secret\\r::stop-commands::t\\e[2J\\e]8;;http://evil\\a\\e]52;c;ZXZpbA==\\a\\u202egpj.exe\\0\\uFFFE\\uFFFF\\x9b31m\"\n  namespace: \"default\\n::error file=forged.yaml,line=1::forged\"\n  labels: {app: \"\\u2028::warning::x\"}\nspec:\n  serviceAccountName: \"sa\\n::notice::x\"\n  containers: [{name: c, image: \"i\\e[31m\"}]\n";

/// The bytes of one report hold no raw control character (but line
/// breaks), no escape sequence, no bidi control or noncharacter, and no
/// line starting with `::` unless `commands` allows it (the `github`
/// format's own annotations).
fn assert_clean(format: &str, bytes: &[u8], commands: bool) {
    let text = std::str::from_utf8(bytes).expect("UTF-8 output");
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            || (c as u32) & 0xfffe == 0xfffe;
        assert!(
            !bad,
            "{format}: raw {c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..(i + 40).min(text.len())]
        );
    }
    for line in text.lines() {
        if line.starts_with("::") {
            let ours = ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| line.starts_with(p))
                || line.starts_with("::stop-commands::tenantlint-")
                || (line.starts_with("::tenantlint-") && line.ends_with("::"));
            assert!(
                commands && ours,
                "{format}: a line starts with `::`: {line}"
            );
        }
    }
}

#[test]
fn no_format_prints_input_raw() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inj.yaml", INJECTION);
    // A file name with an escape sequence: named in reports and notes.
    write(dir.path(), "odd\x1b[2J.yaml", POD);
    write(dir.path(), "notes\x1b]52;c;eA==\x07.txt", "x");
    let files = ["inj.yaml", "odd\x1b[2J.yaml", "notes\x1b]52;c;eA==\x07.txt"];
    for format in [
        "human", "concise", "json", "sarif", "junit", "github", "gitlab",
    ] {
        let mut args = vec!["--format", format];
        args.extend(files);
        let out = check(dir.path(), &args);
        assert_sane(&out, false);
        assert_eq!(out.code, Some(1), "{format}");
        assert_clean(format, &out.stdout, format == "github");
        assert_clean(&format!("{format} stderr"), &out.stderr, false);
        match format {
            "json" | "sarif" | "gitlab" => {
                serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("valid JSON");
            }
            "junit" => {
                roxmltree::Document::parse(std::str::from_utf8(&out.stdout).unwrap())
                    .expect("JUnit is well-formed XML");
            }
            _ => {}
        }
        // The escapes are visible, not dropped.
        if format == "concise" {
            assert!(
                out.stdout_text().contains("\\u{1b}"),
                "{}",
                out.stdout_text()
            );
        }
    }
}

#[test]
fn text_reports_are_fenced_in_github_actions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "inj.yaml", INJECTION);
    for format in ["human", "concise"] {
        let out = check_env(
            dir.path(),
            &["--format", format, "inj.yaml"],
            &[("GITHUB_ACTIONS", "true")],
        );
        let text = out.stdout_text();
        let lines: Vec<&str> = text.lines().collect();
        let token = lines[0]
            .strip_prefix("::stop-commands::")
            .unwrap_or_else(|| panic!("{format}: not fenced:\n{text}"));
        assert!(token.len() >= 32, "{token}");
        assert_eq!(lines.last().unwrap(), &format!("::{token}::"));
        assert_clean(format, &out.stdout, true);
    }
    // Machine formats stay parseable.
    let out = check_env(
        dir.path(),
        &["--format", "json", "inj.yaml"],
        &[("GITHUB_ACTIONS", "true")],
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("valid JSON");
}

// --- crash and amplification ----------------------------------------------

#[test]
fn labels_past_column_65535_and_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    // A minified manifest: one 1 MB line, a finding past column 1,000,000.
    let pad = "x".repeat(1 << 20);
    write(
        dir.path(),
        "min.yaml",
        format!(
            "{{apiVersion: v1, kind: Pod, metadata: {{annotations: {{a: \"{pad}\"}}, name: p, namespace: default}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n"
        ),
    );
    let out = check(dir.path(), &["min.yaml"]);
    assert_sane(&out, false);
    assert_eq!(out.code, Some(1));
    let text = out.stdout_text();
    assert!(text.contains("min.yaml:1:"), "{text}");
    assert!(
        out.stdout.len() < 20_000,
        "{} bytes of report for one finding on a 1 MB line",
        out.stdout.len()
    );

    // A long config key: the config error's snippet is bounded too.
    let key = "k".repeat(100_000);
    write(dir.path(), "cfg.yaml", format!("{key}: 1\n"));
    let out = check(dir.path(), &["--config", "cfg.yaml", "min.yaml"]);
    assert_sane(&out, true);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.len() < 20_000, "{}", out.stderr.len());
}

// --- leaks and writes -----------------------------------------------------

#[cfg(unix)]
#[test]
fn links_out_of_the_tree_are_never_read() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "credentials",
        "[default]\naws_secret_access_key: SECRET-KEY-42\n",
    );
    write(outside.path(), "dir/x.yaml", "SECRET-IN-DIR: [\n");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    symlink(
        outside.path().join("credentials"),
        dir.path().join("creds.yaml"),
    )
    .unwrap();
    symlink(outside.path().join("dir"), dir.path().join("linked")).unwrap();
    // A link inside the tree is followed.
    symlink(dir.path().join("pod.yaml"), dir.path().join("alias.yaml")).unwrap();
    for args in [vec!["."], vec!["creds.yaml", "pod.yaml", "alias.yaml"]] {
        let out = check(dir.path(), &[&["--format", "concise"][..], &args].concat());
        assert_sane(&out, false);
        let (stdout, stderr) = (out.stdout_text(), out.stderr_text());
        for secret in ["SECRET-KEY-42", "SECRET-IN-DIR"] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{stdout}{stderr}"
            );
        }
        assert!(
            stderr.contains("creds.yaml") && stderr.contains("outside the linted path"),
            "{stderr}"
        );
        assert!(!stdout.contains("creds.yaml"), "{stdout}");
        assert!(stdout.contains("alias.yaml:5:14"), "{stdout}");
    }
}

#[cfg(unix)]
#[test]
fn no_write_through_a_link() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim");
    std::fs::write(&target, "untouched").unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    symlink(&target, dir.path().join("report.json")).unwrap();
    symlink(&target, dir.path().join("baseline.json")).unwrap();
    symlink(outside.path(), dir.path().join("out")).unwrap();
    for args in [
        vec!["--output", "report.json", "pod.yaml"],
        vec!["--output", "out/r.json", "pod.yaml"],
        vec!["--write-baseline", "baseline.json", "pod.yaml"],
    ] {
        let out = check(dir.path(), &args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr_text());
        assert!(
            out.stderr_text().contains("symbolic link"),
            "{}",
            out.stderr_text()
        );
    }
    symlink(&target, dir.path().join(".tenantlint.yaml")).unwrap();
    let out = run_limited(dir.path(), &["init", "--force"], &[], DEADLINE, MIB);
    assert_eq!(out.code, Some(2), "{}", out.stderr_text());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(!outside.path().join("r.json").exists());
}

#[cfg(unix)]
#[test]
fn config_and_baseline_that_are_devices_or_fifos() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    symlink("/dev/zero", dir.path().join("zero")).unwrap();
    for (flag, file) in [
        ("--config", "fifo"),
        ("--config", "zero"),
        ("--baseline", "fifo"),
        ("--baseline", "zero"),
    ] {
        let out = check(dir.path(), &[flag, file, "pod.yaml"]);
        assert_eq!(out.code, Some(2), "{flag} {file}: {}", out.stderr_text());
        assert!(
            out.stderr_text().contains("not a regular file"),
            "{}",
            out.stderr_text()
        );
    }
    // The discovered config as a link to /dev/zero.
    symlink("/dev/zero", dir.path().join(".tenantlint.yaml")).unwrap();
    let out = check(dir.path(), &["pod.yaml"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr_text());
    // A config past the size limit.
    let big = tempfile::tempdir().unwrap();
    write(big.path(), "pod.yaml", POD);
    write(
        big.path(),
        "big.yaml",
        format!("# {}\n", "x".repeat(17 << 20)),
    );
    let out = check(big.path(), &["--config", "big.yaml", "pod.yaml"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("limit"), "{}", out.stderr_text());
}

// --- silencing ------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn gitignore_hides_only_untracked_files_and_ignore_files_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if !git(d, &["init", "-q"]) {
        eprintln!("note: git is not available; case skipped");
        return;
    }
    write(d, "tracked/pod.yaml", POD);
    assert!(git(d, &["add", "tracked/pod.yaml"]));
    assert!(git(d, &["commit", "-q", "-m", "pod"]));
    write(d, ".gitignore", "tracked/\nbuild/\n");
    write(d, "build/out.yaml", POD);
    write(d, ".ignore", "other.yaml\n");
    write(d, "other.yaml", POD);
    let out = check(d, &["--format", "concise"]);
    assert_sane(&out, false);
    let stdout = out.stdout_text();
    assert!(stdout.contains("tracked/pod.yaml:5:14"), "{stdout}");
    assert!(stdout.contains("other.yaml:5:14"), "{stdout}");
    assert!(!stdout.contains("build/out.yaml"), "{stdout}");
}

#[test]
fn a_config_that_turns_rules_off_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    write(d, ".tenantlint.yaml", "ignore: [all]\n");
    let out = check(d, &["pod.yaml"]);
    assert_eq!(out.code, Some(0));
    let text = out.stdout_text();
    assert!(
        text.contains("config: .tenantlint.yaml turns off all"),
        "{text}"
    );
    let out = check(d, &["--format", "json", "pod.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let off = json["summary"]["config"]["rules_off"].as_array().unwrap();
    assert!(off.iter().any(|r| r == "NS001"), "{json}");

    write(
        d,
        ".tenantlint.yaml",
        "exclude: [\"**\"]\nrules: {SA002: off}\n",
    );
    let out = check(d, &["."]);
    let text = out.stdout_text();
    assert!(text.contains("excludes `**`"), "{text}");
    assert!(text.contains("turns off SA002"), "{text}");

    // `--isolated`: no config file, every finding back.
    let out = check(d, &["--isolated", "--format", "concise", "."]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout_text().contains("pod.yaml:5:14: error[NS001]"));
}

// --- memory -----------------------------------------------------------------

#[test]
fn one_scalar_aliased_thousands_of_times() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = format!("a: &big \"{}\"\nb: [", "x".repeat(1 << 20));
    s.push_str(&vec!["*big"; 3000].join(", "));
    s.push_str("]\n");
    write(dir.path(), "bomb.yaml", s);
    write(dir.path(), "pod.yaml", POD);
    let out = run_limited(
        dir.path(),
        &["check", "--format", "concise", "-j", "2", "."],
        &[],
        DEADLINE,
        512,
    );
    assert_sane(&out, false);
    let text = out.stdout_text();
    assert!(
        text.contains("bomb.yaml:") && text.contains("alias bomb"),
        "{text}"
    );
    assert!(text.contains("pod.yaml:5:14"), "{text}");
}

// --- quadratic work -----------------------------------------------------------

/// `n` Deployments of distinct applications sharing one service account.
fn shared_service_account(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{i}, namespace: team}}\nspec:\n  template:\n    metadata: {{labels: {{app: app{i}}}}}\n    spec:\n      serviceAccountName: shared\n      containers: [{{name: c, image: i}}]\n---\n"
            )
        })
        .collect()
}

fn shared_and_duplicated(dir: &Path, n: usize, deadline: Duration) -> Limited {
    write(dir, "shared.yaml", shared_service_account(n));
    let dups: String = (0..n)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: same, namespace: team}}\ndata: {{v: \"{i}\"}}\n---\n"))
        .collect();
    write(dir, "dups.yaml", dups);
    run_limited(
        dir,
        &[
            "check",
            "--format",
            "json",
            "-j",
            "2",
            "--select",
            "SA001,YAML003",
            ".",
        ],
        &[],
        deadline,
        MIB,
    )
}

#[test]
fn pairwise_findings_list_a_few_related_locations() {
    let dir = tempfile::tempdir().unwrap();
    let out = shared_and_duplicated(dir.path(), 300, DEADLINE);
    assert_sane(&out, false);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let sa: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "SA001")
        .collect();
    let dup: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "YAML003")
        .collect();
    assert_eq!((sa.len(), dup.len()), (300, 300));
    for d in sa.iter().chain(&dup) {
        let related = d["related"].as_array().unwrap();
        assert_eq!(related.len(), 5, "{d}");
        let last = related[4]["message"].as_str().unwrap();
        assert!(last.ends_with("and 294 more not listed"), "{last}");
    }
    let message = sa[0]["message"].as_str().unwrap();
    assert!(message.contains("and 295 more"), "{message}");
    assert!(dup[0]["message"].as_str().unwrap().contains("300 times"));
}

#[test]
#[ignore = "20,000 workloads: run by .ci/run"]
fn twenty_thousand_workloads_share_one_account() {
    let dir = tempfile::tempdir().unwrap();
    let out = shared_and_duplicated(dir.path(), 20_000, HEAVY_DEADLINE);
    assert_sane(&out, false);
    assert_eq!(out.code, Some(1));
}

#[test]
fn a_long_unknown_selector_and_big_configs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    write(
        d,
        "cfg.yaml",
        format!("ignore: [{}]\n", "Q".repeat(2 << 20)),
    );
    let out = check(d, &["--config", "cfg.yaml", "pod.yaml"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr_text().len());

    let tenants: String = (0..10_000)
        .map(|i| format!("  t{i}: [\"t{i}-*\"]\n"))
        .collect();
    let ignores: String = (0..10_000)
        .map(|i| format!("  \"dir{i}/**\": [SA002]\n"))
        .collect();
    write(
        d,
        "big.yaml",
        format!("tenants:\n{tenants}per-path-ignores:\n{ignores}"),
    );
    let pods: String = (0..2000)
        .map(|i| {
            POD.replace("name: p", &format!("name: p{i}"))
                .replace("default", &format!("t{i}-x"))
                + "---\n"
        })
        .collect();
    write(d, "pods.yaml", pods);
    let out = check(
        d,
        &["--config", "big.yaml", "--format", "concise", "pods.yaml"],
    );
    assert_sane(&out, false);
}

#[test]
fn many_suppressions_and_a_big_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pods: String = (0..3000)
        .map(|i| {
            POD.replace("name: p", &format!("name: p{i}")).replace(
                "  namespace: default",
                "  namespace: default # tenantlint: ignore[NS001] reason: legacy",
            ) + "---\n"
        })
        .collect();
    write(d, "pods.yaml", pods);
    let out = check(d, &["--write-baseline", "b.json", "pods.yaml"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr_text());
    let out = check(
        d,
        &["--baseline", "b.json", "--format", "concise", "pods.yaml"],
    );
    assert_sane(&out, false);
    assert_eq!(out.code, Some(0), "{}", out.stdout_text());
}

#[test]
fn a_megabyte_command_line() {
    // Words that are not in the source verbatim (escaped), unclosed `$(`
    // and `${`, all on one line of a `sh -c` script: the tokeniser and the
    // expansion stay linear (this took minutes).
    let words = "a\\ b $(UNCLOSED ${X \"q\\\"w\" ".repeat(20_000);
    let script = format!("mlflow server --default-artifact-root s3://b/$(TEAM) {words}");
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: mlflow, namespace: team}}\nspec:\n  containers:\n  - name: s\n    image: mlflow\n    command: [sh, -c]\n    args: [{script:?}]\n    env: [{{name: TEAM, value: team}}]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "server.yaml", pod);
    let out = check(dir.path(), &["--format", "concise", "server.yaml"]);
    assert_sane(&out, false);
}

/// In a set too big to keep its trees, an object parses its document again
/// when a rule reads it. The items of one big `kind: List` must not each
/// parse the whole list (20,000 items × 2 MB): they keep their trees. Run
/// through the library with the tree limit at 0, under the deadline.
#[test]
fn items_of_a_big_list_are_not_parsed_again_one_by_one() {
    let items: String = (0..20_000)
        .map(|i| {
            format!(
                "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: app{i}, namespace: team}}\n  spec:\n    template:\n      metadata: {{labels: {{app: app{i}}}}}\n      spec:\n        containers: [{{name: c, image: i, envFrom: [{{configMapRef: {{name: cm}}}}]}}]\n"
            )
        })
        .collect();
    let text = format!("apiVersion: v1\nkind: List\nitems:\n{items}");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let options = tenantlint::engine::CheckOptions {
            keep_trees_up_to: Some(0),
            threads: 2,
            ..Default::default()
        };
        let result = tenantlint::engine::check_sources(&[("list.yaml", &text)], &options);
        let _ = tx.send(result.objects);
    });
    let objects = rx
        .recv_timeout(HEAVY_DEADLINE)
        .expect("a 20,000-item list in a set whose trees are not kept took too long");
    assert_eq!(objects, 20_000);
}
