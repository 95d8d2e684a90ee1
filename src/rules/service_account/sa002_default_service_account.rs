//! SA002 default-service-account.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::workloads::one_per_node;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "SA002",
        name: "default-service-account",
        category: Category::ServiceAccounts,
        severity: Severity::Warning,
        summary: "a workload that runs as the `default` service account, explicitly or by omission",
        docs: Docs {
            what: "Reports a pod template (of a Pod, Deployment, Job, CronJob, Kubeflow training job, \
                   Ray cluster, …) that runs as the namespace's `default` service account: either \
                   `serviceAccountName: default`, or no `serviceAccountName` at all, reported on \
                   the pod template's `spec:` key. Platform namespaces are not checked.",
            why: "Every pod in the namespace that names no account shares `default`, so any role \
                  granted to it (often by a chart that \"just needed one permission\") is granted to \
                  every workload of the tenant, and the workloads cannot be told apart in audit \
                  logs or cloud IAM bindings.",
            example: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            use_instead: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            options: None,
            known_problems: None,
            references: Some(
                "- [Kubernetes: service accounts](https://kubernetes.io/docs/concepts/security/service-accounts/)",
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
        let role = t
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        match &t.service_account {
            None => out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    t.spec_key,
                    format!(
                        "`{}`{role} runs as the `default` service account: `serviceAccountName` is not set",
                        obj.describe()
                    ),
                )
                .help("create a service account for this workload and set `serviceAccountName`"),
            ),
            Some(sa) if sa.value == "default" => out.push(
                Diagnostic::on(
                    &RULE.meta,
                    obj,
                    sa.span,
                    format!("`{}`{role} runs as the `default` service account", obj.describe()),
                )
                .help("create a service account for this workload and name it here"),
            ),
            Some(_) => {}
        }
    }
    one_per_node(out, from);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    #[test]
    fn omitted_on_the_pod_spec_key_explicit_on_the_value() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  serviceAccountName: default\n  containers: [{name: c, image: i}]\n";
        assert_eq!(positions("SA002", text), [(6, 5), (13, 23)]);
    }

    #[test]
    fn every_replica_role_of_a_training_job() {
        let text = "apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata: {name: j, namespace: t}\nspec:\n  tfReplicaSpecs:\n    Chief:\n      template:\n        spec:\n          serviceAccountName: trainer\n          containers: [{name: c, image: i}]\n    Worker:\n      template:\n        spec:\n          containers: [{name: c, image: i}]\n";
        assert_eq!(positions("SA002", text), [(13, 9)]);
    }

    #[test]
    fn platform_and_default_namespaces_are_skipped() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers: [{name: c, image: i}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: c, image: i}]\n";
        assert!(positions("SA002", text).is_empty());
    }
}
