//! MLF001 shared-artifact-root.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, SHOWN, Severity, more_note};
use crate::model::uri::{Location, Resolved, resolve};
use crate::rules::mlflow::{server_tenant, server_what, setting_file};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::{FileId, Span};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF001",
        name: "shared-artifact-root",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "two experiments, or two tenants' servers, whose artifact roots overlap",
        docs: Docs {
            what: "Reports artifact roots that are the same location or one inside the other: \
                   between two experiments of an MLflow tracking store (`artifact_location` in \
                   the file store's `mlruns/<id>/meta.yaml`, or in the `experiments` table of \
                   an SQLite store such as `mlflow.db`, where the finding names the row: \
                   `experiments/3/artifact_location`), and between `mlflow server`s of different tenants \
                   (`--default-artifact-root`, `--artifacts-destination`, or their \
                   `MLFLOW_DEFAULT_ARTIFACT_ROOT` / `MLFLOW_ARTIFACTS_DESTINATION` environment \
                   variables, also from a ConfigMap or Secret of the set through `envFrom` or \
                   `valueFrom`, where the finding then sits). URIs are compared after normalising scheme, bucket or host, `.`, \
                   `..` and slashes, segment by segment: `s3://ml/team-a` and `s3://ml/team-ab` \
                   do not overlap; `s3://ml/mlruns` and `s3://ml/mlruns/team-a/` do. Every \
                   occurrence is reported, with the first five others as related locations \
                   (the last one says how many more there are).",
            why: "Whoever can write an artifact root can overwrite, delete or read every model, \
                  dataset sample and metric plot stored under it. Two tenants' tracking servers \
                  writing under one prefix means each tenant's credentials reach the other's \
                  models — and a registered model can be swapped for a poisoned one.",
            example: "# team-a/mlflow.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --default-artifact-root, \"s3://ml-artifacts/\"]\n---\n# team-b/mlflow.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-b\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --default-artifact-root, \"s3://ml-artifacts/team-b\"]\n",
            use_instead: "# team-a/mlflow.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-a\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --default-artifact-root, \"s3://ml-artifacts/team-a\"]\n---\n# team-b/mlflow.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mlflow\n  namespace: team-b\nspec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: ghcr.io/mlflow/mlflow:v3.1.0\n        args: [mlflow, server, --default-artifact-root, \"s3://ml-artifacts/team-b\"]\n",
            options: None,
            known_problems: Some(
                "`mlflow-artifacts:` URIs and relative roots (`./mlruns`, `./mlartifacts`) \
                 belong to their own server and never collide across servers. Roots built from \
                 variables that tenantlint cannot resolve (secrets, ConfigMaps) are not compared. \
                 Servers whose namespace is unset have no known tenant and are not compared. \
                 Outside Kubernetes, a server's tenant is the one the config's `paths:` gives \
                 its file, else its Compose project; a Dockerfile, script or workflow belongs \
                 to the Compose project of the nearest directory at or above it that has a \
                 Compose file (the image it builds, the server it starts), else to its own \
                 directory, so one deployment written in several files is one tenant. Two \
                 teams' servers in one directory need `paths:` to be told apart. \
                 Deleted experiments are history and are not compared. MLflow 3's logged \
                 models (`mlruns/<id>/models/m-…`) live inside their experiment's location by \
                 design and are not experiments.",
            ),
            references: Some(
                "- [MLflow: artifact stores](https://mlflow.org/docs/latest/self-hosting/architecture/artifact-store/)\n- [MLflow: `mlflow server`](https://mlflow.org/docs/latest/api_reference/cli.html#mlflow-server)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Who owns an artifact root.
#[derive(Clone, PartialEq, Eq)]
enum Owner {
    Experiment { name: String },
    Server { tenant: String, what: String },
}

struct Root {
    location: Location,
    raw: String,
    owner: Owner,
    file: FileId,
    span: Span,
    object: Option<usize>,
}

fn conflicts(a: &Root, b: &Root) -> bool {
    match (&a.owner, &b.owner) {
        (Owner::Experiment { .. }, Owner::Experiment { .. }) => true,
        (Owner::Server { tenant: ta, .. }, Owner::Server { tenant: tb, .. }) => ta != tb,
        _ => false,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut roots: Vec<Root> = Vec::new();
    for e in index.experiments.iter().filter(|e| e.is_active()) {
        let Some(loc) = &e.artifact_location else {
            continue;
        };
        if let Resolved::Global(location) = resolve(&loc.value) {
            let name = e
                .name
                .as_ref()
                .map(|n| n.value.clone())
                .or_else(|| e.experiment_id.clone())
                .unwrap_or_default();
            roots.push(Root {
                location,
                raw: loc.value.clone(),
                owner: Owner::Experiment { name },
                file: e.file,
                span: loc.span,
                object: None,
            });
        }
    }
    for s in &index.servers {
        let Some(tenant) = server_tenant(index, s) else {
            continue;
        };
        for flag in ["default-artifact-root", "artifacts-destination"] {
            let Some(arg) = s.server.arg(flag) else {
                continue;
            };
            if let Resolved::Global(location) = resolve(&arg.value) {
                roots.push(Root {
                    location,
                    raw: arg.value.clone(),
                    owner: Owner::Server {
                        tenant: tenant.to_string(),
                        what: server_what(index, s),
                    },
                    file: setting_file(index, s, arg),
                    span: arg.span,
                    object: arg.origin.map(|o| o.object).or(s.object()),
                });
            }
        }
    }
    // Sorted by location, equal locations are contiguous (a group), and
    // every group's ancestors come before it and its descendants follow it:
    // a sweep with a stack of enclosing groups (at most one per path
    // segment) pairs every overlapping group without comparing all pairs.
    roots.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then(a.file.cmp(&b.file))
            .then(a.span.cmp(&b.span))
    });
    let mut groups: Vec<Group> = Vec::new();
    for (i, r) in roots.iter().enumerate() {
        if groups
            .last()
            .is_none_or(|g| roots[g.members[0]].location != r.location)
        {
            groups.push(Group::default());
        }
        if let Some(g) = groups.last_mut() {
            g.add(i, &r.owner);
        }
    }
    let mut related: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    let mut stack: Vec<usize> = Vec::new();
    for g in 0..groups.len() {
        let here = &roots[groups[g].members[0]].location;
        while let Some(&top) = stack.last() {
            if roots[groups[top].members[0]].location.contains(here) {
                break;
            }
            stack.pop();
        }
        for &a in &stack {
            related[g].push(a);
            related[a].push(g);
        }
        stack.push(g);
    }
    // Conflict counts per group and owner kind, computed once.
    let mut totals: HashMap<(usize, Option<&str>), usize> = HashMap::new();
    for (gi, group) in groups.iter().enumerate() {
        for &i in &group.members {
            let r = &roots[i];
            let key = (gi, r.owner.tenant());
            let total = *totals.entry(key).or_insert_with(|| {
                std::iter::once(gi)
                    .chain(related[gi].iter().copied())
                    .map(|h| groups[h].conflicting(&r.owner))
                    .sum::<usize>()
                    // Itself, in its own group.
                    - usize::from(matches!(r.owner, Owner::Experiment { .. }))
            });
            if total == 0 {
                continue;
            }
            // The first few others: its own group, then the related ones
            // in location order.
            let mut order: Vec<usize> = related[gi].clone();
            order.push(gi);
            order.sort_unstable();
            let mut others: Vec<usize> = Vec::with_capacity(SHOWN);
            for h in order {
                groups[h].pick(&roots, i, &r.owner, SHOWN - others.len(), &mut others);
                if others.len() == SHOWN {
                    break;
                }
            }
            let Some(&first_index) = others.first() else {
                continue;
            };
            out.push(finding(index, &roots, i, first_index, &others, total));
        }
    }
}

/// Roots of one location: experiments, and servers by tenant.
#[derive(Default)]
struct Group {
    members: Vec<usize>,
    experiments: Vec<usize>,
    servers: BTreeMap<String, Vec<usize>>,
    server_count: usize,
}

impl Group {
    fn add(&mut self, i: usize, owner: &Owner) {
        self.members.push(i);
        match owner {
            Owner::Experiment { .. } => self.experiments.push(i),
            Owner::Server { tenant, .. } => {
                self.servers.entry(tenant.clone()).or_default().push(i);
                self.server_count += 1;
            }
        }
    }

    /// How many of its roots conflict with a root owned by `owner`.
    fn conflicting(&self, owner: &Owner) -> usize {
        match owner {
            Owner::Experiment { .. } => self.experiments.len(),
            Owner::Server { tenant, .. } => {
                self.server_count - self.servers.get(tenant).map_or(0, Vec::len)
            }
        }
    }

    /// Up to `room` of its roots that conflict with root `i`, into `out`.
    fn pick(&self, roots: &[Root], i: usize, owner: &Owner, room: usize, out: &mut Vec<usize>) {
        let candidates: Vec<&[usize]> = match owner {
            Owner::Experiment { .. } => vec![&self.experiments],
            Owner::Server { tenant, .. } => self
                .servers
                .iter()
                .filter(|(t, _)| *t != tenant)
                .take(room)
                .map(|(_, list)| list.as_slice())
                .collect(),
        };
        let mut picked: Vec<usize> = Vec::new();
        for list in candidates {
            for &j in list.iter().take(room + 1) {
                if picked.len() < room && j != i && conflicts(&roots[i], &roots[j]) {
                    picked.push(j);
                }
            }
        }
        // In set order, as the sweep meets them.
        picked.sort_unstable();
        out.extend(picked);
    }
}

impl Owner {
    fn tenant(&self) -> Option<&str> {
        match self {
            Owner::Experiment { .. } => None,
            Owner::Server { tenant, .. } => Some(tenant),
        }
    }
}

/// The finding on root `i`, whose first conflicting root is `first` and
/// `others` (at most [`SHOWN`]) of `total` are listed.
fn finding(
    index: &crate::index::Index,
    roots: &[Root],
    i: usize,
    first: usize,
    others: &[usize],
    total: usize,
) -> Diagnostic {
    let r = &roots[i];
    let first = &roots[first];
    let relation = if r.location == first.location {
        "is the same location as"
    } else if r.location.contains(&first.location) {
        "contains"
    } else {
        "lies inside"
    };
    let message = match (&first.owner, r.raw == first.raw) {
        (Owner::Server { tenant, .. }, true) => format!(
            "artifact root `{}` is also the artifact root of tenant `{tenant}`",
            r.raw
        ),
        (Owner::Server { tenant, .. }, false) => format!(
            "artifact root `{}` {relation} the artifact root `{}` of tenant `{tenant}`",
            r.raw, first.raw
        ),
        (Owner::Experiment { name }, true) => format!(
            "artifact location `{}` is also the artifact location of experiment `{name}`",
            r.raw
        ),
        (Owner::Experiment { name }, false) => format!(
            "artifact location `{}` {relation} the artifact location `{}` of experiment `{name}`",
            r.raw, first.raw
        ),
    };
    let help = match &r.owner {
        Owner::Server { tenant, .. } => format!(
            "give tenant `{tenant}` an artifact root of its own that no other tenant's root contains"
        ),
        Owner::Experiment { .. } => "give each experiment its own artifact location".to_string(),
    };
    let mut d = Diagnostic::new(&RULE.meta, r.file, r.span, message).help(help);
    if let Some(obj) = r.object {
        d = d.object(&index.objects[obj]);
    }
    for (n, &j) in others.iter().enumerate() {
        let o = &roots[j];
        let more = if n + 1 == others.len() {
            more_note(others.len(), total)
        } else {
            String::new()
        };
        let what = match &o.owner {
            Owner::Server { tenant, what } => format!(
                "`{what}` of tenant `{tenant}` stores artifacts at `{}`{more}",
                o.raw
            ),
            Owner::Experiment { name } => {
                format!("experiment `{name}` stores artifacts at `{}`{more}", o.raw)
            }
        };
        d = d.related(o.file, o.span, what);
    }
    d
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lint;

    fn server(ns: &str, root: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: mlflow, namespace: {ns}}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: s\n        args: [mlflow, server, --default-artifact-root, \"{root}\"]\n"
        )
    }

    fn experiment(id: &str, location: &str) -> String {
        format!(
            "artifact_location: {location}\nexperiment_id: '{id}'\nlifecycle_stage: active\nname: exp-{id}\n"
        )
    }

    #[test]
    fn nested_roots_of_two_tenants() {
        let a = server("a", "s3://ml/mlruns");
        let b = server("b", "s3://ml/mlruns/team-b/");
        let found = lint("MLF001", &[("a.yaml", &a), ("b.yaml", &b)]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].3.contains("contains"), "{found:?}");
        assert!(found[1].3.contains("lies inside"), "{found:?}");
    }

    #[test]
    fn sibling_prefixes_same_tenant_and_local_roots_do_not_collide() {
        let cases = [
            ("s3://ml/team-a", "s3://ml/team-ab", "b"),
            ("s3://ml/x", "s3://ml/x", "a"),
            ("mlflow-artifacts:/", "mlflow-artifacts:/", "b"),
            ("./mlruns", "./mlruns", "b"),
        ];
        for (ra, rb, ns_b) in cases {
            let found = lint(
                "MLF001",
                &[("a.yaml", &server("a", ra)), ("b.yaml", &server(ns_b, rb))],
            );
            assert!(found.is_empty(), "{ra} / {rb}: {found:?}");
        }
    }

    #[test]
    fn related_locations_are_bounded() {
        let files: Vec<(String, String)> = (0..60)
            .map(|i| {
                (
                    format!("mlruns/{i}/meta.yaml"),
                    experiment(&i.to_string(), "s3://ml/shared"),
                )
            })
            .chain((0..3).map(|i| (format!("t{i}.yaml"), server(&format!("t{i}"), "s3://ml/"))))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let result = crate::rules::testing::check("MLF001", &refs);
        // 60 experiments and 3 servers, each with at most SHOWN related.
        assert_eq!(result.diagnostics.len(), 63);
        for d in &result.diagnostics {
            assert!(d.related.len() <= crate::diagnostic::SHOWN);
        }
        let experiment = result
            .diagnostics
            .iter()
            .find(|d| d.message.contains("experiment"))
            .unwrap();
        assert!(
            experiment.related[4]
                .message
                .ends_with("; and 54 more not listed")
        );
        let server = result
            .diagnostics
            .iter()
            .find(|d| d.message.contains("tenant"))
            .unwrap();
        assert_eq!(server.related.len(), 2);
    }

    #[test]
    fn experiments_sharing_a_location() {
        let found = lint(
            "MLF001",
            &[
                (
                    "mlruns/1/meta.yaml",
                    &experiment("1", "file:///srv/mlruns/1"),
                ),
                ("mlruns/2/meta.yaml", &experiment("2", "/srv/mlruns/1/")),
                (
                    "mlruns/3/meta.yaml",
                    &experiment("3", "file:///srv/mlruns/3"),
                ),
            ],
        );
        let files: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(files, ["mlruns/1/meta.yaml", "mlruns/2/meta.yaml"]);
    }
}
