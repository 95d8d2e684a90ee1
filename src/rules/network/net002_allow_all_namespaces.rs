//! NET002 allow-all-namespaces.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::network::policy_spec;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET002",
        name: "allow-all-namespaces",
        category: Category::Network,
        severity: Severity::Warning,
        summary: "a NetworkPolicy that admits ingress from every namespace or every address",
        docs: Docs {
            what: "Reports, in a NetworkPolicy of a tenant namespace, an ingress peer \
                   `namespaceSelector: {}` (every namespace, also when combined with a \
                   `podSelector`) or an `ipBlock` whose `cidr` is `0.0.0.0/0` or `::/0` with \
                   nothing excepted. The finding sits on the selector or the CIDR.",
            why: "An empty namespace selector matches every namespace in the cluster, so the \
                  policy lets every other tenant's pods in — exactly what the tenant's default \
                  deny was meant to stop. Pod labels do not narrow it: any tenant can label \
                  its own pod `app: frontend`.",
            example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-serving\n  namespace: team-a\nspec:\n  podSelector:\n    matchLabels: {app: model-server}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n",
            use_instead: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-serving\n  namespace: team-a\nspec:\n  podSelector:\n    matchLabels: {app: model-server}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n",
            options: None,
            known_problems: Some(
                "Egress is not checked. An `ipBlock` with any `except` entries is taken as \
                 deliberately carved out (typically the cluster's pod and node ranges). \
                 Policies whose namespace is unset are checked only when `--namespace` gives \
                 them a tenant namespace.",
            ),
            references: Some(
                "- [Kubernetes: behavior of to and from selectors](https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)",
            ),
        },
    },
    check: Check::Object(check),
};

const EVERY_ADDRESS: &[&str] = &["0.0.0.0/0", "::/0"];

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(spec) = policy_spec(obj) else {
        return;
    };
    let Some(tenant) = obj
        .namespace()
        .and_then(|ns| ctx.index.tenancy.tenant_of(ns))
    else {
        return;
    };
    if !spec.isolates_ingress {
        return;
    }
    for peer in spec.ingress.iter().flat_map(|r| &r.peers) {
        if let Some(selector) = peer.every_namespace {
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    selector,
                    "an empty `namespaceSelector` admits pods of every namespace, including other tenants'",
                )
                .help(format!(
                    "select only the namespaces that `{tenant}` must accept traffic from, e.g. by `kubernetes.io/metadata.name`"
                )),
            );
        }
        let Some(block) = &peer.ip_block else {
            continue;
        };
        let Some(cidr) = &block.cidr else {
            continue;
        };
        let value = cidr.as_str();
        if EVERY_ADDRESS.contains(&value) && !block.excepts {
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    cidr.span,
                    format!("`ipBlock.cidr` is `{value}`, which admits every address, including other tenants' pods"),
                )
                .help("narrow the CIDR, or list the cluster's pod and node ranges under `except`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn policy(ns: &str, spec: &str) -> String {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n{spec}"
        )
    }

    #[test]
    fn empty_namespace_selector_on_ingress() {
        let text = policy("t", "  ingress:\n  - from:\n    - namespaceSelector: {}\n");
        assert_eq!(positions("NET002", &text), [(10, 26)]);
        let with_pods = policy(
            "t",
            "  ingress:\n  - from:\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {app: x}}\n",
        );
        assert_eq!(positions("NET002", &with_pods), [(10, 26)]);
        let narrowed = policy(
            "t",
            "  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n",
        );
        assert!(positions("NET002", &narrowed).is_empty());
    }

    #[test]
    fn every_address() {
        let text = policy(
            "t",
            "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n    - ipBlock: {cidr: \"::/0\"}\n",
        );
        assert_eq!(positions("NET002", &text), [(11, 15), (12, 23)]);
        let excepted = policy(
            "t",
            "  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n",
        );
        assert!(positions("NET002", &excepted).is_empty());
    }

    #[test]
    fn only_ingress_of_tenant_namespaces() {
        let egress = policy(
            "t",
            "  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n",
        );
        assert!(positions("NET002", &egress).is_empty());
        let platform = policy(
            "kube-system",
            "  ingress:\n  - from:\n    - namespaceSelector: {}\n",
        );
        assert!(positions("NET002", &platform).is_empty());
    }
}
