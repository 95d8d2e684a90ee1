//! NET001 missing-default-deny.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::model::network::{PolicyPort, PolicyRule};
use crate::rules::network::policy_spec;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET001",
        name: "missing-default-deny",
        category: Category::Network,
        severity: Severity::Error,
        summary: "a tenant namespace whose NetworkPolicies do not deny ingress and egress by default",
        docs: Docs {
            what: "Reports a tenant namespace unless its NetworkPolicies that select every pod \
                   (`podSelector: {}`) together deny both ingress and egress by default. A \
                   policy denies a direction when its `policyTypes` lists it (without \
                   `policyTypes`: Ingress, plus Egress when it has egress rules) and it allows \
                   nothing in that direction — except, for egress, DNS on port 53. It is \
                   reported once per namespace: on the Namespace object's name, or else on the \
                   `namespace:` of the first object that uses it.",
            why: "Kubernetes lets every pod talk to every other pod, in every namespace, until a \
                  policy selects it. Without a default deny, one tenant's notebook can reach \
                  another tenant's model server, feature store or MLflow tracking server \
                  directly, and a compromised pod can send data anywhere. Policies that allow \
                  specific traffic only mean something on top of a deny-all baseline.",
            example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-ingress\n  namespace: team-a\nspec:\n  podSelector: {}\n",
            use_instead: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: team-a\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n",
            options: None,
            known_problems: Some(
                "Only `networking.k8s.io` NetworkPolicies of the linted set count. Default \
                 denies made another way — Calico `GlobalNetworkPolicy`, Cilium policies, \
                 `AdminNetworkPolicy`, policies that Capsule, HNC or a namespace controller \
                 copies into each namespace — are not seen; lint them together or turn the \
                 rule off. A second all-pods policy that allows everything back is not \
                 weighed against the deny.",
            ),
            references: Some(
                "- [Kubernetes: default policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Ports that egress may allow and still count as denied: DNS.
fn is_dns_port(port: &PolicyPort) -> bool {
    let number_or_name = port.port.as_deref();
    let end_ok = match port.end_port.as_deref() {
        None => true,
        Some(end) => end == "53",
    };
    matches!(number_or_name, Some("53" | "dns" | "dns-tcp")) && end_ok
}

/// Whether the all-pods policy `spec` allows nothing in the given rules,
/// except DNS when `dns_allowed`.
fn allows_nothing(rules: &[PolicyRule], dns_allowed: bool) -> bool {
    rules.iter().all(|rule| {
        let ports = &rule.ports;
        dns_allowed && !ports.is_empty() && ports.iter().all(is_dns_port)
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    for (ns, info) in ctx.tenant_namespaces() {
        let mut deny_ingress: Option<&Object> = None;
        let mut deny_egress: Option<&Object> = None;
        for &id in &info.users {
            let obj = &index.objects[id];
            let Some(spec) = policy_spec(obj) else {
                continue;
            };
            if !spec.selects_all_pods {
                continue;
            }
            if spec.isolates_ingress && allows_nothing(&spec.ingress, false) {
                deny_ingress.get_or_insert(obj);
            }
            if spec.isolates_egress && allows_nothing(&spec.egress, true) {
                deny_egress.get_or_insert(obj);
            }
        }
        let (message, partial) = match (deny_ingress, deny_egress) {
            (Some(_), Some(_)) => continue,
            (None, None) => (
                format!("tenant namespace `{ns}` has no default-deny NetworkPolicy"),
                None,
            ),
            (Some(p), None) => (
                format!("tenant namespace `{ns}` denies ingress by default, but not egress"),
                Some((p, "ingress")),
            ),
            (None, Some(p)) => (
                format!("tenant namespace `{ns}` denies egress by default, but not ingress"),
                Some((p, "egress")),
            ),
        };
        let Some(d) = ctx.namespace_finding(&RULE.meta, ns, message) else {
            continue;
        };
        let mut d = d.help(format!(
            "add a NetworkPolicy in `{ns}` with `podSelector: {{}}` and `policyTypes: [Ingress, Egress]` that allows nothing but DNS"
        ));
        if let Some((policy, direction)) = partial {
            let span = policy.name.as_ref().map_or(policy.metadata_key, |n| n.span);
            d = d.related(
                policy.file,
                span,
                format!("NetworkPolicy `{}` denies only {direction}", policy.name()),
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: t\n---\n";

    fn policy(spec: &str) -> String {
        format!(
            "{NS}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: t\nspec:\n{spec}"
        )
    }

    fn messages(text: &str) -> Vec<String> {
        lint("NET001", &[("t.yaml", text)])
            .into_iter()
            .map(|f| f.3)
            .collect()
    }

    #[test]
    fn once_per_namespace_without_policies() {
        assert_eq!(positions("NET001", NS), [(4, 9)]);
        assert_eq!(
            messages(NS),
            ["tenant namespace `t` has no default-deny NetworkPolicy"]
        );
    }

    #[test]
    fn deny_all_in_both_directions() {
        let both = policy("  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
        assert!(positions("NET001", &both).is_empty());
    }

    #[test]
    fn policy_types_default_to_ingress() {
        let text = policy("  podSelector: {}\n");
        assert_eq!(
            messages(&text),
            ["tenant namespace `t` denies ingress by default, but not egress"]
        );
        // Egress rules imply Egress, but these allow something.
        let text = policy("  podSelector: {}\n  egress:\n  - to: [{namespaceSelector: {}}]\n");
        assert_eq!(messages(&text).len(), 1);
    }

    #[test]
    fn dns_egress_is_still_a_deny() {
        let text = policy(
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: \"53\"}\n",
        );
        assert!(positions("NET001", &text).is_empty());
        let wider = policy(
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 443}\n",
        );
        assert_eq!(
            messages(&wider),
            ["tenant namespace `t` denies ingress by default, but not egress"]
        );
    }

    #[test]
    fn two_policies_together() {
        let text = policy("  podSelector: {}\n  policyTypes: [Ingress]\n")
            .replace("name: p", "name: in")
            + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: out\n  namespace: t\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n";
        assert!(positions("NET001", &text).is_empty());
    }

    #[test]
    fn policies_for_some_pods_or_that_allow_traffic_do_not_count() {
        let some =
            policy("  podSelector: {matchLabels: {app: x}}\n  policyTypes: [Ingress, Egress]\n");
        assert_eq!(messages(&some).len(), 1);
        let allows = policy(
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from: [{podSelector: {}}]\n",
        );
        assert_eq!(
            messages(&allows),
            ["tenant namespace `t` denies egress by default, but not ingress"]
        );
    }

    #[test]
    fn platform_and_default_namespaces_are_not_tenants() {
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n";
        assert!(positions("NET001", ns).is_empty());
    }
}
