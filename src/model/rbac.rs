//! Roles and bindings: what a Role, ClusterRole, RoleBinding or
//! ClusterRoleBinding says, read once per object with the spans rules point at.

use crate::load::Node;
use crate::source::{Span, Spanned};

/// The API group of Roles, ClusterRoles and their bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// A Role or ClusterRole.
#[derive(Debug)]
pub struct Role {
    /// `rules:`.
    pub rules: Vec<PolicyRule>,
    /// An `aggregationRule`: a controller fills in the rules, so those
    /// written are not the role's.
    pub aggregated: bool,
}

/// One entry of a role's `rules:`.
#[derive(Debug)]
pub struct PolicyRule {
    pub api_groups: Vec<Spanned<String>>,
    pub resources: Vec<Spanned<String>>,
    pub verbs: Vec<Spanned<String>>,
    /// `resourceNames` narrows the rule to named objects.
    pub named: bool,
    /// The rule's entry.
    pub span: Span,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug)]
pub struct RoleBinding {
    /// `true` for a ClusterRoleBinding.
    pub cluster: bool,
    /// `None` when `roleRef` or its `name` is missing: the binding binds nothing.
    pub role_ref: Option<RoleRef>,
    /// The subjects of a known kind with a name, in order.
    pub subjects: Vec<Subject>,
}

#[derive(Debug)]
pub struct RoleRef {
    /// `roleRef.kind` as written (`Role` or `ClusterRole`; `ClusterRole` when absent).
    pub kind: String,
    /// The `roleRef.name` value.
    pub name: Spanned<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectKind {
    ServiceAccount,
    User,
    Group,
}

#[derive(Debug)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The `name` value.
    pub name: Spanned<String>,
    /// The subject's own `namespace:` as written.
    pub namespace: Option<String>,
}

/// A string value with its span (`""` included; `null` and collections are none).
fn text(node: &Node) -> Option<Spanned<String>> {
    node.as_str()
        .map(|s| Spanned::new(s.to_string(), node.span))
}

/// The Role or ClusterRole `root` describes.
pub fn role(root: &Node) -> Role {
    Role {
        rules: root
            .get("rules")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(policy_rule)
            .collect(),
        aggregated: root.get("aggregationRule").is_some(),
    }
}

fn policy_rule(rule: &Node) -> PolicyRule {
    let list = |key: &str| -> Vec<Spanned<String>> {
        let Some(v) = rule.get(key) else {
            return Vec::new();
        };
        // `verbs: "*"` is invalid, but read it as the list it means.
        match v.as_str() {
            Some(_) => text(v).into_iter().collect(),
            None => v.items().iter().filter_map(text).collect(),
        }
    };
    PolicyRule {
        api_groups: list("apiGroups"),
        resources: list("resources"),
        verbs: list("verbs"),
        named: !rule
            .get("resourceNames")
            .map(Node::items)
            .unwrap_or_default()
            .is_empty(),
        span: rule.span,
    }
}

/// The RoleBinding (or, `cluster`, ClusterRoleBinding) `root` describes.
pub fn role_binding(root: &Node, cluster: bool) -> RoleBinding {
    let role_ref = root.get("roleRef").and_then(|r| {
        Some(RoleRef {
            kind: r.get_str("kind").unwrap_or("ClusterRole").to_string(),
            name: r.get("name").and_then(text)?,
        })
    });
    let subjects = root
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            let name = s.get("name").and_then(text)?;
            let kind = match s.get_str("kind") {
                Some("ServiceAccount") => SubjectKind::ServiceAccount,
                Some("User") => SubjectKind::User,
                Some("Group") => SubjectKind::Group,
                _ => return None,
            };
            Some(Subject {
                kind,
                name,
                namespace: s.get_str("namespace").map(str::to_string),
            })
        })
        .collect();
    RoleBinding {
        cluster,
        role_ref,
        subjects,
    }
}
