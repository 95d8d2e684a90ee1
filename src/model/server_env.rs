//! `mlflow server` settings that a container takes from ConfigMaps and
//! Secrets of the set: `MLFLOW_*` variables through `envFrom`
//! (`configMapRef`, `secretRef`, with `prefix`) and `env[].valueFrom`
//! (`configMapKeyRef`, `secretKeyRef`), and the values of variables its
//! command line expands (`$(VAR)`). The command line and the literal `env`
//! values are read by [`super::mlflow::find_server`]; this adds the
//! variables whose values live in other objects, with Kubernetes'
//! precedence: a later `envFrom` source wins over an earlier one, `env`
//! over `envFrom`, and a flag on the command line over any variable.
//!
//! Only the variables asked for are looked up (the server options' and
//! those the command line names), each with one hash probe per source,
//! so a large ConfigMap shared by many containers is not walked per
//! container.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use super::config_data::{DataKind, DataTable};
use super::k8s::{Container, Object, follow};
use super::mlflow::{ArgOrigin, MlflowServer, ServerArg, server_env_vars, server_option_for_env};
use crate::load::Node;
use crate::source::Span;

/// How many `envFrom` sources of one container are read: real pods have a
/// handful; the bound keeps a hostile one from costing sources × names.
const MAX_SOURCES: usize = 64;

/// The libpq variables that complete a `postgresql://` store URI.
pub const LIBPQ_VARS: &[&str] = &["PGHOST", "PGPORT", "PGDATABASE"];

/// The effective definition of one environment variable.
#[derive(Clone, Debug)]
enum Var {
    /// A literal `env[].value` (already read with the command line).
    Literal(String),
    /// A key of a ConfigMap or Secret of the set.
    Data {
        value: String,
        span: Span,
        origin: ArgOrigin,
    },
    /// A `valueFrom` that tenantlint cannot read: a ConfigMap or Secret
    /// the set does not define, a field or resource reference.
    Unknown,
}

/// Finds the ConfigMap or Secret `name` where the container's object is
/// deployed, read once for the whole set.
pub trait DataLookup: Fn(DataKind, &str) -> Option<Rc<DataTable>> {}
impl<F: Fn(DataKind, &str) -> Option<Rc<DataTable>>> DataLookup for F {}

fn data_var(table: &DataTable, key: &str) -> Option<Var> {
    let entry = table.get(key)?;
    Some(Var::Data {
        value: entry.text.clone(),
        span: entry.span,
        origin: ArgOrigin {
            file: table.file,
            object: table.object,
        },
    })
}

/// The effective definition of each variable in `wanted` that the
/// container's `envFrom` or `env` defines.
fn environment(
    obj: &Object,
    container: &Container,
    wanted: &BTreeSet<String>,
    lookup: &impl DataLookup,
) -> HashMap<String, Var> {
    let mut vars: HashMap<String, Var> = HashMap::new();
    let root = obj.root();
    let Some(node) = follow(&root, &container.path) else {
        return vars;
    };
    let sources = node.get("envFrom").map_or(&[][..], Node::items);
    for from in sources.iter().take(MAX_SOURCES) {
        let prefix = from.get_str("prefix").unwrap_or("");
        let source = [
            ("configMapRef", DataKind::ConfigMap),
            ("secretRef", DataKind::Secret),
        ]
        .into_iter()
        .find_map(|(key, kind)| Some((kind, from.get(key)?.get_str("name")?)));
        // A source the set does not define sets variables nobody can
        // name here: nothing is known, nothing is assumed.
        let Some(table) = source.and_then(|(kind, name)| lookup(kind, name)) else {
            continue;
        };
        for name in wanted {
            if let Some(key) = name.strip_prefix(prefix)
                && let Some(var) = data_var(&table, key)
            {
                vars.insert(name.clone(), var);
            }
        }
    }
    for e in node.get("env").map_or(&[][..], Node::items) {
        let Some(name) = e.get_str("name").filter(|n| wanted.contains(*n)) else {
            continue;
        };
        let var = match e.get("valueFrom") {
            Some(from) if e.get("value").is_none() => {
                value_from(from, lookup).unwrap_or(Var::Unknown)
            }
            // A literal value; `- name: X` alone sets `X` to "".
            _ => Var::Literal(e.get_str("value").unwrap_or("").to_string()),
        };
        vars.insert(name.to_string(), var);
    }
    vars
}

/// A `valueFrom` that names a key of a ConfigMap or Secret of the set.
fn value_from(from: &Node, lookup: &impl DataLookup) -> Option<Var> {
    let (kind, r) = [
        ("configMapKeyRef", DataKind::ConfigMap),
        ("secretKeyRef", DataKind::Secret),
    ]
    .into_iter()
    .find_map(|(key, kind)| Some((kind, from.get(key)?)))?;
    let table = lookup(kind, r.get_str("name")?)?;
    data_var(&table, r.get_str("key")?)
}

/// The names of the variables a command line refers to: `$(NAME)`
/// (Kubernetes), `${NAME}` and `$NAME` (a shell).
fn referenced_names(container: &Container) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in container.command.iter().chain(&container.args) {
        let mut rest = item.value.as_str();
        while let Some(i) = rest.find('$') {
            rest = &rest[i + 1..];
            let inner = rest
                .strip_prefix('(')
                .or_else(|| rest.strip_prefix('{'))
                .unwrap_or(rest);
            let n = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            if n > 0 {
                names.insert(inner[..n].to_string());
            }
        }
    }
    names
}

/// The variables that the container's command line refers to and takes
/// from ConfigMaps and Secrets of the set, with their values (for
/// `$(VAR)` expansion).
pub fn referenced_values(
    obj: &Object,
    container: &Container,
    lookup: &impl DataLookup,
) -> HashMap<String, String> {
    let wanted = referenced_names(container);
    if wanted.is_empty() {
        return HashMap::new();
    }
    environment(obj, container, &wanted, lookup)
        .into_iter()
        .filter_map(|(name, var)| match var {
            Var::Data { value, .. } => Some((name, value)),
            _ => None,
        })
        .collect()
}

/// Add to `server` the settings its container takes from ConfigMaps and
/// Secrets, and drop those that a later unreadable `valueFrom` overrides.
pub fn add_referenced_settings(
    server: &mut MlflowServer,
    obj: &Object,
    container: &Container,
    lookup: &impl DataLookup,
) {
    let wanted: BTreeSet<String> = server_env_vars()
        .chain(LIBPQ_VARS.iter().copied())
        .map(str::to_string)
        .collect();
    let mut vars: Vec<(String, Var)> = environment(obj, container, &wanted, lookup)
        .into_iter()
        .collect();
    // Sorted, so that the result does not depend on hash order.
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, var) in vars {
        if let Some(&libpq) = LIBPQ_VARS.iter().find(|v| **v == name) {
            match var {
                Var::Literal(value) | Var::Data { value, .. } => {
                    server.libpq.insert(libpq, Some(value));
                }
                Var::Unknown => {
                    server.libpq.insert(libpq, None);
                }
            }
            continue;
        }
        let Some(option) = server_option_for_env(&name) else {
            continue;
        };
        // A flag on the command line wins over every variable.
        if server.args.get(option).is_some_and(|a| !a.from_env) {
            continue;
        }
        match var {
            Var::Literal(_) => {}
            Var::Unknown => {
                server.args.remove(option);
            }
            Var::Data {
                value,
                span,
                origin,
            } => {
                server.args.insert(
                    option,
                    ServerArg {
                        value,
                        span,
                        from_env: true,
                        origin: Some(origin),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn servers(text: &str) -> (SourceFile, MlflowServer) {
        let f = SourceFile::new(
            0,
            "d.yaml".into(),
            "d.yaml".into(),
            FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let objects = crate::model::build::build_file(&f, parsed.docs).objects;
        let (i, obj) = objects
            .iter()
            .enumerate()
            .find(|(_, o)| o.workload().is_some())
            .unwrap();
        let container = &obj.workload().unwrap().templates[0].containers[0];
        let lookup = |kind: DataKind, name: &str| {
            objects
                .iter()
                .enumerate()
                .find(|(_, o)| o.is_kind("", kind.kind()) && o.name() == name)
                .map(|(id, o)| Rc::new(DataTable::new(id, o)))
        };
        let referenced = referenced_values(obj, container, &lookup);
        let process =
            super::super::process::from_container(&f, obj, container, |_| None, &referenced);
        let mut server = super::super::mlflow::find_server(&f, &process).unwrap();
        add_referenced_settings(&mut server, &objects[i], container, &lookup);
        (f, server)
    }

    const DATA: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  MLFLOW_HOST: 0.0.0.0\n  MLFLOW_PORT: \"5000\"\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  MLFLOW_BACKEND_STORE_URI: cG9zdGdyZXNxbDovL2RiL20=\n  host: MTI3LjAuMC4x\nstringData:\n  MLFLOW_DEFAULT_ARTIFACT_ROOT: s3://b/a\n---\n";

    fn pod(container: &str) -> String {
        format!(
            "{DATA}apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: s\n    command: [mlflow, server]\n{container}"
        )
    }

    #[test]
    fn env_from_config_maps_and_secrets() {
        let (f, s) = servers(&pod(
            "    envFrom: [{configMapRef: {name: cm}}, {secretRef: {name: s}}, {configMapRef: {name: missing}}]\n",
        ));
        let host = s.arg("host").unwrap();
        assert_eq!(host.value, "0.0.0.0");
        assert!(host.from_env);
        assert_eq!(f.slice(host.span), "0.0.0.0");
        assert_eq!(host.origin.unwrap().object, 0);
        let store = s.arg("backend-store-uri").unwrap();
        assert_eq!(store.value, "postgresql://db/m");
        assert_eq!(f.slice(store.span), "MLFLOW_BACKEND_STORE_URI");
        assert_eq!(
            f.slice(s.arg("default-artifact-root").unwrap().span),
            "s3://b/a"
        );
    }

    #[test]
    fn precedence_of_flags_env_and_env_from() {
        // `env` wins over `envFrom`; the flag over both; a later unreadable
        // `valueFrom` leaves the setting unknown.
        let (f, s) = servers(&pod(
            "    args: [--port, \"80\"]\n    envFrom: [{configMapRef: {name: cm}}]\n    env:\n    - {name: MLFLOW_HOST, value: 127.0.0.2}\n    - {name: MLFLOW_DEFAULT_ARTIFACT_ROOT, value: s3://b/x}\n    - {name: MLFLOW_DEFAULT_ARTIFACT_ROOT, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n",
        ));
        assert_eq!(s.arg("host").unwrap().value, "127.0.0.2");
        assert!(s.arg("host").unwrap().origin.is_none());
        assert_eq!(f.slice(s.arg("port").unwrap().span), "\"80\"");
        assert!(s.arg("default-artifact-root").is_none());
    }

    #[test]
    fn value_from_key_refs() {
        let (f, s) = servers(&pod(
            "    env:\n    - name: MLFLOW_HOST\n      valueFrom: {secretKeyRef: {name: s, key: host}}\n    - name: MLFLOW_PORT\n      valueFrom: {configMapKeyRef: {name: cm, key: MLFLOW_PORT}}\n    - name: MLFLOW_WORKERS\n      valueFrom: {configMapKeyRef: {name: cm, key: absent}}\n",
        ));
        let host = s.arg("host").unwrap();
        assert_eq!(host.value, "127.0.0.1");
        assert_eq!(f.slice(host.span), "host");
        assert_eq!(s.arg("port").unwrap().value, "5000");
        assert!(s.arg("workers").is_none());
    }

    #[test]
    fn command_line_variables_expand_from_config_maps() {
        // `sh -c` expands `${VAR}` from the environment, Kubernetes `$(VAR)`.
        let (f, s) = servers(&format!(
            "{DATA}apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: s\n    command: [sh, -c, \"mlflow server --host ${{MLFLOW_HOST}} --port $(MLFLOW_PORT)\"]\n    envFrom: [{{configMapRef: {{name: cm}}}}]\n"
        ));
        let host = s.arg("host").unwrap();
        assert_eq!(host.value, "0.0.0.0");
        assert!(!host.from_env);
        assert_eq!(f.slice(host.span), "${MLFLOW_HOST}");
        assert_eq!(s.arg("port").unwrap().value, "5000");
    }
}
