//! NET003 cross-tenant-service-reference.

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Node;
use crate::model::Object;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Span;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "NET003",
        name: "cross-tenant-service-reference",
        category: Category::Network,
        severity: Severity::Warning,
        summary: "a Service or route that sends traffic into another tenant's namespace",
        docs: Docs {
            what: "Reports, in a tenant namespace, an `ExternalName` Service whose \
                   `externalName` is a service of another tenant's namespace \
                   (`svc.other.svc.cluster.local`, `svc.other.svc`, or `svc.other` when the \
                   linted set knows namespace `other`), and a Gateway API route \
                   (`HTTPRoute`, `GRPCRoute`, `TCPRoute`, `TLSRoute`, `UDPRoute`) whose \
                   `backendRefs[].namespace` — also in `requestMirror` filters — is another \
                   tenant's namespace. The finding sits on the name or namespace that crosses; \
                   a ReferenceGrant that admits the reference is shown as a related location.",
            why: "A Service or route is an alias: traffic a tenant sends to its own name ends \
                  up in another tenant's pods. The other tenant may not know, may change or \
                  remove the service at any time, or may be receiving requests — and data — \
                  that were meant to stay inside the first tenant. Cross-tenant traffic \
                  should be an explicit, reviewed exposure, not a DNS alias.",
            example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: features\n  namespace: team-a\nspec:\n  type: ExternalName\n  externalName: feature-store.team-b.svc.cluster.local\n",
            use_instead: "apiVersion: v1\nkind: Service\nmetadata:\n  name: features\n  namespace: team-a\nspec:\n  selector:\n    app: feature-store\n  ports:\n  - port: 80\n    targetPort: 8080\n",
            options: None,
            known_problems: Some(
                "An Ingress can only name Services of its own namespace, so Ingress backends \
                 are not checked (controller-specific annotations are not read). References \
                 into platform namespaces and `default` (shared ingress gateways, monitoring) \
                 are not reported, nor references made by objects whose namespace is unset.",
            ),
            references: Some(
                "- [Kubernetes: ExternalName services](https://kubernetes.io/docs/concepts/services-networking/service/#externalname)\n- [Gateway API: cross-namespace routing](https://gateway-api.sigs.k8s.io/guides/multiple-ns/)",
            ),
        },
    },
    check: Check::Object(check),
};

const ROUTES: &[&str] = &["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"];
const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(ns) = obj.namespace() else { return };
    let tenancy = &ctx.index.tenancy;
    let Some(tenant) = tenancy.tenant_of(ns) else {
        return;
    };
    // Another tenant's namespace (platform namespaces and `default` are no tenant's).
    let foreign = |target: &str| tenancy.tenant_of(target).is_some_and(|t| t != tenant);
    if obj.is_kind("", "Service") {
        let Some(spec) = obj.root.get("spec") else {
            return;
        };
        if spec.get_str("type") != Some("ExternalName") {
            return;
        }
        let Some(name) = spec.get("externalName") else {
            return;
        };
        let Some((service, target)) = name.as_str().and_then(|n| service_dns(n, ctx)) else {
            return;
        };
        if foreign(&target) {
            out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    name.span,
                    format!(
                        "`externalName` points to service `{service}` in namespace `{target}`, of another tenant"
                    ),
                )
                .help(format!(
                    "run the service in `{ns}`, or expose it through a reviewed gateway instead of a DNS alias"
                )),
            );
        }
    } else if obj.group == GATEWAY_GROUP && ROUTES.contains(&obj.kind.as_str()) {
        for backend in backend_refs(obj) {
            let Some(target) = backend.get("namespace") else {
                continue;
            };
            let Some(target_ns) = target.as_str() else {
                continue;
            };
            if !foreign(target_ns) {
                continue;
            }
            let kind = backend.get_str("kind").unwrap_or("Service");
            let backend_name = backend.get_str("name").unwrap_or("");
            let mut d = Diagnostic::on(
                &RULE.meta,
                obj,
                target.span,
                format!(
                    "backend {kind} `{backend_name}` is in namespace `{target_ns}`, of another tenant"
                ),
            )
            .help(format!(
                "route only to backends in `{ns}`, or have the other tenant expose the service through its own route"
            ));
            if let Some((grant, span)) = reference_grant(ctx, obj, ns, target_ns, backend) {
                d = d.related(
                    grant.file,
                    span,
                    format!(
                        "ReferenceGrant `{}` in `{target_ns}` admits it",
                        grant.name()
                    ),
                );
            }
            out.push(d);
        }
    }
}

/// The service and namespace an in-cluster DNS name names:
/// `svc.ns.svc.<cluster domain>`, `svc.ns.svc`, or `svc.ns` when the set
/// knows namespace `ns` (otherwise `example.com` would be service `example`).
fn service_dns(name: &str, ctx: &Context) -> Option<(String, String)> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc", ..] => Some((svc.to_string(), ns.to_string())),
        [svc, ns] if ctx.index.namespaces.contains_key(*ns) => {
            Some((svc.to_string(), ns.to_string()))
        }
        _ => None,
    }
}

/// Every backend reference of a route: `rules[].backendRefs[]` and the
/// `requestMirror` filters of rules and backends.
fn backend_refs(route: &Object) -> Vec<&Node> {
    let mut out = Vec::new();
    let rules = route.root.path(&["spec", "rules"]);
    for rule in rules.map(Node::items).unwrap_or_default() {
        for b in rule.get("backendRefs").map(Node::items).unwrap_or_default() {
            out.push(b);
            mirrors(b.get("filters"), &mut out);
        }
        mirrors(rule.get("filters"), &mut out);
    }
    out
}

fn mirrors<'a>(filters: Option<&'a Node>, out: &mut Vec<&'a Node>) {
    for f in filters.map(Node::items).unwrap_or_default() {
        if let Some(b) = f.path(&["requestMirror", "backendRef"]) {
            out.push(b);
        }
    }
}

/// A ReferenceGrant in `target_ns` that lets this route reach `backend`.
fn reference_grant<'a>(
    ctx: &'a Context,
    route: &Object,
    ns: &str,
    target_ns: &str,
    backend: &Node,
) -> Option<(&'a Object, Span)> {
    let info = ctx.index.namespaces.get(target_ns)?;
    let group = backend.get_str("group").unwrap_or("");
    let kind = backend.get_str("kind").unwrap_or("Service");
    let name = backend.get_str("name");
    info.users.iter().find_map(|&id| {
        let grant = &ctx.index.objects[id];
        if grant.group != GATEWAY_GROUP || *grant.kind != "ReferenceGrant" {
            return None;
        }
        let spec = grant.root.get("spec")?;
        let from = spec.get("from")?.items().iter().find(|f| {
            f.get_str("group") == Some(GATEWAY_GROUP)
                && f.get_str("kind") == Some(route.kind.as_str())
                && f.get_str("namespace") == Some(ns)
        })?;
        spec.get("to")?.items().iter().find(|t| {
            t.get_str("group").unwrap_or("") == group
                && t.get_str("kind") == Some(kind)
                && t.get_str("name").is_none_or(|n| Some(n) == name)
        })?;
        Some((grant, from.get("namespace")?.span))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn external(ns: &str, target: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: {ns}\nspec:\n  type: ExternalName\n  externalName: {target}\n"
        )
    }

    #[test]
    fn external_name_into_another_tenant() {
        assert_eq!(
            positions("NET003", &external("a", "store.b.svc.cluster.local")),
            [(8, 17)]
        );
        assert_eq!(positions("NET003", &external("a", "store.b.svc")).len(), 1);
        assert!(positions("NET003", &external("a", "store.a.svc.cluster.local")).is_empty());
        assert!(positions("NET003", &external("a", "kube-dns.kube-system.svc")).is_empty());
    }

    #[test]
    fn short_names_only_for_known_namespaces() {
        assert!(positions("NET003", &external("a", "example.com")).is_empty());
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\n";
        assert_eq!(
            positions("NET003", &format!("{ns}{}", external("a", "store.b"))).len(),
            1
        );
    }

    fn route(backends: &str) -> String {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: a\nspec:\n  rules:\n  - backendRefs:\n{backends}"
        )
    }

    #[test]
    fn route_backends_in_other_tenants() {
        let text = route(
            "    - name: store\n      namespace: b\n      port: 80\n    - name: own\n      port: 80\n",
        );
        assert_eq!(positions("NET003", &text), [(10, 18)]);
        let platform = route("    - {name: gw, namespace: kube-system, port: 80}\n");
        assert!(positions("NET003", &platform).is_empty());
    }

    #[test]
    fn reference_grant_is_related() {
        let grant = "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: b}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}]\n  to: [{group: \"\", kind: Service}]\n";
        let text = route("    - {name: store, namespace: b, port: 80}\n");
        let found = crate::engine::check_sources(
            &[("r.yaml", &text), ("g.yaml", grant)],
            &crate::engine::CheckOptions {
                selection: crate::engine::Selection {
                    select: vec!["NET003".into()],
                    ignore: vec![],
                },
                threads: 1,
                ..Default::default()
            },
        );
        assert_eq!(found.diagnostics.len(), 1);
        assert_eq!(found.diagnostics[0].related.len(), 1);
        assert_eq!(lint("NET003", &[("r.yaml", &text)]).len(), 1);
    }
}
