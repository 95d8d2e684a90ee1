//! Baselines (SPEC §6): record today's findings by fingerprint — rule, file,
//! object identity and node path, never line numbers — so that old findings
//! stay hidden while the code around them moves, and new ones still fail.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, SuppressedBy};
use crate::index::Index;
use crate::load::Node;
use crate::source::{Intervals, SourceFile, Span};

/// What identifies a finding across edits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fingerprint {
    pub rule: String,
    pub file: String,
    /// `group/Kind/namespace/name` of the object, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub object: Option<String>,
    /// The node inside the object (`spec.template.spec.serviceAccountName`);
    /// for findings outside objects, the message.
    pub node: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    /// Each finding's `file` is relative to the baseline file's directory.
    pub findings: Vec<Fingerprint>,
    /// The baseline file's directory (absolute), which `file`s are relative to.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// How a baseline in `dir` names a file: its path relative to `dir`
/// (`/`-separated, with `..` to leave it), so that the baseline works from
/// any working directory. Stdin keeps its display name.
pub fn file_key(dir: &Path, file: &SourceFile) -> String {
    if file.path.as_os_str() == "-" {
        return file.display.clone();
    }
    let path = crate::config::absolute(&file.path);
    let (mut from, mut to) = (dir.components().peekable(), path.components().peekable());
    while let (Some(a), Some(b)) = (from.peek(), to.peek()) {
        if a != b {
            break;
        }
        from.next();
        to.next();
    }
    let parts: Vec<String> = from
        .map(|_| "..".to_string())
        .chain(to.map(|c| c.as_os_str().to_string_lossy().into_owned()))
        .collect();
    parts.join("/")
}

/// The absolute directory of a baseline file.
fn dir_of(path: &Path) -> PathBuf {
    let abs = crate::config::absolute(path);
    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
}

/// The dotted path of the node whose span (or whose key's span) is `target`.
fn node_path(root: &Node, target: Span) -> Option<String> {
    fn walk(node: &Node, target: Span, path: &mut Vec<String>) -> bool {
        if node.span == target {
            return true;
        }
        let contains = |s: Span| s.start.byte <= target.start.byte && target.end.byte <= s.end.byte;
        for e in node.entries() {
            let key = e.key.as_scalar().unwrap_or("?").to_string();
            if e.key.span == target {
                path.push(key);
                return true;
            }
            if contains(e.value.span) || e.value.span == target {
                path.push(key);
                if walk(&e.value, target, path) {
                    return true;
                }
                path.pop();
            }
        }
        for (i, item) in node.items().iter().enumerate() {
            if contains(item.span) {
                path.push(format!("[{i}]"));
                if walk(item, target, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = Vec::new();
    walk(root, target, &mut path).then(|| path.join(".").replace(".[", "["))
}

/// The objects of each file by where their text lies, to find those that
/// hold a finding without scanning every object for every finding.
pub struct ObjectSpans {
    by_file: HashMap<u32, Intervals>,
}

impl ObjectSpans {
    pub fn new(index: &Index) -> Self {
        let mut by_file: HashMap<u32, Intervals> = HashMap::new();
        for (i, o) in index.objects.iter().enumerate() {
            let span = o.root_span();
            by_file.entry(o.file).or_default().push((
                u64::from(span.start.byte),
                u64::from(span.end.byte),
                i,
            ));
        }
        for intervals in by_file.values_mut() {
            intervals.finish();
        }
        ObjectSpans { by_file }
    }

    /// Positions in the index of the objects of `file` whose text holds
    /// `span`, ascending.
    fn holding(&self, file: u32, span: Span) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(intervals) = self.by_file.get(&file) {
            intervals.around(
                u64::from(span.start.byte),
                u64::from(span.end.byte),
                &mut out,
            );
        }
        out.sort_unstable();
        out
    }
}

/// The fingerprint of a finding.
pub fn fingerprint(
    d: &Diagnostic,
    index: &Index,
    spans: &ObjectSpans,
    files: &[std::sync::Arc<SourceFile>],
) -> Fingerprint {
    let file = files[d.file as usize].display.clone();
    let object = d.object.as_ref().map(|o| {
        let group = o.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        format!(
            "{group}/{}/{}/{}",
            o.kind,
            o.namespace.as_deref().unwrap_or(""),
            o.name
        )
    });
    // The node path inside the object that holds the finding.
    let node = spans
        .holding(d.file, d.span)
        .into_iter()
        .find_map(|i| node_path(&index.objects[i].root(), d.span))
        .or_else(|| d.locator.clone())
        .unwrap_or_else(|| d.message.clone());
    Fingerprint {
        rule: d.rule_id.to_string(),
        file,
        object,
        node,
    }
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let bytes = crate::fsio::read_limited(path, crate::fsio::BASELINE_LIMIT)
            .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| format!("`{}` is not a tenantlint baseline: {e}", path.display()))?;
        let mut b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not a tenantlint baseline: {e}", path.display()))?;
        b.dir = dir_of(path);
        if b.version != 1 {
            return Err(format!(
                "`{}` has baseline version {}; this tenantlint reads version 1",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    /// Write `findings` (whose `file`s are the display names of `files`)
    /// with paths relative to the baseline's directory.
    pub fn write(
        path: &Path,
        mut findings: Vec<Fingerprint>,
        files: &[std::sync::Arc<SourceFile>],
    ) -> std::io::Result<usize> {
        let dir = dir_of(path);
        let by_display: HashMap<&str, &SourceFile> =
            files.iter().map(|f| (f.display.as_str(), &**f)).collect();
        for f in &mut findings {
            if let Some(file) = by_display.get(f.file.as_str()) {
                f.file = file_key(&dir, file);
            }
        }
        findings.sort();
        let n = findings.len();
        let b = Baseline {
            version: 1,
            findings,
            dir,
        };
        let mut text = serde_json::to_string_pretty(&b).map_err(std::io::Error::other)?;
        text.push('\n');
        crate::fsio::write_no_follow(path, text.as_bytes())?;
        Ok(n)
    }

    /// Move findings recorded in the baseline (as many as were recorded of
    /// each fingerprint) from `diagnostics` to `suppressed`.
    pub fn apply(
        &self,
        diagnostics: Vec<Diagnostic>,
        suppressed: &mut Vec<Diagnostic>,
        index: &Index,
        files: &[std::sync::Arc<SourceFile>],
    ) -> Vec<Diagnostic> {
        let mut budget: HashMap<&Fingerprint, usize> = HashMap::new();
        for f in &self.findings {
            *budget.entry(f).or_default() += 1;
        }
        let mut kept = Vec::with_capacity(diagnostics.len());
        let spans = ObjectSpans::new(index);
        for mut d in diagnostics {
            let mut fp = fingerprint(&d, index, &spans, files);
            fp.file = file_key(&self.dir, &files[d.file as usize]);
            match budget.get_mut(&fp) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    d.suppressed_by = Some(SuppressedBy {
                        in_source: false,
                        justification: Some("recorded in the baseline".into()),
                    });
                    suppressed.push(d);
                }
                _ => kept.push(d),
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CheckOptions, check_sources};

    const JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: default\n      containers: [{name: c, image: i}]\n";

    fn fingerprints(text: &str) -> Vec<Fingerprint> {
        let options = CheckOptions {
            fingerprints: true,
            ..CheckOptions::default()
        };
        check_sources(&[("job.yaml", text)], &options).fingerprints
    }

    #[test]
    fn fingerprints_name_the_node_and_survive_moves() {
        let before = fingerprints(JOB);
        let sa = before.iter().find(|f| f.rule == "SA002").unwrap();
        assert_eq!(sa.object.as_deref(), Some("batch/Job/team-a/train"));
        assert_eq!(sa.node, "spec.template.spec.serviceAccountName");
        let moved = format!(
            "# a comment\n\n{}",
            JOB.replace("metadata:", "metadata:\n  labels: {a: b}")
        );
        assert_eq!(fingerprints(&moved), before);
    }

    #[test]
    fn node_paths_through_lists() {
        let text = "a:\n- b: 1\n- c: [x, y]\n";
        let f = SourceFile::new(
            0,
            "t".into(),
            "t".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        let root = crate::load::parse_yaml(&f).docs.remove(0).root;
        let y = root.get("a").unwrap().items()[1].get("c").unwrap().items()[1].span;
        assert_eq!(node_path(&root, y).as_deref(), Some("a[1].c[1]"));
    }
}
