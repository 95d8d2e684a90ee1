//! SA004 missing-service-account.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "SA004",
        name: "missing-service-account",
        category: Category::ServiceAccounts,
        severity: Severity::Warning,
        summary: "a workload naming a service account that the linted set does not define in that namespace, when the set defines that namespace's service accounts",
        docs: Docs {
            what: "Reports a pod template's `serviceAccountName` that names an account the linted \
                   set does not define in the workload's namespace, when the set does define \
                   other ServiceAccounts there (so it is where that namespace's accounts are \
                   managed). A ServiceAccount without a namespace in the workload's directory \
                   counts as defined (applied together, it lands in the same namespace); for a \
                   workload whose namespace is unset, its directory stands for its namespace. \
                   `default`, which Kubernetes creates, is never reported. Platform namespaces \
                   are not checked.",
            why: "A pod naming a service account that does not exist is not created: the \
                  Deployment or Job sits there with a `serviceaccount not found` event. The usual \
                  cause is a typo, an account renamed in one place only, or a workload copied \
                  from another tenant — whose account name may exist in that tenant's namespace \
                  with that tenant's rights, and the fix that comes to mind under pressure \
                  (creating an account of that name, or pointing the pod at a shared one) is how \
                  accounts end up shared.",
            example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: trainer\n  namespace: team-a\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainr\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            use_instead: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: trainer\n  namespace: team-a\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      serviceAccountName: trainer\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.0\n",
            options: None,
            known_problems: Some(
                "Accounts created outside the linted files (by a Helm chart not rendered into the \
                 set, or an operator) are reported when the set defines other accounts in the \
                 same namespace; lint the files together, or suppress the finding with a reason. Each file below an `examples`, `samples`, `docs`, `test`, `tests`, `testdata` \
                 or `e2e` directory of its repository (the nearest directory with `.git` or a \
                 config file) is a case of its own, grouped only with itself.",
            ),
            references: Some(
                "- [Kubernetes: service accounts](https://kubernetes.io/docs/concepts/security/service-accounts/)",
            ),
        },
    },
    check: Check::Object(check),
};

fn check(obj: &Object, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(w) = obj.workload() else { return };
    if !ctx.index.tenancy.applies_to(obj) {
        return;
    }
    // The namespace's own accounts decide whether the set manages them here;
    // an account without namespace next to the workload also counts as defined.
    let Some(defined) = ctx.index.service_accounts.get(&ctx.index.deploy_key(obj)) else {
        return;
    };
    for t in &w.templates {
        let Some(sa) = &t.service_account else {
            continue;
        };
        if sa.value == "default"
            || crate::model::placeholder::is_placeholder_text(&sa.value)
            || ctx.index.service_account_for(obj, &sa.value).is_some()
        {
            continue;
        }
        let role = t
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let (where_, in_ns) = match obj.namespace() {
            Some(ns) => (format!("in `{ns}`"), format!("`{ns}`")),
            None => (
                "in its directory (its namespace is unset)".to_string(),
                "the same directory".to_string(),
            ),
        };
        let help = match closest(&sa.value, defined.keys().map(String::as_str)) {
            Some(near) => format!(
                "replace `{}` with `{near}`, or define ServiceAccount `{}` in {in_ns}",
                sa.value, sa.value
            ),
            None => format!(
                "define ServiceAccount `{}` in {in_ns}, or name one of the accounts defined there",
                sa.value
            ),
        };
        // Point at the namespace's first account, as evidence that the set manages them.
        let first = defined.values().min().map(|&id| &ctx.index.objects[id]);
        let mut d = Diagnostic::on(
            &RULE.meta,
            obj,
            sa.span,
            format!(
                "`{}`{role} runs as service account `{}`, which the linted set does not define {where_}",
                obj.describe(),
                sa.value
            ),
        )
        .help(help);
        if let Some(first) = first
            && let Some(name) = &first.name
        {
            let message = match defined.len() {
                1 => format!(
                    "the set defines one service account {where_}: `{}`",
                    name.value
                ),
                n => format!(
                    "the set defines {n} service accounts {where_}, among them `{}`",
                    name.value
                ),
            };
            d = d.related(first.file, name.span, message);
        }
        out.push(d);
    }
}

/// The defined name nearest to `name`, if it looks like a typo of it.
fn closest<'a>(name: &str, defined: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = (len / 4).clamp(1, 3);
    defined
        // The distance is at least the difference in length: skip the
        // names that cannot be close before measuring (quadratic in length).
        .filter(|d| d.chars().count().abs_diff(len) <= limit)
        .map(|d| (crate::config::edit_distance(name, d), d))
        .filter(|(dist, _)| *dist <= limit)
        .min()
        .map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use crate::config::edit_distance;
    use crate::rules::testing::{lint, positions};

    const ACCOUNTS: &str =
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: trainer, namespace: t}\n---\n";

    fn pod(ns: &str, sa: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {ns}}}\nspec:\n  serviceAccountName: {sa}\n  containers: [{{name: c}}]\n---\n"
        )
    }

    #[test]
    fn on_the_name_with_a_suggestion() {
        let found = lint(
            "SA004",
            &[("t.yaml", &format!("{ACCOUNTS}{}", pod("t", "trainr")))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (9, 23));
        assert_eq!(
            found[0].3,
            "`Pod t/p` runs as service account `trainr`, which the linted set does not define in `t`"
        );
    }

    #[test]
    fn defined_default_and_unmanaged_namespaces_are_fine() {
        let text = format!(
            "{ACCOUNTS}{}{}{}",
            pod("t", "trainer"),
            pod("t", "default"),
            pod("other", "anything")
        );
        assert!(positions("SA004", &text).is_empty());
    }

    #[test]
    fn an_account_of_another_namespace_does_not_count() {
        let other =
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner, namespace: t}\n---\n";
        let text = format!("{ACCOUNTS}{other}{}", pod("u", "trainer"));
        assert!(positions("SA004", &text).is_empty());
        let text = format!("{ACCOUNTS}{}", pod("t", "runner"));
        assert_eq!(positions("SA004", &text).len(), 1);
    }

    #[test]
    fn without_a_namespace_the_directory_is_the_namespace() {
        let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: trainer}\n";
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: runner\n  containers: [{name: c}]\n";
        let found = lint(
            "SA004",
            &[("a/sa.yaml", sa), ("a/pod.yaml", pod), ("b/pod.yaml", pod)],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "a/pod.yaml");
        assert_eq!(
            found[0].3,
            "`Pod p` runs as service account `runner`, which the linted set does not define in its directory (its namespace is unset)"
        );
    }

    #[test]
    fn an_account_without_namespace_next_to_the_workload_counts() {
        let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: trainer}\n";
        let found = lint(
            "SA004",
            &[
                ("a/sa.yaml", sa),
                (
                    "b/sa.yaml",
                    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: t}\n",
                ),
                ("a/pod.yaml", &pod("t", "trainer")),
                ("a/pod2.yaml", &pod("t", "runner")),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "a/pod2.yaml");
        // Accounts without namespace do not make the set manage `u`'s accounts.
        assert!(
            lint(
                "SA004",
                &[("a/sa.yaml", sa), ("a/pod.yaml", &pod("u", "runner"))]
            )
            .is_empty()
        );
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("trainr", "trainer"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
