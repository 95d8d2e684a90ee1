//! The `gitlab` format: a GitLab Code Quality report (SPEC §3) for the
//! merge-request widget — a JSON array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` /
//! `location.lines.begin`, the subset of the Code Climate issue format that
//! GitLab reads.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::engine::CheckResult;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    /// Stable while the code around the finding moves, so GitLab tells new
    /// findings from old ones between the base and the head of a merge request.
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// GitLab's scale is `info`, `minor`, `major`, `critical`, `blocker`; an
/// error blocks the merge like a major issue, a warning is minor.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// GitLab matches `location.path` against the repository: a path given as
/// absolute is made relative to the working directory (the checkout) when
/// it lies inside it.
fn repository_path<'a>(display: &'a str, cwd: Option<&Path>) -> &'a str {
    let Some(cwd) = cwd.and_then(Path::to_str) else {
        return display;
    };
    display
        .strip_prefix(cwd)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(display)
}

pub fn write(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    let cwd = std::env::current_dir().ok();
    let fingerprints = super::numbered_fingerprints(result, &result.diagnostics);
    let issues: Vec<Issue<'_>> = result
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            // A row of an SQLite store has no lines: GitLab needs one, so
            // the file's first, and the description names the row.
            let (begin, end, description) = match &d.locator {
                Some(l) => (
                    1,
                    1,
                    format!("{} {}: {l}: {}", d.rule_id, d.rule_name, d.shown_message()),
                ),
                None => {
                    let begin = d.span.start.line.max(1);
                    (
                        begin,
                        d.span.end.line.max(begin),
                        format!("{} {}: {}", d.rule_id, d.rule_name, d.shown_message()),
                    )
                }
            };
            Issue {
                description,
                check_name: &d.rule_id,
                fingerprint,
                severity: severity(d.severity),
                categories: ["Security"],
                location: Location {
                    path: repository_path(&super::file_of(result, d).display, cwd.as_deref()),
                    lines: Lines { begin, end },
                },
            }
        })
        .collect();
    super::write_json(out, &issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_inside_the_checkout_become_relative() {
        let cwd = Path::new("/builds/group/repo");
        let inside = "/builds/group/repo/k8s/pod.yaml";
        assert_eq!(repository_path(inside, Some(cwd)), "k8s/pod.yaml");
        assert_eq!(repository_path("k8s/pod.yaml", Some(cwd)), "k8s/pod.yaml");
        let sibling = "/builds/group/repo2/pod.yaml";
        assert_eq!(repository_path(sibling, Some(cwd)), sibling);
        assert_eq!(repository_path("/etc/x.yaml", None), "/etc/x.yaml");
    }
}
