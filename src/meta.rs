//! Rule identity: what every rule (built-in or a user policy) is known by —
//! id, name, category, default severity, docs — and how selectors match it.
//! It comes before everything that names rules (config, findings,
//! suppressions), so none of them needs the rules themselves.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Input,
    Namespaces,
    ServiceAccounts,
    Rbac,
    Quotas,
    Network,
    Host,
    Storage,
    Mlflow,
    Lint,
    Policy,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Input => "input",
            Category::Namespaces => "namespaces",
            Category::ServiceAccounts => "service-accounts",
            Category::Rbac => "rbac",
            Category::Quotas => "quotas",
            Category::Network => "network",
            Category::Host => "host",
            Category::Storage => "storage",
            Category::Mlflow => "mlflow",
            Category::Lint => "lint",
            Category::Policy => "policy",
        }
    }
}

/// A rule's documentation; the single source for `explain` and `rules/*.md`.
#[derive(Debug)]
pub struct Docs {
    pub what: &'static str,
    pub why: &'static str,
    /// Failing YAML.
    pub example: &'static str,
    /// Passing YAML.
    pub use_instead: &'static str,
    pub options: Option<&'static str>,
    pub known_problems: Option<&'static str>,
    pub references: Option<&'static str>,
}

#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub summary: &'static str,
    pub docs: Docs,
}

impl RuleMeta {
    pub fn doc_url(&self) -> String {
        format!(
            "https://github.com/tenantlint/tenantlint/blob/main/rules/{}.md",
            self.id
        )
    }
}

/// Whether `selector` selects a rule given by id, name and category (a user
/// policy is no built-in rule): `all`, the id, the name, an id prefix or the category.
pub fn selector_matches_meta(selector: &str, id: &str, name: &str, category: Category) -> bool {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("all") {
        return true;
    }
    s.eq_ignore_ascii_case(id)
        || s == name
        || s.eq_ignore_ascii_case(category.as_str())
        || (s.len() < id.len()
            && id.is_char_boundary(s.len())
            && id[..s.len()].eq_ignore_ascii_case(s)
            && s.chars().all(|c| c.is_ascii_alphabetic())
            && id[s.len()..].chars().all(|c| c.is_ascii_digit()))
}

/// Whether `selector` names one of the user policies `(id, name)`.
pub fn selects_policy(selector: &str, policies: &[(String, String)]) -> bool {
    policies
        .iter()
        .any(|(id, name)| selector_matches_meta(selector, id, name, Category::Policy))
}
