//! HOST003 privileged-container.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::host::{containers, pods};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "HOST003",
        name: "privileged-container",
        category: Category::Host,
        severity: Severity::Error,
        summary: "`privileged: true`, `allowPrivilegeEscalation: true`, or added `SYS_ADMIN` / `NET_ADMIN` / `ALL` capabilities",
        docs: Docs {
            what: "Reports a container (init and ephemeral containers included) whose \
                   `securityContext` sets `privileged: true` or `allowPrivilegeEscalation: true` \
                   (on the `true`), or adds the `SYS_ADMIN`, `NET_ADMIN` or `ALL` capability (on \
                   that item of `capabilities.add`; a `CAP_` prefix and lowercase are accepted, as \
                   the container runtimes accept them). Pods in platform namespaces \
                   (`kube-system`, …) are trusted and not checked; pods whose namespace is unset \
                   are.",
            why: "A privileged container has every capability and every device of the node: it \
                  can mount the node's disks, load kernel modules and escape into the node, and \
                  from there read every other tenant's pods, volumes and tokens. `SYS_ADMIN` is \
                  nearly the same thing, `NET_ADMIN` lets it reconfigure the node's network and \
                  sniff or redirect other tenants' traffic, and `ALL` is all of them. \
                  `allowPrivilegeEscalation: true` lets a process gain more privileges than its \
                  parent (setuid binaries), which is the first step of most container escapes.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: notebook\n      containers:\n      - name: jupyter\n        image: jupyter/base\n        securityContext:\n          privileged: true\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: notebook\n      containers:\n      - name: jupyter\n        image: jupyter/base\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop: [ALL]\n",
            options: None,
            known_problems: Some(
                "`allowPrivilegeEscalation` is only reported when written as `true`; Kubernetes \
                 also allows escalation when it is unset, which the Pod Security Standards' \
                 restricted profile catches. Node agents that need privileges belong in a platform \
                 namespace (listed under `platform-namespaces:` in the config).",
            ),
            references: Some(
                "- [Kubernetes: Pod Security Standards](https://kubernetes.io/docs/concepts/security/pod-security-standards/)\n- [Kubernetes: security context](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)\n- [capabilities(7)](https://man7.org/linux/man-pages/man7/capabilities.7.html)",
            ),
        },
    },
    check: Check::Object(check),
};

/// Capabilities that give a container (nearly) the node.
const DANGEROUS_CAPABILITIES: &[&str] = &["SYS_ADMIN", "NET_ADMIN", "ALL"];

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    for (pod, t) in pods(obj) {
        for (container, c) in containers(&pod, t) {
            let Some(security) = &c.security_context else {
                continue;
            };
            if let Some(v) = security.privileged.as_ref().filter(|v| v.value) {
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        v.span,
                        format!("{container} is privileged: `securityContext.privileged` is `true`"),
                    )
                    .help("remove `privileged: true` and add only the capabilities the container needs"),
                );
            }
            if let Some(v) = security
                .allow_privilege_escalation
                .as_ref()
                .filter(|v| v.value)
            {
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        v.span,
                        format!(
                            "{container} allows privilege escalation: `securityContext.allowPrivilegeEscalation` is `true`"
                        ),
                    )
                    .help("set `allowPrivilegeEscalation: false`"),
                );
            }
            for item in &security.capabilities_add {
                let cap = item.as_str();
                let normal = cap.trim().to_ascii_uppercase();
                let normal = normal.strip_prefix("CAP_").unwrap_or(&normal);
                if !DANGEROUS_CAPABILITIES.contains(&normal) {
                    continue;
                }
                let (message, help) = if normal == "ALL" {
                    (
                        format!("{container} adds `ALL` capabilities"),
                        "replace `ALL` in `capabilities.add` with the few capabilities the container needs".to_string(),
                    )
                } else {
                    (
                        format!("{container} adds the `{normal}` capability"),
                        format!("remove `{cap}` from `capabilities.add`"),
                    )
                };
                out.push(Diagnostic::on(&RULE.meta, obj, item.span, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    #[test]
    fn privileged_escalation_and_capabilities_each_on_their_node() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  initContainers:\n  - name: setup\n    securityContext: {privileged: true}\n  containers:\n  - name: c\n    securityContext:\n      allowPrivilegeEscalation: true\n      capabilities:\n        add: [NET_BIND_SERVICE, SYS_ADMIN, cap_net_admin, ALL]\n";
        assert_eq!(
            positions("HOST003", text),
            [(7, 35), (11, 33), (13, 33), (13, 44), (13, 59)]
        );
    }

    #[test]
    fn messages_name_the_container() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        securityContext: {capabilities: {add: [\"SYS_ADMIN\"]}}\n";
        let found = lint("HOST003", &[("t.yaml", text)]);
        assert_eq!(
            found[0].3,
            "container `c` of `Deployment t/d` adds the `SYS_ADMIN` capability"
        );
    }

    #[test]
    fn false_values_narrow_capabilities_and_platform_namespaces_are_fine() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: false\n      allowPrivilegeEscalation: false\n      capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers:\n  - name: c\n    securityContext: {privileged: true}\n";
        assert!(positions("HOST003", text).is_empty());
    }
}
