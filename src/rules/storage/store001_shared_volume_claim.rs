//! STORE001 shared-volume-claim.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};
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

/// PersistentVolumes of different tenants on the same storage.
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
    for (i, (obj, backing, span, tenant)) in volumes.iter().enumerate() {
        let others: Vec<_> = volumes
            .iter()
            .enumerate()
            .filter(|(j, (o, b, _, t))| {
                *j != i
                    && t != tenant
                    && index.bundle(o.file) == index.bundle(obj.file)
                    && backing.overlaps(b)
            })
            .map(|(_, v)| v)
            .collect();
        if others.is_empty() {
            continue;
        }
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
        for (other, other_backing, other_span, other_tenant) in others {
            d = d.related(
                other.file,
                *other_span,
                format!(
                    "PersistentVolume `{}` of tenant `{other_tenant}` uses {}",
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
}
