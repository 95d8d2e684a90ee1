//! SA003 automount-service-account-token.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Object, Spec};
use crate::rules::workloads::one_per_node;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "SA003",
        name: "automount-service-account-token",
        category: Category::ServiceAccounts,
        severity: Severity::Warning,
        summary: "a workload whose pod and service account both leave `automountServiceAccountToken` unset or true",
        docs: Docs {
            what: "Reports a pod template that gets its service account's API token mounted: the \
                   pod sets `automountServiceAccountToken: true` (reported on the `true`), or leaves \
                   it unset while its service account — the ServiceAccount of that name in the \
                   linted set, or the `default` account Kubernetes creates — leaves it unset or \
                   true (reported on the pod template's `spec:` key, with the ServiceAccount as a \
                   related location). Platform namespaces are not checked.",
            why: "Every container of the pod can read the mounted token and call the Kubernetes \
                  API as the service account. Most training jobs, notebooks and model servers \
                  never call the API, so the token is only useful to whoever compromises the \
                  container — and with it the tenant's secrets, config maps and whatever RBAC \
                  was granted to the account, often more than intended. Mount a token only into \
                  the pods that need one.",
            example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: trainer\n  namespace: team-a\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            use_instead: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: trainer\n  namespace: team-a\nautomountServiceAccountToken: false\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            options: None,
            known_problems: Some(
                "A pod whose service account (other than `default`) is not in the linted set is not \
                 reported: the account may well disable automounting. Operators and controllers \
                 that call the API need the token; suppress the finding on them with a reason. \
                 Each file below an `examples`, `samples`, `docs`, `test`, `tests`, `testdata` \
                 or `e2e` directory of its repository (the nearest directory with `.git` or a \
                 config file) is a case of its own, grouped only with itself.",
            ),
            references: Some(
                "- [Kubernetes: opt out of API credential automounting](https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting)\n- [Kubernetes: RBAC good practices](https://kubernetes.io/docs/concepts/security/rbac-good-practices/)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let from = out.len();
    let Some(w) = obj.workload() else { return };
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    for t in &w.templates {
        let pod = match t.role.as_deref() {
            Some(role) => format!("`{}` ({role})", obj.describe()),
            None => format!("`{}`", obj.describe()),
        };
        match &t.automount_token {
            Some(v) if !v.value => continue,
            Some(v) => {
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        v.span,
                        format!("{pod} mounts its service account token: `automountServiceAccountToken` is `true`"),
                    )
                    .help("set `automountServiceAccountToken: false` unless the pod calls the Kubernetes API"),
                );
                continue;
            }
            None => {}
        }
        let account = t
            .service_account
            .as_deref()
            .map_or("default", String::as_str);
        let help = format!(
            "set `automountServiceAccountToken: false` on the pod spec or on service account `{account}`, unless the pod calls the Kubernetes API"
        );
        let Some(id) = ctx.index.service_account_for(obj, account) else {
            // Kubernetes creates `default` without the field; any other
            // account outside the set may well disable automounting.
            if account == "default" {
                out.push(
                    Diagnostic::on(
                        &RULE.meta,
                        obj,
                        t.spec_key,
                        format!("{pod} mounts the API token of the `default` service account: `automountServiceAccountToken` is not set"),
                    )
                    .help(help),
                );
            }
            continue;
        };
        let sa_obj = &ctx.index.objects[id];
        let Spec::ServiceAccount(sa) = &sa_obj.spec else {
            continue;
        };
        let related = match &sa.automount_token {
            Some(v) if !v.value => continue,
            Some(v) => (
                v.span,
                format!(
                    "service account `{account}` sets `automountServiceAccountToken: true` here"
                ),
            ),
            None => (
                sa_obj.name.as_ref().map_or(sa_obj.metadata_key, |n| n.span),
                format!("service account `{account}` does not set `automountServiceAccountToken`"),
            ),
        };
        out.push(
            Diagnostic::on(
                &RULE.meta,
                obj,
                t.spec_key,
                format!(
                    "{pod} mounts the API token of service account `{account}`: neither the pod nor the account sets `automountServiceAccountToken: false`"
                ),
            )
            .help(help)
            .related(sa_obj.file, related.0, related.1),
        );
    }
    one_per_node(out, from);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  serviceAccountName: runner\n  containers: [{name: c, image: i}]\n";

    fn account(automount: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: runner, namespace: t}}\n{automount}\n---\n"
        )
    }

    #[test]
    fn pod_and_account_both_unset_on_the_spec_key_with_the_account_related() {
        let found = lint("SA003", &[("sa.yaml", &account("")), ("pod.yaml", POD)]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1, found[0].2),
            ("pod.yaml", 4, 1)
        );
    }

    #[test]
    fn the_account_or_the_pod_can_turn_it_off() {
        let off = account("automountServiceAccountToken: false");
        assert!(positions("SA003", &format!("{off}{POD}")).is_empty());
        let pod_off = POD.replace("spec:\n", "spec:\n  automountServiceAccountToken: false\n");
        assert!(positions("SA003", &format!("{}{pod_off}", account(""))).is_empty());
    }

    #[test]
    fn explicit_true_on_the_pod_wins_over_the_account() {
        let pod_on = POD.replace("spec:\n", "spec:\n  automountServiceAccountToken: true\n");
        let text = format!("{}{pod_on}", account("automountServiceAccountToken: false"));
        assert_eq!(positions("SA003", &text), [(10, 33)]);
    }

    #[test]
    fn default_account_is_known_other_unknown_accounts_are_not_guessed() {
        let default = POD.replace("  serviceAccountName: runner\n", "");
        assert_eq!(positions("SA003", &default), [(4, 1)]);
        assert!(positions("SA003", POD).is_empty());
    }

    #[test]
    fn platform_namespaces_are_trusted() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers: [{name: c}]\n";
        assert!(positions("SA003", pod).is_empty());
    }
}
