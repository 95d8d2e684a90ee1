//! Tenancy posture (`tenantlint tenants`, SPEC §8): every tenant against
//! every isolation control, computed from the findings of a `check` run and
//! the index's tenancy.
//!
//! A cell fails exactly when a finding of its control's rules belongs to
//! the row's tenant; it is not applicable when the tenant has nothing the
//! control is about (no workload, no MLflow server), and not checked when
//! the selection or the config turned every rule of its control off.

pub mod attribute;
pub mod controls;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::config::Config;
use crate::engine::CheckResult;
use crate::index::Index;
use crate::rules::Context;
use attribute::Owner;
pub use controls::{CONTROLS, Control, Needs};

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Ok,
    /// Indices into [`CheckResult::diagnostics`], in report order.
    Failing(Vec<usize>),
    NotApplicable,
    /// Every rule of the control is deselected or turned off.
    NotChecked,
}

impl Cell {
    /// The state as JSON and HTML name it.
    pub fn state(&self) -> &'static str {
        match self {
            Cell::Ok => "ok",
            Cell::Failing(_) => "failing",
            Cell::NotApplicable => "not_applicable",
            Cell::NotChecked => "not_checked",
        }
    }

    pub fn findings(&self) -> &[usize] {
        match self {
            Cell::Failing(f) => f,
            _ => &[],
        }
    }
}

/// One tenant's row.
#[derive(Debug)]
pub struct Row {
    pub tenant: String,
    /// Its namespaces in the linted set, in name order.
    pub namespaces: Vec<String>,
    /// One per [`CONTROLS`] entry.
    pub cells: Vec<Cell>,
    /// Findings of the tenant that no control is about.
    pub other: Vec<usize>,
}

impl Row {
    pub fn count(&self, state: &str) -> usize {
        self.cells.iter().filter(|c| c.state() == state).count()
    }

    /// Every finding of the tenant.
    pub fn findings(&self) -> usize {
        self.cells.iter().map(|c| c.findings().len()).sum::<usize>() + self.other.len()
    }
}

/// A platform namespace of the set: trusted, listed apart from tenants.
#[derive(Debug)]
pub struct PlatformNamespace {
    pub name: String,
    /// Objects of the set in it.
    pub objects: usize,
    pub findings: Vec<usize>,
}

/// The posture of a linted set.
#[derive(Debug)]
pub struct Posture {
    pub rows: Vec<Row>,
    pub platform: Vec<PlatformNamespace>,
    /// Findings that belong to no tenant and no platform namespace.
    pub unattributed: Vec<usize>,
}

/// What a tenant has, to tell which controls apply to it.
#[derive(Default)]
struct Facts {
    namespaces: Vec<String>,
    workloads: usize,
    servers: usize,
    experiments: usize,
    uses_mlflow: bool,
}

impl Facts {
    fn has(&self, needs: Needs) -> bool {
        match needs {
            Needs::Namespace => !self.namespaces.is_empty(),
            Needs::Workloads => self.workloads > 0,
            Needs::Mlflow => self.uses_mlflow,
            Needs::ArtifactOwner => self.servers > 0 || self.experiments > 0,
            Needs::Server => self.servers > 0,
        }
    }
}

/// Each tenant's facts, and the platform namespaces, from the index.
fn facts(ctx: &Context) -> (BTreeMap<String, Facts>, Vec<PlatformNamespace>) {
    use crate::rules::mlflow::{may_use_mlflow, server_declared_tenant};
    let index = ctx.index;
    let mut tenants: BTreeMap<String, Facts> = BTreeMap::new();
    let mut platform = Vec::new();
    for (ns, info) in &index.namespaces {
        match attribute::of_namespace(index, ns) {
            Owner::Tenant(t) => {
                let f = tenants.entry(t).or_default();
                f.namespaces.push(ns.clone());
                for &id in &info.users {
                    let obj = &index.objects[id];
                    if let Some(w) = obj.workload() {
                        f.workloads += 1;
                        f.uses_mlflow |= w
                            .templates
                            .iter()
                            .flat_map(|t| &t.containers)
                            .any(may_use_mlflow);
                    }
                }
            }
            Owner::Platform(name) => platform.push(PlatformNamespace {
                name,
                objects: info.users.len(),
                findings: Vec::new(),
            }),
            Owner::Nobody => {}
        }
    }
    for s in &index.servers {
        if let Some(t) = server_declared_tenant(index, s) {
            let f = tenants.entry(t.to_string()).or_default();
            f.servers += 1;
            f.uses_mlflow = true;
        }
    }
    let named = |ws, name| attribute::entity_tenant(index, ws, name);
    for e in &index.experiments {
        if let Some(t) = named(&e.workspace, &e.name) {
            let f = tenants.entry(t).or_default();
            f.experiments += 1;
            f.uses_mlflow = true;
        }
    }
    for m in &index.mlflow.registered_models {
        if let Some(t) = named(&m.workspace, &m.name) {
            tenants.entry(t).or_default().uses_mlflow = true;
        }
    }
    (tenants, platform)
}

/// The posture of `result`, read with the `index` it was checked against.
/// `enabled` lists the ids of the rules that ran.
pub fn compute(result: &CheckResult, index: &Index, config: &Config, enabled: &[&str]) -> Posture {
    let ctx = Context {
        index,
        files: &result.files,
        config,
    };
    let (mut tenants, mut platform) = facts(&ctx);
    let mut by_tenant: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut unattributed = Vec::new();
    let attributor = attribute::Attributor::new(&ctx);
    for (i, d) in result.diagnostics.iter().enumerate() {
        match attributor.owner(d) {
            Owner::Tenant(t) => by_tenant.entry(t).or_default().push(i),
            Owner::Platform(ns) => match platform.iter_mut().find(|p| p.name == ns) {
                Some(p) => p.findings.push(i),
                None => platform.push(PlatformNamespace {
                    name: ns,
                    objects: 0,
                    findings: vec![i],
                }),
            },
            Owner::Nobody => unattributed.push(i),
        }
    }
    platform.sort_by(|a, b| a.name.cmp(&b.name));
    for t in by_tenant.keys() {
        tenants.entry(t.clone()).or_default();
    }
    let checked: Vec<bool> = CONTROLS
        .iter()
        .map(|c| c.rules.iter().any(|r| enabled.contains(r)))
        .collect();
    let rows = tenants
        .into_iter()
        .map(|(tenant, facts)| {
            let mut per_control: Vec<Vec<usize>> = vec![Vec::new(); CONTROLS.len()];
            let mut other = Vec::new();
            for &i in by_tenant.get(&tenant).map(Vec::as_slice).unwrap_or(&[]) {
                match controls::control_of(&result.diagnostics[i].rule_id) {
                    Some(c) => per_control[c].push(i),
                    None => other.push(i),
                }
            }
            let cells = CONTROLS
                .iter()
                .zip(per_control)
                .zip(&checked)
                .map(|((control, found), &checked)| {
                    if !found.is_empty() {
                        Cell::Failing(found)
                    } else if !checked {
                        Cell::NotChecked
                    } else if facts.has(control.needs) {
                        Cell::Ok
                    } else {
                        Cell::NotApplicable
                    }
                })
                .collect();
            Row {
                tenant,
                namespaces: facts.namespaces,
                cells,
                other,
            }
        })
        .collect();
    Posture {
        rows,
        platform,
        unattributed,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Html,
}

/// Rendering options.
#[derive(Clone, Debug)]
pub struct Options {
    pub format: Format,
    pub color: bool,
    pub elapsed: std::time::Duration,
}

/// Write the posture in the chosen format.
pub fn write(
    out: &mut dyn Write,
    posture: &Posture,
    result: &CheckResult,
    options: &Options,
) -> io::Result<()> {
    match options.format {
        Format::Human => human::write(out, posture, result, options),
        Format::Json => json::write(out, posture, result),
        Format::Markdown => markdown::write(out, posture, result),
        Format::Html => html::write(out, posture, result),
    }
}

/// Text from the input, safe to print anywhere (SPEC §3).
pub use crate::report::safe::text as printable;

/// A message split at its backticks into `(text, is_code)` runs; a
/// backtick that nothing closes, and an empty pair, stay text.
pub fn code_segments(text: &str) -> Vec<(std::borrow::Cow<'_, str>, bool)> {
    use std::borrow::Cow;
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let opened = i % 2 == 1;
        let closed = i + 1 < parts.len();
        if opened && closed && !part.is_empty() {
            out.push((Cow::Borrowed(*part), true));
        } else if opened {
            let close = if closed { "`" } else { "" };
            out.push((Cow::Owned(format!("`{part}{close}")), false));
        } else {
            out.push((Cow::Borrowed(*part), false));
        }
    }
    out
}

/// `1 finding`, `2 findings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CheckOptions, check_sources};

    /// The posture of in-memory files with every rule on.
    fn posture_of(files: &[(&str, &str)]) -> (Posture, CheckResult) {
        let options = CheckOptions {
            threads: 1,
            keep_index: true,
            ..CheckOptions::default()
        };
        let mut result = check_sources(files, &options);
        let index = result.index.take().expect("kept");
        let enabled: Vec<&str> = crate::rules::all().map(|r| r.meta.id).collect();
        let posture = compute(&result, &index, &options.config, &enabled);
        (posture, result)
    }

    fn row<'p>(p: &'p Posture, tenant: &str) -> &'p Row {
        p.rows
            .iter()
            .find(|r| r.tenant == tenant)
            .unwrap_or_else(|| panic!("no row {tenant}: {p:?}"))
    }

    fn cell<'p>(p: &'p Posture, tenant: &str, control: &str) -> &'p Cell {
        let c = CONTROLS.iter().position(|c| c.id == control).unwrap();
        &row(p, tenant).cells[c]
    }

    fn rules_of(result: &CheckResult, cell: &Cell) -> Vec<String> {
        cell.findings()
            .iter()
            .map(|&i| result.diagnostics[i].rule_id.to_string())
            .collect()
    }

    const NAMESPACE_ONLY: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n";

    #[test]
    fn a_namespace_without_workloads_has_workload_and_mlflow_controls_not_applicable() {
        let (p, result) = posture_of(&[("a.yaml", NAMESPACE_ONLY)]);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(row(&p, "team-a").namespaces, ["team-a"]);
        assert_eq!(
            rules_of(&result, cell(&p, "team-a", "resource-quota")),
            ["QUOTA001"]
        );
        assert_eq!(
            rules_of(&result, cell(&p, "team-a", "default-deny")),
            ["NET001"]
        );
        for c in [
            "service-accounts",
            "host-access",
            "tracking-auth",
            "experiments",
        ] {
            assert_eq!(cell(&p, "team-a", c), &Cell::NotApplicable, "{c}");
        }
        assert_eq!(cell(&p, "team-a", "rbac"), &Cell::Ok);
    }

    #[test]
    fn a_cluster_role_binding_belongs_to_its_subjects_tenant() {
        let crb = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: trainer-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: trainer\n  namespace: team-a\n";
        let (p, result) = posture_of(&[("a.yaml", NAMESPACE_ONLY), ("crb.yaml", crb)]);
        // cluster-admin also reads every secret (RBAC004), on the role reference.
        assert_eq!(
            rules_of(&result, cell(&p, "team-a", "rbac")),
            ["RBAC004", "RBAC002"]
        );
        assert!(p.unattributed.is_empty(), "{:?}", result.diagnostics);
    }

    #[test]
    fn platform_default_and_unset_namespaces_are_listed_apart() {
        let files = [
            (
                "sys.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\ndata:\n  a: 1\n  a: 2\n",
            ),
            (
                "default.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
            ),
        ];
        let (p, result) = posture_of(&files);
        assert!(p.rows.is_empty(), "{p:?}");
        assert_eq!(p.platform.len(), 1);
        assert_eq!(p.platform[0].name, "kube-system");
        let platform: Vec<&str> = p.platform[0]
            .findings
            .iter()
            .map(|&i| &*result.diagnostics[i].rule_id)
            .collect();
        assert_eq!(platform, ["YAML002"]);
        let nobody: Vec<&str> = p
            .unattributed
            .iter()
            .map(|&i| &*result.diagnostics[i].rule_id)
            .collect();
        assert_eq!(nobody, ["NS001"]);
    }

    #[test]
    fn experiments_belong_to_the_tenant_of_their_workspace() {
        let meta = |id: &str, name: &str, ws: &str| {
            format!(
                "artifact_location: s3://shared/mlruns\nexperiment_id: '{id}'\nlifecycle_stage: active\nname: {name}\nworkspace: {ws}\n"
            )
        };
        let a = meta("1", "vision", "team-a");
        let b = meta("2", "churn", "team-b");
        let (p, result) = posture_of(&[("mlruns/1/meta.yaml", &a), ("mlruns/2/meta.yaml", &b)]);
        for t in ["team-a", "team-b"] {
            assert_eq!(rules_of(&result, cell(&p, t, "artifact-root")), ["MLF001"]);
            assert!(row(&p, t).namespaces.is_empty());
            assert_eq!(cell(&p, t, "resource-quota"), &Cell::NotApplicable);
            assert_eq!(cell(&p, t, "tracking-auth"), &Cell::NotApplicable);
        }
    }

    #[test]
    fn messages_split_at_matched_backticks() {
        let runs = |t: &str| -> Vec<(String, bool)> {
            code_segments(t)
                .into_iter()
                .map(|(s, c)| (s.into_owned(), c))
                .collect()
        };
        assert_eq!(
            runs("a `b` c"),
            [
                ("a ".into(), false),
                ("b".into(), true),
                (" c".into(), false)
            ]
        );
        assert_eq!(
            runs("x `` y `z"),
            [
                ("x ".into(), false),
                ("``".into(), false),
                (" y ".into(), false),
                ("`z".into(), false)
            ]
        );
    }

    #[test]
    fn every_finding_is_listed_once() {
        let files = [
            ("a.yaml", NAMESPACE_ONLY),
            (
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team-a\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: x\n",
            ),
            ("bad.yaml", "a: [\n"),
        ];
        let (p, result) = posture_of(&files);
        let mut listed: Vec<usize> = p
            .rows
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .flat_map(|c| c.findings().iter().copied())
                    .chain(r.other.iter().copied())
            })
            .chain(p.platform.iter().flat_map(|n| n.findings.iter().copied()))
            .chain(p.unattributed.iter().copied())
            .collect();
        listed.sort();
        assert_eq!(listed, (0..result.diagnostics.len()).collect::<Vec<_>>());
        assert_eq!(
            rules_of(&result, cell(&p, "team-a", "host-access")),
            ["HOST001"]
        );
    }
}
