//! HOST002 host-path-volume.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::host::pods;
use crate::rules::workloads::one_per_node;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HOST002",
        name: "host-path-volume",
        category: Category::Host,
        severity: Severity::Error,
        summary: "a `hostPath` volume (node storage shared by every tenant)",
        docs: Docs {
            what: "Reports a pod volume of type `hostPath`, on the volume's `hostPath:` key (the \
                   message names the path). Read-only mounts are reported too. Pods in platform \
                   namespaces (`kube-system`, …) are trusted and not checked; pods whose namespace \
                   is unset are.",
            why: "A `hostPath` volume is the node's own file system, which every tenant's pods on \
                  that node share: one tenant can read what another left in the same directory \
                  (datasets, checkpoints, cached credentials), fill the node's disk, or — through \
                  paths such as `/var/run/docker.sock`, `/var/lib/kubelet` or `/etc` — take over \
                  the node and every pod on it. Even a read-only mount exposes other tenants' \
                  files and the node's secrets.",
            example: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        volumeMounts: [{name: data, mountPath: /data}]\n      volumes:\n      - name: data\n        hostPath:\n          path: /mnt/datasets\n",
            use_instead: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n        volumeMounts: [{name: data, mountPath: /data}]\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: team-a-datasets\n",
            options: None,
            known_problems: Some(
                "Node agents (log shippers, CSI and device plugins) legitimately mount host paths; \
                 deploy them to a platform namespace (listed under `platform-namespaces:` in the \
                 config) rather than a tenant's. `hostPath` PersistentVolumes are cluster-scoped \
                 and not reported here (see STORE001).",
            ),
            references: Some(
                "- [Kubernetes: hostPath volumes](https://kubernetes.io/docs/concepts/storage/volumes/#hostpath)\n- [Kubernetes: Pod Security Standards, baseline (HostPath volumes)](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let from = out.len();
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    for (pod, t) in pods(obj) {
        for volume in &t.host_path_volumes {
            let name = volume.name.as_deref().unwrap_or("<unnamed>");
            let message = match &volume.path {
                Some(path) => {
                    format!("{pod} mounts the node's `{path}` through `hostPath` volume `{name}`")
                }
                None => format!("{pod} mounts node storage through `hostPath` volume `{name}`"),
            };
            out.push(
                Diagnostic::on(&RULE.meta, obj, volume.key_span, message).help(
                    "use a PersistentVolumeClaim, an `emptyDir` or a CSI volume instead of node storage",
                ),
            );
        }
    }
    one_per_node(out, from);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn on_the_host_path_key_naming_the_path() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n      volumes:\n      - name: sock\n        hostPath: {path: /var/run/docker.sock, type: Socket}\n      - name: scratch\n        emptyDir: {}\n";
        let found = lint("HOST002", &[("t.yaml", text)]);
        assert_eq!((found.len(), found[0].1, found[0].2), (1, 10, 9));
        assert_eq!(
            found[0].3,
            "`Deployment t/d` mounts the node's `/var/run/docker.sock` through `hostPath` volume `sock`"
        );
    }

    #[test]
    fn platform_namespaces_are_trusted() {
        let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, namespace: kube-system}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n      volumes: [{name: log, hostPath: {path: /var/log}}]\n";
        assert!(positions("HOST002", text).is_empty());
    }

    #[test]
    fn persistent_volumes_are_not_pods() {
        let text = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  hostPath: {path: /mnt/data}\n";
        assert!(positions("HOST002", text).is_empty());
    }
}
