//! SA001 shared-service-account.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Spec;
use crate::rules::workloads::{SharedWording, Use, deploy_scope, report_shared};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};
use crate::source::Span;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "SA001",
        name: "shared-service-account",
        category: Category::ServiceAccounts,
        severity: Severity::Error,
        summary: "one service account used by workloads of different applications or tenants",
        docs: Docs {
            what: "Reports a service account named by workloads of different applications (told \
                   apart by the `app.kubernetes.io/name` label, then the `app` label, then the \
                   workload's name), on every `serviceAccountName` that names it. Also reports a \
                   cloud IAM identity annotation (`eks.amazonaws.com/role-arn`, \
                   `iam.gke.io/gcp-service-account`, `azure.workload.identity/client-id`) that \
                   service accounts of different tenants carry.",
            why: "A service account is an identity: whatever its roles and cloud bindings allow, \
                  every pod running as it can do. When a notebook server and a model-serving \
                  deployment share one, compromising either gives the rights of both; when two \
                  tenants' accounts map to one cloud role, they share buckets and databases \
                  whatever the cluster's RBAC says.",
            example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: notebook}\n    spec:\n      serviceAccountName: ml-runner\n      containers: [{name: nb, image: jupyter/base}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: serving\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: serving}\n    spec:\n      serviceAccountName: ml-runner\n      containers: [{name: srv, image: ml/serve}]\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: notebook\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: notebook}\n    spec:\n      serviceAccountName: notebook\n      containers: [{name: nb, image: jupyter/base}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: serving\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      labels: {app: serving}\n    spec:\n      serviceAccountName: serving\n      containers: [{name: srv, image: ml/serve}]\n",
            options: None,
            known_problems: Some(
                "The `default` service account is left to SA002. Workloads without a namespace \
                 are grouped by directory, as they are deployed together. Each file below an `examples`, `samples`, `docs`, `test`, `tests`, `testdata` \
                 or `e2e` directory of its repository (the nearest directory with `.git` or a \
                 config file) is a case of its own, grouped only with itself.",
            ),
            references: Some(
                "- [Kubernetes: service accounts](https://kubernetes.io/docs/concepts/security/service-accounts/)",
            ),
        },
    },
    check: Check::Set(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // (namespace or directory, account) -> uses
    let mut groups: BTreeMap<(String, String), Vec<Use>> = BTreeMap::new();
    for obj in &index.objects {
        let Some(w) = obj.workload() else { continue };
        if !index.tenancy.applies_to(obj) {
            continue;
        }
        let scope = deploy_scope(obj, ctx);
        for t in &w.templates {
            let Some(sa) = &t.service_account else {
                continue;
            };
            // A placeholder (`$(SA)`) is no name to compare.
            if sa.value == "default" || crate::model::placeholder::is_placeholder_text(&sa.value) {
                continue;
            }
            groups
                .entry((scope.clone(), sa.value.clone()))
                .or_default()
                .push(Use::new(obj, sa.span));
        }
    }
    for ((_, account), uses) in &groups {
        let wording = SharedWording {
            message: &|n, list| {
                format!("service account `{account}` is shared by {n} applications ({list})")
            },
            help: &|app| {
                format!("give `{app}` its own service account with only the rights it needs")
            },
            also: "also uses it",
        };
        report_shared(&RULE.meta, uses, &wording, out);
    }
    cloud_identities(ctx, out);
}

/// One cloud IAM identity on service accounts of different tenants.
fn cloud_identities(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // (annotation, identity) -> (service account, annotation value span, tenant)
    type Carriers<'a> = Vec<(&'a crate::model::Object, Span, &'a str)>;
    let mut by_identity: BTreeMap<(&str, &str), Carriers> = BTreeMap::new();
    for obj in &index.objects {
        let Spec::ServiceAccount(sa) = &obj.spec else {
            continue;
        };
        let Some(tenant) = obj.namespace().and_then(|ns| index.tenancy.tenant_of(ns)) else {
            continue;
        };
        for (key, value) in &sa.cloud_identities {
            by_identity
                .entry((key.as_str(), value.value.as_str()))
                .or_default()
                .push((obj, value.span, tenant));
        }
    }
    for ((key, value), accounts) in &by_identity {
        let tenants: BTreeSet<&str> = accounts.iter().map(|a| a.2).collect();
        if tenants.len() < 2 {
            continue;
        }
        let groups = crate::diagnostic::Groups::new(accounts.iter().map(|a| a.2));
        let mut per_tenant: BTreeMap<&str, usize> = BTreeMap::new();
        for a in accounts {
            *per_tenant.entry(a.2).or_default() += 1;
        }
        for (obj, span, tenant) in accounts {
            let mut d = Diagnostic::on(
                &RULE.meta,
                obj,
                *span,
                format!(
                    "cloud identity `{value}` (`{key}`) is shared with service accounts of other tenants"
                ),
            )
            .help(format!("bind tenant `{tenant}` to a cloud identity of its own"));
            let others = groups.others(tenant, |_| true);
            let total = accounts.len() - per_tenant[tenant];
            for (n, &j) in others.iter().enumerate() {
                let (other, other_span, other_tenant) = &accounts[j];
                let more = if n + 1 == others.len() {
                    crate::diagnostic::more_note(others.len(), total)
                } else {
                    String::new()
                };
                d = d.related(
                    other.file,
                    *other_span,
                    format!(
                        "`{}` of tenant `{other_tenant}` carries it too{more}",
                        other.describe()
                    ),
                );
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn deployment(name: &str, app: &str, ns: &str, sa: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  template:\n    metadata: {{labels: {{app: {app}}}}}\n    spec:\n      serviceAccountName: {sa}\n      containers: [{{name: c, image: i}}]\n---\n"
        )
    }

    #[test]
    fn every_use_by_different_applications() {
        let text = deployment("a", "a", "t", "shared") + &deployment("b", "b", "t", "shared");
        assert_eq!(positions("SA001", &text), [(8, 27), (18, 27)]);
    }

    #[test]
    fn one_application_other_namespaces_and_default_are_fine() {
        let same_app = deployment("a", "x", "t", "sa") + &deployment("b", "x", "t", "sa");
        assert!(positions("SA001", &same_app).is_empty());
        let other_ns = deployment("a", "a", "t1", "sa") + &deployment("b", "b", "t2", "sa");
        assert!(positions("SA001", &other_ns).is_empty());
        let default = deployment("a", "a", "t", "default") + &deployment("b", "b", "t", "default");
        assert!(positions("SA001", &default).is_empty());
    }

    #[test]
    fn one_object_given_twice_is_not_two_applications() {
        let text = deployment("a", "a", "t", "sa") + &deployment("a", "renamed", "t", "sa");
        assert!(positions("SA001", &text).is_empty());
    }

    #[test]
    fn cloud_identity_across_tenants() {
        let sa = |ns: &str| {
            format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n  namespace: {ns}\n  annotations:\n    iam.gke.io/gcp-service-account: ml@proj.iam.gserviceaccount.com\n---\n"
            )
        };
        assert_eq!(
            positions("SA001", &(sa("a") + &sa("b"))),
            [(7, 37), (15, 37)]
        );
        assert!(positions("SA001", &(sa("a") + &sa("kube-system"))).is_empty());
    }
}
