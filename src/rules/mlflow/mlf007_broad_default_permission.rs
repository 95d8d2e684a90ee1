//! MLF007 broad-default-permission.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF007",
        name: "broad-default-permission",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "a `basic_auth.ini` that grants every user `EDIT` or `MANAGE` (`READ`: warning), or keeps the default admin password",
        docs: Docs {
            what: "Reads MLflow's basic-auth config — a `basic_auth.ini` file, or one kept in a \
                   ConfigMap or a Secret (`stringData`, or base64 `data`) under a key ending in \
                   `.ini` — and reports, in its `[mlflow]` \
                   section, a `default_permission` of `EDIT` or `MANAGE` (an error) or `READ` (a \
                   warning), and an `admin_password` that is `password1234`, the password \
                   MLflow used to ship. The value is read as MLflow reads it, with Python's \
                   `configparser`: whole-line `#` and `;` comments, but no comments after a \
                   value. The finding sits on the value; in a Secret's base64 `data`, whose \
                   text the source does not show, on the key.",
            why: "`default_permission` is what every user has on every experiment and \
                  registered model for which no explicit permission was granted — which, on a \
                  shared server, is every other tenant's. `EDIT` lets any user log into, rename \
                  and delete other tenants' runs and overwrite their models' versions; `MANAGE` \
                  also lets them grant themselves anything. `READ`, MLflow's own default, still \
                  shows every tenant's parameters, metrics and artifacts to all. The old \
                  default admin password is the first one an attacker tries.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mlflow-auth\n  namespace: mlflow\ndata:\n  basic_auth.ini: |\n    [mlflow]\n    default_permission = EDIT\n    database_uri = sqlite:////auth/basic_auth.db\n    admin_username = admin\n    admin_password = password1234\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mlflow-auth\n  namespace: mlflow\ndata:\n  basic_auth.ini: |\n    [mlflow]\n    default_permission = NO_PERMISSIONS\n    database_uri = sqlite:////auth/basic_auth.db\n    admin_username = admin\n    # admin_password comes from MLFLOW_AUTH_ADMIN_PASSWORD (a Secret)\n",
            options: None,
            known_problems: Some(
                "Permissions granted per experiment or per registered model are in the auth \
                 database, not in the file, and are not checked. Any other admin password \
                 written in the file is not reported here (keep the file in a Secret).",
            ),
            references: Some(
                "- [MLflow: basic HTTP authentication](https://mlflow.org/docs/latest/self-hosting/security/basic-http-auth/)",
            ),
        },
    },
    check: Check::Set(check),
};

/// The password MLflow's `basic_auth.ini` shipped with.
const DEFAULT_ADMIN_PASSWORD: &str = "password1234";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    for auth in &index.mlflow.auth_configs {
        let object = auth.object.map(|id| &index.objects[id]);
        let with_object = |d: Diagnostic| match object {
            Some(o) => d.object(o),
            None => d,
        };
        if let Some(p) = &auth.default_permission {
            let value = p.value.trim();
            let severity = match value.to_ascii_uppercase().as_str() {
                "EDIT" | "MANAGE" => Some(Severity::Error),
                "READ" => Some(Severity::Warning),
                _ => None,
            };
            if let Some(severity) = severity {
                let mut d = with_object(
                    Diagnostic::new(
                        &RULE.meta,
                        auth.file,
                        p.span,
                        format!(
                            "`default_permission` is `{value}`: every user gets it on every other tenant's experiments and models"
                        ),
                    )
                    .help("set `default_permission = NO_PERMISSIONS` and grant each tenant's users their own experiments and models"),
                );
                d.severity = severity;
                out.push(d);
            }
        }
        if let Some(p) = &auth.admin_password
            && p.value.trim() == DEFAULT_ADMIN_PASSWORD
        {
            out.push(with_object(
                Diagnostic::new(
                    &RULE.meta,
                    auth.file,
                    p.span,
                    format!("`admin_password` is `{DEFAULT_ADMIN_PASSWORD}`, MLflow's old default"),
                )
                .help("remove `admin_password` from the file and set `MLFLOW_AUTH_ADMIN_PASSWORD` from a Secret"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    fn severities(files: &[(&str, &str)]) -> Vec<(u32, u32, &'static str)> {
        crate::rules::testing::check("MLF007", files)
            .diagnostics
            .iter()
            .map(|d| (d.span.start.line, d.span.start.col, d.severity.as_str()))
            .collect()
    }

    #[test]
    fn permissions_and_default_password() {
        let ini = "[mlflow]\ndefault_permission = READ\nadmin_username = admin\nadmin_password = password1234\n";
        assert_eq!(
            severities(&[("basic_auth.ini", ini)]),
            [(2, 22, "warning"), (4, 18, "error")]
        );
        let edit = "[mlflow]\ndefault_permission=manage\n";
        assert_eq!(severities(&[("auth.ini", edit)]), [(2, 20, "error")]);
        let fine =
            "[mlflow]\ndefault_permission = NO_PERMISSIONS\n# admin_password = password1234\n";
        assert!(severities(&[("auth.ini", fine)]).is_empty());
    }

    #[test]
    fn embedded_and_suppressed() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: m}\ndata:\n  basic_auth.ini: |\n    [mlflow]\n    default_permission = EDIT\n";
        assert_eq!(severities(&[("cm.yaml", cm)]), [(7, 26, "error")]);
        let ini = "[mlflow]\n# tenantlint: ignore[MLF007] read-only demo server\ndefault_permission = READ\n";
        assert!(severities(&[("auth.ini", ini)]).is_empty());
    }

    #[test]
    fn embedded_in_secrets() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: m}\nstringData:\n  basic_auth.ini: |\n    [mlflow]\n    default_permission = MANAGE\n";
        assert_eq!(severities(&[("s.yaml", secret)]), [(7, 26, "error")]);
        // `[mlflow]\ndefault_permission = READ\nadmin_password = password1234\n`
        let encoded = "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: m}\ndata:\n  auth.ini: W21sZmxvd10KZGVmYXVsdF9wZXJtaXNzaW9uID0gUkVBRAphZG1pbl9wYXNzd29yZCA9IHBhc3N3b3JkMTIzNAo=\n";
        assert_eq!(
            severities(&[("s.yaml", encoded)]),
            [(5, 3, "error"), (5, 3, "warning")]
        );
        let config_map_data_is_not_base64 = encoded.replace("kind: Secret", "kind: ConfigMap");
        assert!(severities(&[("c.yaml", &config_map_data_is_not_base64)]).is_empty());
    }
}
