//! HOST001 host-namespace.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::model::k8s::PodTemplate;
use crate::rules::host::pods;
use crate::rules::workloads::one_per_node;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Spanned;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HOST001",
        name: "host-namespace",
        category: Category::Host,
        severity: Severity::Error,
        summary: "`hostNetwork`, `hostPID` or `hostIPC` set to true",
        docs: Docs {
            what: "Reports a pod template that sets `hostNetwork`, `hostPID` or `hostIPC` to `true`, \
                   on the `true`. Pods in platform namespaces (`kube-system`, …) are trusted and not \
                   checked; pods whose namespace is unset are.",
            why: "A pod in the node's network namespace sees and can bind every interface of the \
                  node, bypasses NetworkPolicies and can reach the kubelet and the cloud metadata \
                  service as the node does. In the host PID namespace it sees, and as root can \
                  signal or trace, the processes of every other tenant's pods on the node — \
                  including their environment and command lines, where tokens hide. The host IPC \
                  namespace exposes their shared memory. Any of the three turns a tenant into a \
                  neighbour of every other tenant scheduled on the same node.",
            example: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: profiler\n  namespace: team-a\nspec:\n  serviceAccountName: profiler\n  hostPID: true\n  containers:\n  - name: perf\n    image: ml/perf:1.0\n",
            use_instead: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: profiler\n  namespace: team-a\nspec:\n  serviceAccountName: profiler\n  shareProcessNamespace: true\n  containers:\n  - name: perf\n    image: ml/perf:1.0\n",
            options: None,
            known_problems: Some(
                "Node agents (log shippers, CNI and GPU device plugins, monitoring exporters) \
                 legitimately need the host namespaces; deploy them to a platform namespace \
                 (listed under `platform-namespaces:` in the config) rather than a tenant's.",
            ),
            references: Some(
                "- [Kubernetes: Pod Security Standards, baseline (host namespaces)](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)",
            ),
        },
    },
    check: Check::Object(check),
};

/// A host setting of a pod.
type HostSetting = fn(&PodTemplate) -> Option<&Spanned<bool>>;

/// Field, how the model holds it, what it shares, and how to fix it.
const HOST_NAMESPACES: &[(&str, HostSetting, &str, &str)] = &[
    (
        "hostNetwork",
        |t| t.host_namespaces.as_ref()?.network.as_ref(),
        "network",
        "remove `hostNetwork: true` and expose the pod's ports through a Service",
    ),
    (
        "hostPID",
        |t| t.host_namespaces.as_ref()?.pid.as_ref(),
        "process",
        "remove `hostPID: true`; use `shareProcessNamespace: true` to see the pod's own processes",
    ),
    (
        "hostIPC",
        |t| t.host_namespaces.as_ref()?.ipc.as_ref(),
        "IPC",
        "remove `hostIPC: true`",
    ),
];

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let from = out.len();
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    for (pod, t) in pods(obj) {
        for (field, setting, shared, help) in HOST_NAMESPACES {
            if let Some(value) = setting(t).filter(|v| v.value) {
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        value.span,
                        format!("{pod} shares the node's {shared} namespace: `{field}` is `true`"),
                    )
                    .help(*help),
                );
            }
        }
    }
    one_per_node(out, from);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn each_true_field_on_its_value() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  hostNetwork: true\n  hostPID: yes\n  hostIPC: false\n  containers: [{name: c, image: i}]\n";
        assert_eq!(positions("HOST001", text), [(5, 16), (6, 12)]);
    }

    #[test]
    fn message_names_the_workload_and_role() {
        let text = "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: r, namespace: t}\nspec:\n  headGroupSpec:\n    template:\n      spec:\n        hostIPC: true\n        containers: [{name: c}]\n";
        let found = lint("HOST001", &[("t.yaml", text)]);
        assert_eq!(
            found[0].3,
            "`RayCluster t/r` (head) shares the node's IPC namespace: `hostIPC` is `true`"
        );
    }

    #[test]
    fn platform_namespaces_are_trusted_unset_ones_are_not() {
        let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, namespace: kube-system}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c}]\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c}]\n";
        assert_eq!(positions("HOST001", text), [(16, 20)]);
    }

    #[test]
    fn quoted_true_is_a_string_not_a_boolean() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  hostNetwork: \"true\"\n  containers: [{name: c}]\n";
        assert!(positions("HOST001", text).is_empty());
    }
}
