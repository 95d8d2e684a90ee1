//! The isolation controls of the posture matrix (SPEC §8), each with the
//! rules whose findings make it fail.
//!
//! A cell fails exactly when a finding of one of its control's rules belongs
//! to the row's tenant, so `tenants` and `check` can never disagree. Rules
//! that say nothing about one control (syntax, suppressions, plaintext
//! secrets, the `default` namespace) are counted per tenant as "other
//! findings" instead.

/// What a tenant must have for a control to apply to it at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// At least one namespace (a Kubernetes tenant).
    Namespace,
    /// At least one workload (something that runs pods).
    Workloads,
    /// Any MLflow use: a tracking server, an experiment or registered model,
    /// or a container that talks to MLflow.
    Mlflow,
    /// A tracking server, or experiments (which have artifact locations).
    ArtifactOwner,
    /// A tracking server of its own.
    Server,
}

impl Needs {
    /// When a control applies, for reports (a cell that does not is "not
    /// applicable").
    pub fn applies_when(self) -> &'static str {
        match self {
            Needs::Namespace => "the tenant has a namespace in the linted set",
            Needs::Workloads => "the tenant runs a workload",
            Needs::Mlflow => "the tenant uses MLflow",
            Needs::ArtifactOwner => "the tenant has an MLflow server or experiment",
            Needs::Server => "the tenant runs an MLflow tracking server",
        }
    }
}

#[derive(Debug)]
pub struct Control {
    /// Stable kebab-case id (JSON keys, HTML anchors).
    pub id: &'static str,
    /// Column header in the terminal and markdown tables.
    pub short: &'static str,
    /// What holds when the cell is ok.
    pub title: &'static str,
    pub rules: &'static [&'static str],
    pub needs: Needs,
}

/// Every control, in column order.
pub const CONTROLS: &[Control] = &[
    Control {
        id: "namespaces",
        short: "ns",
        title: "namespaces declared",
        rules: &["NS003", "NS004"],
        needs: Needs::Namespace,
    },
    Control {
        id: "resource-quota",
        short: "quota",
        title: "ResourceQuota, capping GPUs",
        rules: &["QUOTA001", "QUOTA004"],
        needs: Needs::Namespace,
    },
    Control {
        id: "limit-range",
        short: "limits",
        title: "LimitRange, containers bounded",
        rules: &["QUOTA002", "QUOTA003"],
        needs: Needs::Namespace,
    },
    Control {
        id: "default-deny",
        short: "netpol",
        title: "default-deny NetworkPolicy",
        rules: &["NET001", "NET002"],
        needs: Needs::Namespace,
    },
    Control {
        id: "service-accounts",
        short: "sa",
        title: "dedicated service accounts",
        rules: &["SA001", "SA002", "SA004"],
        needs: Needs::Workloads,
    },
    Control {
        id: "token-automount",
        short: "token",
        title: "no token automount",
        rules: &["SA003"],
        needs: Needs::Workloads,
    },
    Control {
        id: "rbac",
        short: "rbac",
        title: "RBAC confined to the tenant",
        rules: &[
            "RBAC001", "RBAC002", "RBAC003", "RBAC004", "RBAC005", "RBAC006",
        ],
        needs: Needs::Namespace,
    },
    Control {
        id: "host-access",
        short: "host",
        title: "no host access",
        rules: &["HOST001", "HOST002", "HOST003", "HOST004"],
        needs: Needs::Workloads,
    },
    Control {
        id: "shared-claims",
        short: "claims",
        title: "no shared claims",
        rules: &["STORE001", "STORE002"],
        needs: Needs::Workloads,
    },
    Control {
        id: "experiments",
        short: "exp",
        title: "MLflow experiments named",
        rules: &["MLF003"],
        needs: Needs::Mlflow,
    },
    Control {
        id: "artifact-root",
        short: "art",
        title: "own artifact root",
        rules: &["MLF001", "MLF009"],
        needs: Needs::ArtifactOwner,
    },
    Control {
        id: "backend-store",
        short: "store",
        title: "own backend store",
        rules: &["MLF002"],
        needs: Needs::Server,
    },
    Control {
        id: "tracking-auth",
        short: "auth",
        title: "authenticated tracking server",
        rules: &["MLF004", "MLF007", "MLF010"],
        needs: Needs::Server,
    },
];

/// The column of a rule, if it has one.
pub fn control_of(rule_id: &str) -> Option<usize> {
    CONTROLS.iter().position(|c| c.rules.contains(&rule_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_named_exists_and_sits_in_one_column() {
        let mut seen = std::collections::HashSet::new();
        for c in CONTROLS {
            assert!(!c.rules.is_empty(), "{}", c.id);
            assert!(c.short.len() <= 6, "{}: short header too long", c.id);
            for r in c.rules {
                assert!(crate::rules::find(r).is_some(), "{r} is not a rule");
                assert!(seen.insert(*r), "{r} is in two columns");
            }
        }
        assert_eq!(control_of("SA003"), Some(5));
        assert_eq!(control_of("YAML001"), None);
    }

    #[test]
    fn ids_and_headers_are_unique() {
        let ids: std::collections::HashSet<_> = CONTROLS.iter().map(|c| c.id).collect();
        let shorts: std::collections::HashSet<_> = CONTROLS.iter().map(|c| c.short).collect();
        assert_eq!(ids.len(), CONTROLS.len());
        assert_eq!(shorts.len(), CONTROLS.len());
    }
}
