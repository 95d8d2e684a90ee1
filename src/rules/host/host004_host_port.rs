//! HOST004 host-port.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::host::{containers, pods};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HOST004",
        name: "host-port",
        category: Category::Host,
        severity: Severity::Warning,
        summary: "a container `hostPort`",
        docs: Docs {
            what: "Reports a container port with a `hostPort` (other than `0`, which means none), \
                   on the `hostPort` value, in every container of the pod (init, ephemeral and \
                   sidecar containers included). A pod with `hostNetwork: true` and a `hostPort` \
                   breaks two rules and gets two findings: HOST001 on `hostNetwork`, this one on \
                   the port. Pods in platform namespaces (`kube-system`, …) are trusted and not checked; pods \
                   whose namespace is unset are.",
            why: "A `hostPort` opens the port on the node's own address, outside the pod network: \
                  NetworkPolicies that isolate the tenant do not apply to traffic that reaches it, \
                  every workload that can reach the node can reach the pod, and only one pod per \
                  node can hold the port, so one tenant's pod can keep another's from being \
                  scheduled.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: serving\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: serving\n      containers:\n      - name: model\n        image: ml/serve:1.0\n        ports:\n        - containerPort: 8080\n          hostPort: 8080\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: serving\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: serving\n      containers:\n      - name: model\n        image: ml/serve:1.0\n        ports:\n        - containerPort: 8080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: serving\n  namespace: team-a\nspec:\n  selector: {app: serving}\n  ports:\n  - port: 80\n    targetPort: 8080\n",
            options: None,
            known_problems: None,
            references: Some(
                "- [Kubernetes: configuration best practices (services)](https://kubernetes.io/docs/concepts/configuration/overview/#services)\n- [Kubernetes: Pod Security Standards, baseline (host ports)](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    for (pod, t) in pods(obj) {
        for (container, c) in containers(&pod, t) {
            for host_port in &c.host_ports {
                let value = host_port.as_str();
                if value.trim() == "0" {
                    continue;
                }
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        host_port.span,
                        format!("{container} binds port `{value}` of the node through `hostPort`"),
                    )
                    .help("remove `hostPort` and reach the container through a Service"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn on_the_host_port_value() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n    - {containerPort: 443, hostPort: 8443}\n    - {containerPort: 53, hostPort: 0}\n";
        let found = lint("HOST004", &[("t.yaml", text)]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (9, 38));
        assert_eq!(
            found[0].3,
            "container `c` of `Pod t/p` binds port `8443` of the node through `hostPort`"
        );
    }

    #[test]
    fn a_host_port_with_host_network_is_reported_too() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    ports: [{containerPort: 9100, hostPort: 9100}]\n";
        assert_eq!(positions("HOST004", text), [(8, 45)]);
        assert_eq!(positions("HOST001", text), [(5, 16)]);
    }

    #[test]
    fn platform_namespaces_are_trusted() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers:\n  - name: c\n    ports: [{containerPort: 53, hostPort: 53}]\n";
        assert!(positions("HOST004", text).is_empty());
    }
}
