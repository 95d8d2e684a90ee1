//! Docker Compose files: each service is a process (SPEC §4.8) — its
//! `entrypoint` and `command` (string or list), `environment` (map or
//! list), `env_file` (read when it lies inside the Compose file's
//! directory), `volumes`, `tmpfs` and `working_dir`. The tenant scope is
//! the Compose project: the top-level `name:`, else the directory.

use std::collections::HashMap;
use std::path::Path;

use super::build::parent_dir;
use super::process::{EnvSetting, EnvSource, Mount, MountSource, Process, Producer, words_of_item};
use super::shell::Token;
use crate::load::Node;
use crate::source::{SourceFile, Spanned};

/// Compose file names (`compose.yaml`, `docker-compose.override.yml`, …).
pub fn is_compose_name(lower: &str) -> bool {
    let stem = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"));
    stem.is_some_and(|s| {
        s == "compose" || s.starts_with("compose.") || s.starts_with("docker-compose")
    })
}

/// A YAML document that is a Compose file by its shape: no `kind`, and a
/// top-level `services:` mapping of services with an `image` or a `build`.
pub fn looks_like_compose(root: &Node) -> bool {
    if root.get("kind").is_some() || root.get("apiVersion").is_some() {
        return false;
    }
    let Some(services) = root.get("services").filter(|s| s.is_map()) else {
        return false;
    };
    let entries = services.entries();
    !entries.is_empty()
        && entries.iter().all(|e| {
            e.value.is_map() && (e.value.get("image").is_some() || e.value.get("build").is_some())
        })
}

/// The processes of a Compose document: one per service.
pub fn processes(file: &SourceFile, root: &Node) -> Vec<Process> {
    let dir = parent_dir(&file.display);
    let scope = root.get_str("name").map(str::to_string).unwrap_or_else(|| {
        if dir.is_empty() {
            ".".to_string()
        } else {
            dir.to_string()
        }
    });
    let mut out = Vec::new();
    let Some(services) = root.get("services") else {
        return out;
    };
    for entry in services.entries() {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        let service = &entry.value;
        let mut p = Process::new(
            file.id,
            Producer::Compose,
            format!("Compose service {name}"),
            entry.key.span,
        );
        p.scope = Some(scope.clone());
        p.image = service.get_str("image").map(str::to_string);
        p.published = Some(
            service.get_str("network_mode") == Some("host")
                || service
                    .get("ports")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .any(publishes_beyond_loopback),
        );
        p.working_dir = service.get_str("working_dir").map(str::to_string);
        if let Some(env_files) = service.get("env_file") {
            read_env_files(file, env_files, &mut p);
        }
        if let Some(env) = service.get("environment") {
            environment(file, env, &mut p);
        }
        let values: HashMap<String, String> = p
            .literal_env()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let values: HashMap<&str, &str> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let entrypoint = service.get("entrypoint").filter(|n| !n.is_null());
        p.explicit_command = entrypoint.is_some();
        for node in [entrypoint, service.get("command")].into_iter().flatten() {
            p.command_spans.push(node.span);
            p.words.extend(command_words(file, node, &values));
        }
        let mut p = super::process::with_script_env(file, p);
        super::process::read_mlflow_env_files(file, &mut p, &super::process::file_dir(file));
        for v in service.get("volumes").map_or(&[][..], Node::items) {
            if let Some(m) = volume(dir, v) {
                p.mounts.push(m);
            }
        }
        let tmpfs = service.get("tmpfs");
        let tmpfs_items: Vec<&Node> = match tmpfs {
            Some(t) if t.as_str().is_some() => vec![t],
            Some(t) => t.items().iter().collect(),
            None => Vec::new(),
        };
        for t in tmpfs_items {
            if let Some(target) = t.as_str() {
                p.mounts.push(Mount {
                    target: target.split(':').next().unwrap_or(target).to_string(),
                    source: MountSource::Tmpfs,
                    span: t.span,
                });
            }
        }
        out.push(p);
    }
    out
}

/// `command:` / `entrypoint:` — a list of words, or a string that Compose
/// splits as a shell would (without running a shell).
fn command_words(file: &SourceFile, node: &Node, env: &HashMap<&str, &str>) -> Vec<Token> {
    match node.as_str() {
        Some(s) => super::shell::shell_tokens(file, node.span, s, env),
        None => node
            .items()
            .iter()
            .filter_map(|n| {
                Some(Spanned::new(
                    n.as_scalar()?.to_string(),
                    inside_quotes(file, n),
                ))
            })
            .flat_map(|item| words_of_item(file, &item, env))
            .collect(),
    }
}

/// A quoted scalar's span without its quotes (the word itself).
fn inside_quotes(file: &SourceFile, n: &Node) -> crate::source::Span {
    let src = file.slice(n.span);
    let b = src.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] && !src.contains('\n')
    {
        let start = n.span.start.byte as usize + 1;
        file.span_of_bytes(start..start + src.len() - 2)
    } else {
        n.span
    }
}

/// A `ports:` entry that publishes on an address other than loopback:
/// `"5000:5000"`, `"5000"` (a random host port, all interfaces),
/// `"0.0.0.0:5000:5000"`, or the long form without a loopback `host_ip`.
fn publishes_beyond_loopback(port: &Node) -> bool {
    let host_ip = match port.as_str() {
        Some(s) => {
            let s = s.rsplit_once('/').map_or(s, |(p, _)| p);
            // `IP:HOST:CONTAINER`, with `[::1]` for IPv6.
            match s
                .rsplit_once(':')
                .and_then(|(rest, _)| rest.rsplit_once(':'))
            {
                Some((ip, _)) => ip.trim_start_matches('[').trim_end_matches(']').to_string(),
                None => String::new(),
            }
        }
        None => port.get_str("host_ip").unwrap_or("").to_string(),
    };
    !(host_ip == "localhost" || host_ip == "::1" || host_ip.starts_with("127."))
}

/// `environment:` as a map (`KEY: value`) or a list (`- KEY=value`). A
/// variable without a value is passed through from the host: a reference.
fn environment(file: &SourceFile, env: &Node, p: &mut Process) {
    for e in env.entries() {
        let Some(name) = e.key.as_str() else { continue };
        let (value, source, value_span) = match e.value.as_scalar() {
            Some(_) if e.value.is_null() => (None, EnvSource::Reference, e.key.span),
            Some(v) => (Some(v.to_string()), EnvSource::Literal, e.value.span),
            None => (None, EnvSource::Reference, e.key.span),
        };
        p.env.push(EnvSetting {
            name: name.to_string(),
            value,
            source,
            file: file.id,
            name_span: e.key.span,
            value_span,
        });
    }
    for item in env.items() {
        let Some(text) = item.as_str() else { continue };
        let tok = Token {
            text: text.to_string(),
            span: item.span,
        };
        match super::shell::assignment(file, &tok) {
            Some((name, name_span, value, value_span)) => p.env.push(EnvSetting {
                name,
                value: Some(value),
                source: EnvSource::Literal,
                file: file.id,
                name_span,
                value_span,
            }),
            None => p.env.push(EnvSetting {
                name: text.trim().to_string(),
                value: None,
                source: EnvSource::Reference,
                file: file.id,
                name_span: item.span,
                value_span: item.span,
            }),
        }
    }
}

/// `env_file:` entries (a path, a list of paths, or `{path, required}`
/// maps). A file is read only when it lies inside the Compose file's
/// directory (links resolved), is a regular file and is small; otherwise
/// its variables are unknown.
fn read_env_files(file: &SourceFile, node: &Node, p: &mut Process) {
    let entries: Vec<&Node> = if node.as_str().is_some() {
        vec![node]
    } else {
        node.items().iter().collect()
    };
    let dir = file.path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    for e in entries {
        let path_node = if e.is_map() { e.get("path") } else { Some(e) };
        let Some(path_node) = path_node else { continue };
        let Some(rel) = path_node.as_str() else {
            continue;
        };
        match super::process::read_inside(dir, rel) {
            Some(text) => {
                for (name, value) in super::process::dotenv_lines(&text) {
                    p.env.push(EnvSetting {
                        name,
                        value: Some(value),
                        source: EnvSource::EnvFile,
                        file: file.id,
                        name_span: path_node.span,
                        value_span: path_node.span,
                    });
                }
            }
            None => p.opaque_env = true,
        }
    }
}

/// A `volumes:` entry: `SRC:TARGET[:MODE]`, `TARGET` (anonymous), or the
/// long form `{type, source, target}`.
fn volume(dir: &str, v: &Node) -> Option<Mount> {
    let (kind, source, target) = match v.as_str() {
        Some(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.as_slice() {
                [target] => ("volume", "", *target),
                [source, target, ..] => {
                    let kind = if is_host_path(source) {
                        "bind"
                    } else {
                        "volume"
                    };
                    (kind, *source, *target)
                }
                [] => return None,
            }
        }
        None => (
            v.get_str("type").unwrap_or("volume"),
            v.get_str("source").unwrap_or(""),
            v.get_str("target")?,
        ),
    };
    let source = match kind {
        "bind" => MountSource::Host(host_path(dir, source)),
        "tmpfs" => MountSource::Tmpfs,
        _ => MountSource::Volume(source.to_string()),
    };
    Some(Mount {
        target: target.to_string(),
        source,
        span: v.span,
    })
}

fn is_host_path(s: &str) -> bool {
    s.starts_with('/') || s.starts_with('.') || s.starts_with('~') || s.starts_with('$')
}

/// A bind mount's host side, with a relative path resolved against the
/// Compose file's directory (as shown).
fn host_path(dir: &str, source: &str) -> String {
    if source.starts_with('/') || source.starts_with('~') || source.starts_with('$') {
        return normalise(source);
    }
    let joined = if dir.is_empty() {
        source.to_string()
    } else {
        format!("{dir}/{source}")
    };
    normalise(&joined)
}

/// `.` and `..` segments and repeated slashes removed.
pub fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_names() {
        for yes in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.prod.yaml",
            "compose.override.yml",
        ] {
            assert!(is_compose_name(yes), "{yes}");
        }
        for no in ["composer.yaml", "deploy.yaml", "compose.json"] {
            assert!(!is_compose_name(no), "{no}");
        }
    }

    #[test]
    fn services_become_processes() {
        let text = "name: lesson\nservices:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow:v3.1.0\n    command: mlflow server --host 0.0.0.0 --port 5000\n    environment:\n      AWS_SECRET_ACCESS_KEY: abc\n      TOKEN:\n    volumes: [\"./data:/data\", \"cache:/cache\"]\n  train:\n    image: trainer\n    entrypoint: [\"mlflow\", \"run\", \".\"]\n    environment:\n    - MLFLOW_TRACKING_URI=http://mlflow:5000\n";
        let f = SourceFile::new(
            0,
            "d/compose.yaml".into(),
            "d/compose.yaml".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let ps = processes(&f, &parsed.docs[0].root);
        assert_eq!(ps.len(), 2);
        let host = ps[0].words.iter().find(|w| w.text == "0.0.0.0").unwrap();
        assert_eq!((host.span.start.line, host.span.start.col), (5, 35));
        assert_eq!(ps[0].scope.as_deref(), Some("lesson"));
        assert_eq!(ps[0].env[1].source, EnvSource::Reference);
        assert_eq!(ps[0].mounts[0].source, MountSource::Host("d/data".into()));
        assert!(!ps[0].explicit_command);
        assert!(ps[1].explicit_command);
        let uri = &ps[1].env[0];
        assert_eq!(f.slice(uri.value_span), "http://mlflow:5000");
    }
}
