//! Suppressions (SPEC §6): `tenantlint.io/ignore` annotations and
//! `# tenantlint: ignore[…]` / `ignore-file[…]` comments.

use crate::diagnostic::{Diagnostic, ObjectRef, SuppressedBy};
use crate::index::Index;
use crate::load::Comment;
use crate::rules;
use crate::source::{FileId, Intervals, SourceFile, Span};

pub use crate::model::k8s::IGNORE_ANNOTATION as ANNOTATION;

/// Which findings a suppression covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start on this line.
    Line(u32),
    /// Findings that start on lines `from..to` (a document).
    Lines { from: u32, to: u32 },
    /// The whole file.
    File,
    /// Findings located in this object's text, or on this object.
    Object { span: Span, object: ObjectRef },
}

#[derive(Clone, Debug)]
pub struct Suppression {
    pub file: FileId,
    /// Where the suppression is written (for LINT001 / LINT002).
    pub span: Span,
    /// Rule ids or names as written.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub scope: Scope,
    pub used: bool,
}

impl Suppression {
    fn names(&self, d: &Diagnostic) -> bool {
        self.rules
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&d.rule_id) || *r == d.rule_name)
    }

    fn covers(&self, d: &Diagnostic) -> bool {
        if d.file != self.file || !self.names(d) {
            return false;
        }
        let line = d.span.start.line;
        match &self.scope {
            Scope::Line(l) => line == *l,
            Scope::Lines { from, to } => (*from..*to).contains(&line),
            Scope::File => true,
            Scope::Object { span, object } => {
                (span.start.byte <= d.span.start.byte && d.span.end.byte <= span.end.byte)
                    || d.object.as_ref() == Some(object)
            }
        }
    }

    /// Every rule it names ran in this run (so "unused" means something).
    fn all_rules_ran(&self, enabled: &[&str]) -> bool {
        self.rules
            .iter()
            .all(|r| rules::find(r).is_some_and(|rule| enabled.contains(&rule.meta.id)))
    }
}

pub use crate::rules::lint::rule_list;

/// `SA002,NS002: reason` → (rules, reason). Without a colon: rules, no reason.
fn parse_rules_and_reason(value: &str) -> (Vec<String>, Option<String>) {
    let (rules, reason) = match value.split_once(':') {
        Some((r, reason)) => (r, Some(reason.trim().to_string()).filter(|s| !s.is_empty())),
        None => (value, None),
    };
    let rules = rules
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (rules, reason)
}

/// `tenantlint: ignore[SA002, NS002] reason` or `tenantlint: ignore-file[…] reason`.
fn parse_comment(text: &str) -> Option<(bool, Vec<String>, Option<String>)> {
    let rest = text.strip_prefix("tenantlint:")?.trim_start();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file[") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore[")?)
    };
    let (list, reason) = rest.split_once(']')?;
    let rules = list
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    Some((file_wide, rules, reason))
}

/// The suppressions written in one file's comments. `doc_starts` are the
/// first lines of the file's documents, in order.
pub fn from_comments(
    file: &SourceFile,
    comments: &[Comment],
    doc_starts: &[u32],
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in comments {
        let Some((file_wide, rules, reason)) = parse_comment(&c.text) else {
            continue;
        };
        let scope = if file_wide {
            // At the top of the file: the whole file; at the top of a later
            // document: that document (up to the next one).
            if doc_starts.first().is_none_or(|&first| c.line < first) {
                Scope::File
            } else {
                let i = doc_starts
                    .iter()
                    .position(|&start| start > c.line)
                    .unwrap_or(doc_starts.len() - 1);
                Scope::Lines {
                    from: doc_starts[i],
                    to: doc_starts.get(i + 1).copied().unwrap_or(u32::MAX),
                }
            }
        } else {
            // Alone on its line: the next line; after a node: that line.
            let before: String = file
                .line_text(c.line)
                .chars()
                .take(c.span.start.col.saturating_sub(1) as usize)
                .collect();
            if before.trim().is_empty() {
                Scope::Line(c.line + 1)
            } else {
                Scope::Line(c.line)
            }
        };
        out.push(Suppression {
            file: file.id,
            span: c.span,
            rules,
            reason,
            scope,
            used: false,
        });
    }
    out
}

/// The suppressions in objects' `tenantlint.io/ignore` annotations.
pub fn from_annotations(index: &Index) -> Vec<Suppression> {
    let mut out = Vec::new();
    for obj in &index.objects {
        let Some(node) = &obj.ignore_annotation else {
            continue;
        };
        let (rules, reason) = parse_rules_and_reason(&node.value);
        out.push(Suppression {
            file: obj.file,
            span: node.span,
            rules,
            reason,
            scope: Scope::Object {
                span: obj.root_span(),
                object: ObjectRef::of(obj),
            },
            used: false,
        });
    }
    out
}

/// Split findings into kept and suppressed, marking suppressions used.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    suppressions: &mut [Suppression],
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    if suppressions.is_empty() {
        return (diagnostics, Vec::new());
    }
    let index = Lookup::new(suppressions);
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(diagnostics.len());
    let mut suppressed = Vec::new();
    let mut candidates = Vec::new();
    let mut covering = Vec::new();
    for mut d in diagnostics {
        index.candidates(&d, &mut candidates);
        covering.clear();
        covering.extend(
            candidates
                .iter()
                .copied()
                .filter(|&i| suppressions[i].covers(&d)),
        );
        // The first suppression (in file order) gives the justification;
        // every one that covers the finding counts as used.
        if let Some(&first) = covering.first() {
            d.suppressed_by = Some(SuppressedBy {
                in_source: true,
                justification: suppressions[first].reason.clone(),
            });
        }
        for &i in &covering {
            used[i] = true;
        }
        if d.suppressed_by.is_some() {
            suppressed.push(d);
        } else {
            kept.push(d);
        }
    }
    drop(index);
    for (s, used) in suppressions.iter_mut().zip(used) {
        s.used |= used;
    }
    (kept, suppressed)
}

/// The suppressions, indexed so that each finding is compared with the
/// few that can cover it, not with all of them (findings × suppressions
/// took minutes on a repository with many of both).
struct Lookup<'o> {
    lines: std::collections::HashMap<(FileId, u32), Vec<usize>>,
    documents: std::collections::HashMap<FileId, Intervals>,
    files: std::collections::HashMap<FileId, Vec<usize>>,
    object_spans: std::collections::HashMap<FileId, Intervals>,
    objects: std::collections::HashMap<&'o ObjectRef, Vec<usize>>,
}

impl<'o> Lookup<'o> {
    fn new(suppressions: &'o [Suppression]) -> Self {
        let mut l = Lookup {
            lines: Default::default(),
            documents: Default::default(),
            files: Default::default(),
            object_spans: Default::default(),
            objects: Default::default(),
        };
        for (i, s) in suppressions.iter().enumerate() {
            match &s.scope {
                Scope::Line(line) => l.lines.entry((s.file, *line)).or_default().push(i),
                Scope::Lines { from, to } => l.documents.entry(s.file).or_default().push((
                    u64::from(*from),
                    // `to` is exclusive; the intervals are inclusive.
                    u64::from(*to).saturating_sub(1),
                    i,
                )),
                Scope::File => l.files.entry(s.file).or_default().push(i),
                Scope::Object { span, object } => {
                    l.object_spans.entry(s.file).or_default().push((
                        u64::from(span.start.byte),
                        u64::from(span.end.byte),
                        i,
                    ));
                    l.objects.entry(object).or_default().push(i);
                }
            }
        }
        for intervals in l.documents.values_mut().chain(l.object_spans.values_mut()) {
            intervals.finish();
        }
        l
    }

    /// Every suppression that may cover `d`, ascending, without repeats.
    fn candidates(&self, d: &Diagnostic, out: &mut Vec<usize>) {
        out.clear();
        let line = d.span.start.line;
        if let Some(v) = self.lines.get(&(d.file, line)) {
            out.extend(v);
        }
        if let Some(v) = self.files.get(&d.file) {
            out.extend(v);
        }
        if let Some(iv) = self.documents.get(&d.file) {
            iv.around(u64::from(line), u64::from(line), out);
        }
        if let Some(iv) = self.object_spans.get(&d.file) {
            iv.around(
                u64::from(d.span.start.byte),
                u64::from(d.span.end.byte),
                out,
            );
        }
        if let Some(v) = d.object.as_ref().and_then(|o| self.objects.get(o)) {
            out.extend(v);
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// A rule id or name that a suppression may name: a built-in rule, any other
/// id that ran, or what may be a user policy's id (`ACME001`) or name (a
/// kebab-case word that is no near miss of a built-in rule's name).
fn is_known(rule: &str, enabled: &[&str]) -> bool {
    if rules::find(rule).is_some() || enabled.iter().any(|e| e.eq_ignore_ascii_case(rule)) {
        return true;
    }
    let letters = rule.trim_end_matches(|c: char| c.is_ascii_digit());
    let policy_id = rule.len() - letters.len() == 3
        && !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_uppercase());
    let kebab = !rule.is_empty()
        && rule.len() <= 64
        && rule
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    policy_id
        || (kebab && crate::config::did_you_mean(rule, rules::all().map(|r| r.meta.name)).is_none())
}

/// LINT001 for suppressions that suppressed nothing (when every rule they name
/// ran), LINT002 for suppressions without a reason.
pub fn lint_findings(suppressions: &[Suppression], enabled: &[&str]) -> Vec<Diagnostic> {
    use rules::lint::{lint001_unused_suppression as l1, lint002_suppression_without_reason as l2};
    let mut out = Vec::new();
    for s in suppressions {
        let unknown: Vec<&str> = s
            .rules
            .iter()
            .map(String::as_str)
            .filter(|r| !is_known(r, enabled))
            .collect();
        if enabled.contains(&l1::RULE.meta.id) && !unknown.is_empty() {
            for r in unknown {
                out.push(l1::unknown_rule(s.file, s.span, r));
            }
        } else if enabled.contains(&l1::RULE.meta.id) && !s.used && s.all_rules_ran(enabled) {
            out.push(l1::diagnostic(s.file, s.span, &s.rules));
        }
        if enabled.contains(&l2::RULE.meta.id) && s.reason.is_none() {
            out.push(l2::diagnostic(s.file, s.span, &s.rules));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_syntax() {
        assert_eq!(
            parse_comment("tenantlint: ignore[SA002, NS002] batch pool"),
            Some((
                false,
                vec!["SA002".into(), "NS002".into()],
                Some("batch pool".into())
            ))
        );
        assert_eq!(
            parse_comment("tenantlint: ignore-file[default-namespace]"),
            Some((true, vec!["default-namespace".into()], None))
        );
        assert_eq!(parse_comment("tenantlint rocks"), None);
    }

    #[test]
    fn annotation_syntax() {
        assert_eq!(
            parse_rules_and_reason("SA002,NS002: batch pool shares its account by design"),
            (
                vec!["SA002".into(), "NS002".into()],
                Some("batch pool shares its account by design".into())
            )
        );
        assert_eq!(
            parse_rules_and_reason("SA002, NS002"),
            (vec!["SA002".into(), "NS002".into()], None)
        );
    }
}
