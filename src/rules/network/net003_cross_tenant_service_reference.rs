//! NET003 cross-tenant-service-reference.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::network::{BackendRef, GATEWAY_GROUP};
use crate::model::{Object, Spec};
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

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(ns) = obj.namespace() else { return };
    let tenancy = &ctx.index.tenancy;
    let Some(tenant) = tenancy.tenant_of(ns) else {
        return;
    };
    // Another tenant's namespace (platform namespaces and `default` are no tenant's).
    let foreign = |target: &str| tenancy.tenant_of(target).is_some_and(|t| t != tenant);
    match &obj.spec {
        Spec::Service(service) => {
            let Some(name) = &service.external_name else {
                return;
            };
            let Some((service, target)) = service_dns(name, ctx) else {
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
        }
        Spec::Route(route) => {
            for backend in &route.backends {
                let Some(target) = &backend.namespace else {
                    continue;
                };
                let target_ns = target.as_str();
                if !foreign(target_ns) {
                    continue;
                }
                let kind = &backend.kind;
                let backend_name = backend.name.as_deref().unwrap_or("");
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
        _ => {}
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

/// A ReferenceGrant in `target_ns` that lets this route reach `backend`.
fn reference_grant<'a>(
    ctx: &'a Context,
    route: &Object,
    ns: &str,
    target_ns: &str,
    backend: &BackendRef,
) -> Option<(&'a Object, Span)> {
    let info = ctx.index.namespaces.get(target_ns)?;
    info.users.iter().find_map(|&id| {
        let grant = &*ctx.index.objects[id];
        let Spec::ReferenceGrant(spec) = &grant.spec else {
            return None;
        };
        let from = spec.from.iter().find(|f| {
            f.group.as_deref() == Some(GATEWAY_GROUP)
                && f.kind.as_deref() == Some(route.kind.as_str())
                && f.namespace.as_ref().map(|n| n.as_str()) == Some(ns)
        })?;
        spec.to.iter().find(|t| {
            t.group == backend.group
                && t.kind.as_deref() == Some(backend.kind.as_str())
                && t.name
                    .as_ref()
                    .is_none_or(|n| Some(n) == backend.name.as_ref())
        })?;
        Some((grant, from.namespace.as_ref()?.span))
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
