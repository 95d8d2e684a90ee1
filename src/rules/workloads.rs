//! What the rules that group workloads share (SA001, STORE001): which
//! application a workload is, where it is deployed, and how many distinct
//! applications use one thing.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Object;
use crate::model::build::parent_dir;
use crate::rules::Context;
use crate::source::Span;

/// The application a workload belongs to: the workload's
/// `app.kubernetes.io/name` or `app` label, then its pod template's, else the
/// workload's name.
pub fn application(obj: &Object) -> String {
    obj.label("app.kubernetes.io/name")
        .or_else(|| obj.label("app"))
        .map(str::to_string)
        .or_else(|| obj.workload()?.templates.iter().find_map(|t| t.app.clone()))
        .unwrap_or_else(|| obj.name().to_string())
}

/// Where an object is deployed: its namespace, or, when that is unset, its
/// directory (the files of one directory are deployed together).
pub fn deploy_scope(obj: &Object, ctx: &Context) -> String {
    match obj.namespace() {
        Some(ns) => format!("ns:{ns}"),
        None => format!("dir:{}", parent_dir(&ctx.file(obj.file).display)),
    }
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

    /// The applications as a list for messages: `` `a`, `b` ``.
    pub fn list(&self) -> String {
        self.apps
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
