//! What the rules that group workloads share (SA001, STORE001): which
//! application a workload is, where it is deployed, and how many distinct
//! applications use one thing.

use std::collections::{BTreeMap, BTreeSet};

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Groups, bounded_list, more_note};
use crate::model::Object;
use crate::rules::{Context, RuleMeta};
use crate::source::Span;

/// The application a workload belongs to: the workload's
/// `app.kubernetes.io/name` or `app` label, then its pod template's, else the
/// workload's name.
pub fn application(obj: &Object) -> String {
    obj.app_label
        .clone()
        .or_else(|| obj.workload()?.templates.iter().find_map(|t| t.app.clone()))
        .unwrap_or_else(|| obj.name().to_string())
}

/// Where an object is deployed: its namespace, or, when that is unset, its
/// directory (the files of one directory are deployed together); a file of
/// examples or tests only with itself (SPEC §4, Bundles).
pub fn deploy_scope(obj: &Object, ctx: &Context) -> String {
    ctx.index.deploy_key(obj)
}

/// One workload's use of a shared thing (a service account, a claim).
pub struct Use<'a> {
    pub object: &'a Object,
    /// The node that names the shared thing.
    pub span: Span,
    pub app: String,
    /// [`Object::describe`] of the workload.
    pub workload: String,
}

impl<'a> Use<'a> {
    pub fn new(object: &'a Object, span: Span) -> Self {
        Use {
            object,
            span,
            app: application(object),
            workload: object.describe(),
        }
    }
}

/// The applications among `uses`. Two documents with the same kind and name
/// are one object in the cluster (the later overwrites the earlier), not two
/// applications: each workload counts with the application of its first use.
pub struct Applications<'u> {
    workloads: BTreeMap<&'u str, &'u str>,
    pub apps: BTreeSet<&'u str>,
}

impl<'u> Applications<'u> {
    pub fn of(uses: &'u [Use]) -> Self {
        let mut workloads: BTreeMap<&str, &str> = BTreeMap::new();
        for u in uses {
            workloads
                .entry(u.workload.as_str())
                .or_insert(u.app.as_str());
        }
        let apps = workloads.values().copied().collect();
        Applications { workloads, apps }
    }

    /// Whether `u` is its workload's counted use (not a redefinition of the
    /// same object under another application).
    pub fn counts(&self, u: &Use) -> bool {
        self.workloads.get(u.workload.as_str()) == Some(&u.app.as_str())
    }

    /// The applications as a list for messages: `` `a`, `b` ``, the first
    /// few and `and N more`.
    pub fn list(&self) -> String {
        bounded_list(self.apps.iter().copied(), self.apps.len())
    }
}

/// What a finding on a thing shared by applications says.
pub struct SharedWording<'w> {
    /// The message, given the applications' count and list.
    pub message: &'w dyn Fn(usize, &str) -> String,
    /// The help, given the application of the use it sits on.
    pub help: &'w dyn Fn(&str) -> String,
    /// How the other uses are named: `also uses it`, `also mounts it`.
    pub also: &'w str,
}

/// Pairwise findings (SPEC §4): when `uses` span two or more applications,
/// one finding on every counted use, with the first few of the other
/// applications' uses as related locations (and how many more there are).
pub fn report_shared(
    rule: &'static RuleMeta,
    uses: &[Use],
    wording: &SharedWording,
    out: &mut Vec<Diagnostic>,
) {
    let apps = Applications::of(uses);
    if apps.apps.len() < 2 {
        return;
    }
    let message = (wording.message)(apps.apps.len(), &apps.list());
    let groups = Groups::new(uses.iter().map(|u| u.app.as_str()));
    // The other uses of a use: all but those of its application or its
    // workload (counted, not listed, to stay linear).
    let mut per_app: HashMap<&str, usize> = HashMap::new();
    let mut per_workload: HashMap<&str, usize> = HashMap::new();
    let mut per_both: HashMap<(&str, &str), usize> = HashMap::new();
    for u in uses {
        *per_app.entry(&u.app).or_default() += 1;
        *per_workload.entry(&u.workload).or_default() += 1;
        *per_both.entry((&u.app, &u.workload)).or_default() += 1;
    }
    for (i, u) in uses.iter().enumerate() {
        if !apps.counts(u) {
            continue;
        }
        let mut d =
            Diagnostic::on(rule, u.object, u.span, message.clone()).help((wording.help)(&u.app));
        let others = groups.others(&u.app.as_str(), |j| {
            j != i && uses[j].workload != u.workload
        });
        let total = uses.len() + per_both[&(u.app.as_str(), u.workload.as_str())]
            - per_app[u.app.as_str()]
            - per_workload[u.workload.as_str()];
        for (n, &j) in others.iter().enumerate() {
            let other = &uses[j];
            let more = if n + 1 == others.len() {
                more_note(others.len(), total)
            } else {
                String::new()
            };
            d = d.related(
                other.object.file,
                other.span,
                format!(
                    "`{}` (application `{}`) {}{more}",
                    other.workload, other.app, wording.also
                ),
            );
        }
        out.push(d);
    }
}

/// One finding per rule per offending node (SPEC §4): the pods of a
/// workload that inherit one field (an Argo workflow's `hostNetwork`,
/// volumes or service account) would each report it. Keeps the first of
/// the findings pushed since `from` on each node.
pub fn one_per_node(out: &mut Vec<Diagnostic>, from: usize) {
    let mut seen: Vec<(u32, Span)> = Vec::new();
    let mut i = from;
    while i < out.len() {
        let key = (out[i].file, out[i].span);
        if seen.contains(&key) {
            out.remove(i);
        } else {
            seen.push(key);
            i += 1;
        }
    }
}
