//! MLflow AI gateway configuration (`mlflow gateway start --config-path`,
//! `mlflow deployments start-server`): endpoints and the provider settings
//! that hold API keys.

use crate::load::Node;
use crate::source::{FileId, Spanned};

#[derive(Debug)]
pub struct GatewayConfig {
    pub file: FileId,
    /// Every scalar setting under an endpoint's `model.config` (nested
    /// mappings such as `aws_config` included): key and value.
    pub settings: Vec<(Spanned<String>, Spanned<String>)>,
}

impl GatewayConfig {
    /// A document with no `kind` whose `endpoints` (or, before MLflow 2.9,
    /// `routes`) is a list of endpoints with a `model.provider`.
    pub fn from_yaml(file: FileId, root: &Node) -> Option<GatewayConfig> {
        if root.get("kind").is_some() {
            return None;
        }
        let endpoints = root.get("endpoints").or_else(|| root.get("routes"))?;
        let items = endpoints.items();
        if items.is_empty()
            || !items
                .iter()
                .any(|e| e.path(&["model", "provider"]).is_some())
        {
            return None;
        }
        let mut settings = Vec::new();
        for e in items {
            if let Some(config) = e.path(&["model", "config"]) {
                collect(config, &mut settings);
            }
        }
        Some(GatewayConfig { file, settings })
    }
}

fn collect(node: &Node, out: &mut Vec<(Spanned<String>, Spanned<String>)>) {
    for e in node.entries() {
        if e.value.is_map() {
            collect(&e.value, out);
        } else if let (Some(k), Some(v)) = (e.key.spanned_str(), e.value.spanned_str()) {
            out.push((k, v));
        }
    }
}
