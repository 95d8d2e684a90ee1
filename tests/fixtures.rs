//! The data-driven fixture test: every `fixtures/<RULE>/fail/*` case must be
//! flagged by RULE exactly on the lines marked `# expect: RULE` (and nowhere
//! else), and every `fixtures/<RULE>/pass/*` case must give RULE no finding.
//! A case is a file, or a directory linted as one set.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tenantlint::engine::{CheckOptions, Selection, check};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// (display path, line) of every `# expect: ID` marker for `rule` under `case`.
fn expected(case: &Path, rule: &str) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    let files: Vec<PathBuf> = if case.is_dir() {
        walk(case)
    } else {
        vec![case.to_path_buf()]
    };
    for f in files {
        // Sources without lines (SQLite stores) are expected in `expect.txt`:
        // `<path in the case>[<locator>]: ID, ID`, one finding a line.
        if f.file_name().is_some_and(|n| n == "expect.txt") {
            let text = std::fs::read_to_string(&f).unwrap();
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                if let Some((at, ids)) = line.rsplit_once("]: ")
                    && ids.split([',', ' ']).any(|id| id.trim() == rule)
                {
                    let dir = case.to_string_lossy().replace('\\', "/");
                    out.insert((format!("{dir}/{at}]"), 0));
                }
            }
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for (i, line) in text.lines().enumerate() {
            // `# expect: ID` marks its own line; `# expect-next: ID` (alone on
            // a line) marks the next one, for lines whose comment is the
            // thing under test.
            for (marker, offset) in [("# expect:", 1), ("# expect-next:", 2)] {
                if let Some((_, ids)) = line.split_once(marker)
                    && ids.split([',', ' ']).any(|id| id.trim() == rule)
                {
                    out.insert((f.to_string_lossy().replace('\\', "/"), i as u32 + offset));
                }
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Findings of `rule` when every rule runs (so that suppressions of other
/// rules are judged as in a real run).
/// A case directory may hold its own `.tenantlint.yaml` (e.g. the
/// `policies:` that POL002 cases need).
fn findings(case: &Path, rule: &str) -> BTreeSet<(String, u32)> {
    let config_file = case.join(tenantlint::config::FILE_NAME);
    let config = if config_file.is_file() {
        tenantlint::config::Config::load(&config_file).expect("fixture config is valid")
    } else {
        tenantlint::config::Config::default()
    };
    let options = CheckOptions {
        paths: vec![case.to_path_buf()],
        selection: Selection::default(),
        threads: 1,
        config: std::sync::Arc::new(config),
        ..CheckOptions::default()
    };
    let result = check(&options).expect("fixture paths exist");
    result
        .diagnostics
        .iter()
        .filter(|d| d.rule_id == rule)
        .map(|d| {
            let display = &result.files[d.file as usize].display;
            match &d.locator {
                Some(l) => (format!("{display}[{l}]"), 0),
                None => (display.clone(), d.span.start.line),
            }
        })
        .collect()
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn every_rule_has_fixtures_and_they_hold() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in tenantlint::rules::all() {
        let id = rule.meta.id;
        let dir = fixtures_dir().join(id);
        let fail = cases(&dir.join("fail"));
        let pass = cases(&dir.join("pass"));
        if fail.is_empty() || pass.is_empty() {
            failures.push(format!("{id}: needs fixtures in fail/ and pass/"));
            continue;
        }
        for case in fail {
            let want = expected(&case, id);
            if want.is_empty() {
                failures.push(format!("{}: no `# expect: {id}` marker", case.display()));
            }
            let got = findings(&case, id);
            if want != got {
                failures.push(format!(
                    "{}: expected {id} at {:?}, got {:?}",
                    case.display(),
                    want,
                    got
                ));
            }
            checked += 1;
        }
        for case in pass {
            let got = findings(&case, id);
            if !got.is_empty() {
                failures.push(format!(
                    "{}: {id} should be silent, got {:?}",
                    case.display(),
                    got
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
    assert!(checked > 0);
}
