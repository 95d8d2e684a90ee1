//! STORE001 shared-volume-claim.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, SHOWN, Severity, more_note};
use crate::model::storage::{Backing, RefKind};
use crate::model::{Object, Spec};
use crate::rules::workloads::{SharedWording, Use, deploy_scope, report_shared};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Span;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "STORE001",
        name: "shared-volume-claim",
        category: Category::Storage,
        severity: Severity::Error,
        summary: "one volume claim used by different applications, or one volume backing different tenants",
        docs: Docs {
            what: "Reports a PersistentVolumeClaim that workloads of different applications \
                   mount (told apart as by SA001: the `app.kubernetes.io/name` label, then the \
                   `app` label, then the workload's name), on every `claimName` that names it; \
                   claims that every workload mounts read-only are left alone. Also reports \
                   PersistentVolumes bound to claims of different tenants \
                   (`spec.claimRef.namespace`) that are backed by the same storage: the same \
                   NFS export (or one inside the other), the same `hostPath` directory (or one \
                   inside the other), or the same CSI driver and `volumeHandle`.",
            why: "A claim is storage: every pod that mounts it can read, overwrite and delete \
                  whatever the others keep there — checkpoints, datasets, model artifacts, \
                  credentials in notebooks. When two applications share one, a bug or a \
                  compromise in either reaches the data of both; when two tenants' volumes \
                  point at the same export, the namespaces and claims that seem to separate \
                  them do not.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: notebook}\n    spec:\n      containers: [{name: nb, image: jupyter/base}]\n      volumes:\n      - name: work\n        persistentVolumeClaim:\n          claimName: ml-data\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: trainer}\n    spec:\n      restartPolicy: Never\n      containers: [{name: train, image: ml/train}]\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: ml-data\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: notebook}\n    spec:\n      containers: [{name: nb, image: jupyter/base}]\n      volumes:\n      - name: work\n        persistentVolumeClaim:\n          claimName: notebook-work\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: trainer}\n    spec:\n      restartPolicy: Never\n      containers: [{name: train, image: ml/train}]\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: ml-data\n          readOnly: true\n",
            options: None,
            known_problems: Some(
                "Workloads without a namespace are grouped by directory, as they are deployed \
                 together. Claims created by a StatefulSet's `volumeClaimTemplates` are one \
                 per pod and never shared. Storage is compared as written: two NFS server \
                 names for one machine, or CSI handles that encode the same volume \
                 differently, are not recognised. Each file below an `examples`, `samples`, `docs`, `test`, `tests`, `testdata` \
                 or `e2e` directory of its repository (the nearest directory with `.git` or a \
                 config file) is a case of its own, grouped only with itself.",
            ),
            references: Some(
                "- [Kubernetes: persistent volumes](https://kubernetes.io/docs/concepts/storage/persistent-volumes/)",
            ),
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    shared_claims(ctx, out);
    shared_volumes(ctx, out);
}

/// One claim mounted by workloads of different applications.
fn shared_claims(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // (namespace or directory, claim) -> (uses, whether each only reads)
    let mut groups: BTreeMap<(String, String), Vec<(Use, bool)>> = BTreeMap::new();
    for obj in &index.objects {
        let Some(w) = obj.workload() else { continue };
        if !index.tenancy.applies_to(obj) {
            continue;
        }
        let scope = deploy_scope(obj, ctx);
        for t in &w.templates {
            for r in &t.refs {
                if r.kind != RefKind::Claim {
                    continue;
                }
                let claim = r.name.as_str();
                groups
                    .entry((scope.clone(), claim.to_string()))
                    .or_default()
                    .push((Use::new(obj, r.name.span), r.read_only));
            }
        }
    }
    for ((_, claim), entries) in groups {
        if entries.iter().all(|(_, read_only)| *read_only) {
            continue;
        }
        let uses: Vec<Use> = entries.into_iter().map(|(u, _)| u).collect();
        let wording = SharedWording {
            message: &|n, list| {
                format!("volume claim `{claim}` is mounted by {n} applications ({list})")
            },
            help: &|app| {
                format!("give `{app}` a claim of its own, or mount the shared data read-only")
            },
            also: "also mounts it",
        };
        report_shared(&RULE.meta, &uses, &wording, out);
    }
}

/// Storage that volumes can share; two volumes of different places never
/// overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Place<'a> {
    Nfs(&'a str),
    Host,
    Csi(&'a str, &'a str),
}

/// Which volumes can share storage with one on `backing` (those of the
/// same place), and its path within the place: the same NFS server, the
/// host, or one CSI volume (whose only path is `/`).
fn place(backing: &Backing) -> (Place<'_>, &str) {
    match backing {
        Backing::Nfs { server, path } => (Place::Nfs(server), path),
        Backing::HostPath(path) => (Place::Host, path),
        Backing::Csi { driver, handle } => (Place::Csi(driver, handle), "/"),
    }
}

/// `inner` is `outer` or a directory inside it (both normalised: `/` or
/// `/a/b`, no trailing `/`).
fn inside(outer: &str, inner: &str) -> bool {
    outer == "/"
        || inner == outer
        || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
}

/// Paths in the order of a walk of their directory tree: every directory
/// is followed at once by everything inside it (plain string order would
/// put `/a-b` between `/a` and `/a/c`).
fn tree_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |p| str::split(p, '/').filter(|s| !s.is_empty());
    parts(a).cmp(parts(b))
}

/// For paths in [`tree_order`]: how many of them each one overlaps (is
/// inside, equal to or holds), itself included. Each path's ancestors are
/// the stack of a walk, its descendants the run that follows it: linear
/// apart from one binary search per distinct path.
fn overlap_counts(paths: &[&str]) -> Vec<usize> {
    let mut counts = vec![0; paths.len()];
    // (first path of an ancestor class, count of it and its ancestors)
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < paths.len() {
        let j = i + paths[i..].partition_point(|p| *p == paths[i]);
        while stack
            .last()
            .is_some_and(|&(s, _)| !inside(paths[s], paths[i]))
        {
            stack.pop();
        }
        let above = stack.last().map_or(0, |&(_, n)| n);
        let below = paths[j..].partition_point(|p| inside(paths[i], p));
        counts[i..j].fill(above + (j - i) + below);
        stack.push((i, above + (j - i)));
        i = j;
    }
    counts
}

/// PersistentVolumes of different tenants on the same storage. Volumes are
/// grouped by bundle and place and walked in path order, so that each one
/// finds the others it overlaps among its ancestors, its own path and the
/// run of paths inside it (not by comparing every pair); the first few of
/// other tenants are listed and the rest counted.
fn shared_volumes(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let mut volumes: Vec<(&Object, &Backing, Span, &str)> = Vec::new();
    for obj in &index.objects {
        let Spec::PersistentVolume(pv) = &obj.spec else {
            continue;
        };
        let Some(tenant) = pv
            .claim_namespace
            .as_deref()
            .and_then(|ns| index.tenancy.tenant_of(ns))
        else {
            continue;
        };
        if let Some((backing, span)) = &pv.backing {
            volumes.push((obj, backing, *span, tenant));
        }
    }
    let mut groups: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (i, (obj, backing, ..)) in volumes.iter().enumerate() {
        groups
            .entry((index.bundle(obj.file), place(backing).0))
            .or_default()
            .push(i);
    }
    let mut found: Vec<(usize, Vec<usize>, usize)> = Vec::new();
    for mut members in groups.into_values() {
        if members.len() < 2 {
            continue;
        }
        let path = |v: usize| place(volumes[v].1).1;
        let tenant = |v: usize| volumes[v].3;
        members.sort_by(|&a, &b| {
            tree_order(path(a), path(b))
                .then_with(|| tenant(a).cmp(tenant(b)))
                .then(a.cmp(&b))
        });
        let paths: Vec<&str> = members.iter().map(|&v| path(v)).collect();
        let all = overlap_counts(&paths);
        // The same, among each tenant's volumes only (kept in path order).
        let mut own = vec![0; members.len()];
        let mut by_tenant: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (k, &v) in members.iter().enumerate() {
            by_tenant.entry(tenant(v)).or_default().push(k);
        }
        for positions in by_tenant.values() {
            let sub: Vec<&str> = positions.iter().map(|&k| paths[k]).collect();
            for (&k, n) in positions.iter().zip(overlap_counts(&sub)) {
                own[k] = n;
            }
        }
        // The next position of another tenant than each position's, to
        // skip a tenant's run in one step.
        let mut next_other = vec![members.len(); members.len()];
        for k in (0..members.len().saturating_sub(1)).rev() {
            next_other[k] = if tenant(members[k + 1]) != tenant(members[k]) {
                k + 1
            } else {
                next_other[k + 1]
            };
        }
        // Up to SHOWN positions in `range` of a tenant other than `t`.
        let pick = |range: std::ops::Range<usize>, t: &str, picked: &mut Vec<usize>| {
            let mut k = range.start;
            while k < range.end && picked.len() < SHOWN {
                if tenant(members[k]) == t {
                    k = next_other[k];
                } else {
                    picked.push(k);
                    k += 1;
                }
            }
        };
        // The walk again, listing the first few others of each volume.
        let mut stack: Vec<std::ops::Range<usize>> = Vec::new();
        let mut i = 0;
        while i < paths.len() {
            let j = i + paths[i..].partition_point(|p| *p == paths[i]);
            while stack
                .last()
                .is_some_and(|r| !inside(paths[r.start], paths[i]))
            {
                stack.pop();
            }
            let below = j..j + paths[j..].partition_point(|p| inside(paths[i], p));
            for k in i..j {
                let total = all[k] - own[k];
                if total == 0 {
                    continue;
                }
                let t = tenant(members[k]);
                let mut picked = Vec::with_capacity(SHOWN);
                for r in &stack {
                    pick(r.clone(), t, &mut picked);
                }
                pick(i..j, t, &mut picked);
                pick(below.clone(), t, &mut picked);
                let mut related: Vec<usize> = picked.into_iter().map(|p| members[p]).collect();
                related.sort_unstable();
                found.push((members[k], related, total));
            }
            stack.push(i..j);
            i = j;
        }
    }
    found.sort_by_key(|(v, ..)| *v);
    for (v, related, total) in found {
        let (obj, backing, span, tenant) = &volumes[v];
        let mut d = Diagnostic::on(
            &RULE.meta,
            obj,
            *span,
            format!(
                "{} of tenant `{tenant}` is shared with volumes of other tenants",
                backing.describe()
            ),
        )
        .help(format!("give tenant `{tenant}` storage of its own"));
        for (n, &o) in related.iter().enumerate() {
            let (other, other_backing, other_span, other_tenant) = &volumes[o];
            let more = if n + 1 == related.len() {
                more_note(related.len(), total)
            } else {
                String::new()
            };
            d = d.related(
                other.file,
                *other_span,
                format!(
                    "PersistentVolume `{}` of tenant `{other_tenant}` uses {}{more}",
                    other.name(),
                    other_backing.describe()
                ),
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn job(name: &str, app: &str, claim: &str, read_only: bool) -> String {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}, namespace: t}}\nspec:\n  template:\n    metadata: {{labels: {{app: {app}}}}}\n    spec:\n      containers: [{{name: c, image: i}}]\n      volumes:\n      - name: v\n        persistentVolumeClaim: {{claimName: {claim}, readOnly: {read_only}}}\n---\n"
        )
    }

    #[test]
    fn every_mount_by_different_applications() {
        let text = job("a", "a", "data", false) + &job("b", "b", "data", false);
        assert_eq!(positions("STORE001", &text), [(11, 44), (23, 44)]);
    }

    #[test]
    fn one_application_other_claims_or_read_only() {
        let same_app = job("a", "x", "data", false) + &job("b", "x", "data", false);
        assert!(positions("STORE001", &same_app).is_empty());
        let other = job("a", "a", "data", false) + &job("b", "b", "other", false);
        assert!(positions("STORE001", &other).is_empty());
        let read_only = job("a", "a", "data", true) + &job("b", "b", "data", true);
        assert!(positions("STORE001", &read_only).is_empty());
        let one_writer = job("a", "a", "data", false) + &job("b", "b", "data", true);
        assert_eq!(positions("STORE001", &one_writer).len(), 2);
    }

    #[test]
    fn read_only_mounts_count_as_read_only() {
        let mounted = |name: &str| {
            format!(
                "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}, namespace: t}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        volumeMounts: [{{name: v, mountPath: /d, readOnly: true}}]\n      volumes:\n      - name: v\n        persistentVolumeClaim: {{claimName: data}}\n---\n"
            )
        };
        assert!(positions("STORE001", &(mounted("a") + &mounted("b"))).is_empty());
    }

    fn pv(name: &str, ns: &str, source: &str) -> String {
        format!(
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {name}\nspec:\n  claimRef: {{namespace: {ns}, name: data}}\n  {source}\n---\n"
        )
    }

    #[test]
    fn volumes_of_different_tenants_on_one_export() {
        let nfs = pv("a", "ta", "nfs: {server: nas, path: /exports/ml}")
            + &pv("b", "tb", "nfs: {server: NAS, path: /exports/ml/}");
        assert_eq!(positions("STORE001", &nfs), [(7, 28), (15, 28)]);
        let nested =
            pv("a", "ta", "hostPath: {path: /data}") + &pv("b", "tb", "hostPath: {path: /data/b}");
        assert_eq!(positions("STORE001", &nested).len(), 2);
        let csi = pv(
            "a",
            "ta",
            "csi: {driver: efs.csi.aws.com, volumeHandle: fs-1}",
        ) + &pv(
            "b",
            "tb",
            "csi: {driver: efs.csi.aws.com, volumeHandle: fs-1}",
        );
        assert_eq!(positions("STORE001", &csi).len(), 2);
    }

    #[test]
    fn volumes_of_one_tenant_or_apart() {
        let same = pv("a", "ta", "nfs: {server: nas, path: /ml}")
            + &pv("b", "ta", "nfs: {server: nas, path: /ml}");
        assert!(positions("STORE001", &same).is_empty());
        let apart = pv("a", "ta", "nfs: {server: nas, path: /ml/a}")
            + &pv("b", "tb", "nfs: {server: nas, path: /ml/b}");
        assert!(positions("STORE001", &apart).is_empty());
        let platform =
            pv("a", "ta", "hostPath: {path: /d}") + &pv("b", "kube-system", "hostPath: {path: /d}");
        assert!(positions("STORE001", &platform).is_empty());
    }
    /// Every finding of STORE001 with its related messages.
    fn findings(text: &str) -> Vec<(u32, Vec<String>)> {
        use crate::engine::{CheckOptions, Selection, check_sources};
        let options = CheckOptions {
            selection: Selection {
                select: vec!["STORE001".into()],
                ignore: vec![],
            },
            threads: 1,
            ..CheckOptions::default()
        };
        check_sources(&[("t.yaml", text)], &options)
            .diagnostics
            .into_iter()
            .filter(|d| d.rule_id == "STORE001")
            .map(|d| {
                let related = d.related.into_iter().map(|r| r.message).collect();
                (d.span.start.line, related)
            })
            .collect()
    }

    #[test]
    fn paths_nest_in_tree_order_not_string_order() {
        // `/d/a-b` sorts between `/d/a` and `/d/a/c` as plain strings.
        let text = pv("a", "ta", "hostPath: {path: /d/a}")
            + &pv("b", "tb", "hostPath: {path: /d/a-b}")
            + &pv("c", "tc", "hostPath: {path: /d/a/c}")
            + &pv("r", "tr", "nfs: {server: s, path: /}")
            + &pv("s", "ts", "nfs: {server: s, path: /x/y}")
            + &pv("o", "to", "nfs: {server: other, path: /x/y}");
        let got = findings(&text);
        let lines: Vec<u32> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [7, 23, 31, 39]);
        assert_eq!(
            got[0].1,
            ["PersistentVolume `c` of tenant `tc` uses host path `/d/a/c`"]
        );
        assert_eq!(
            got[1].1,
            ["PersistentVolume `a` of tenant `ta` uses host path `/d/a`"]
        );
        assert_eq!(
            got[2].1,
            ["PersistentVolume `s` of tenant `ts` uses NFS export `s:/x/y`"]
        );
    }

    #[test]
    fn many_volumes_on_one_export_list_a_few() {
        // 200 volumes of 100 tenants (two each) on one export and inside it:
        // each finding lists five others and counts the rest.
        let mut text = String::new();
        for i in 0..200 {
            let path = if i % 3 == 0 {
                "/ml".to_string()
            } else {
                format!("/ml/{i}")
            };
            text += &pv(
                &format!("v{i}"),
                &format!("t{}", i / 2),
                &format!("hostPath: {{path: {path}}}"),
            );
        }
        // A volume beside them (`/ml2`) overlaps none.
        text += &pv("apart", "tz", "hostPath: {path: /ml2}");
        let got = findings(&text);
        assert_eq!(got.len(), 200);
        for (i, (_, related)) in got.iter().enumerate() {
            assert!(related.len() <= 5, "{related:?}");
            let own_tenant = format!("`t{}`", i / 2);
            assert!(
                related.iter().all(|m| !m.contains(&own_tenant)),
                "{related:?}"
            );
            assert!(related.iter().all(|m| !m.contains("/ml2")), "{related:?}");
        }
        // `/ml` (volume 0, tenant t0) overlaps every other volume but its
        // tenant's volume 1: 198 others.
        assert_eq!(got[0].1.len(), 5);
        assert!(
            got[0].1[4].ends_with("; and 193 more not listed"),
            "{:?}",
            got[0].1
        );
        // `/ml/1` (tenant t0) overlaps the 67 volumes on `/ml`, less its
        // own tenant's volume 0: 66.
        assert!(
            got[1].1[4].ends_with("; and 61 more not listed"),
            "{:?}",
            got[1].1
        );
    }

    #[test]
    fn overlap_counts_count_ancestors_equals_and_descendants() {
        let mut paths = vec!["/", "/a", "/a/b", "/a/b", "/a-b", "/a/c/d", "/b"];
        paths.sort_by(|a, b| super::tree_order(a, b));
        assert_eq!(paths, ["/", "/a", "/a/b", "/a/b", "/a/c/d", "/a-b", "/b"]);
        assert_eq!(super::overlap_counts(&paths), [7, 5, 4, 4, 3, 2, 2]);
    }
}
