//! MLflow Projects (`MLproject`): the Docker environment a project runs in
//! (host volumes and environment it takes from the machine that runs
//! `mlflow run`) and its entry points.

use crate::load::Node;
use crate::source::{FileId, Span, Spanned};

#[derive(Debug)]
pub struct MlProject {
    pub file: FileId,
    pub name: Option<Spanned<String>>,
    /// `docker_env.image`.
    pub docker_image: Option<Spanned<String>>,
    /// `docker_env.volumes`: `host:container[:mode]` strings.
    pub docker_volumes: Vec<Spanned<String>>,
    /// `docker_env.environment`.
    pub docker_environment: Vec<ProjectEnv>,
    pub entry_points: Vec<EntryPoint>,
}

/// One `docker_env.environment` item: `NAME` (copied from the host's
/// environment) or `[NAME, value]` (set to `value`).
#[derive(Debug)]
pub struct ProjectEnv {
    pub name: Spanned<String>,
    /// `None` when the variable is copied from the host.
    pub value: Option<Spanned<String>>,
    /// The whole item.
    pub span: Span,
}

#[derive(Debug)]
pub struct EntryPoint {
    pub name: Spanned<String>,
    pub command: Option<Spanned<String>>,
}

impl MlProject {
    /// A file named `MLproject` (any case) is a project whatever its shape;
    /// another YAML document is one when it has the shape of a Docker
    /// project: no `kind`, an `entry_points` mapping and a `docker_env`
    /// mapping.
    pub fn from_yaml(file: FileId, root: &Node, named: bool) -> Option<MlProject> {
        if !root.is_map() {
            return None;
        }
        let docker = root.get("docker_env").filter(|d| d.is_map());
        if !named
            && (root.get("kind").is_some()
                || docker.is_none()
                || !root.get("entry_points").is_some_and(Node::is_map))
        {
            return None;
        }
        let docker_volumes = docker
            .and_then(|d| d.get("volumes"))
            .map(|v| {
                v.items()
                    .iter()
                    .filter_map(|i| i.spanned_str())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let docker_environment = docker
            .and_then(|d| d.get("environment"))
            .map(|env| env.items().iter().filter_map(project_env).collect())
            .unwrap_or_default();
        let entry_points = root
            .get("entry_points")
            .map(|eps| {
                eps.entries()
                    .iter()
                    .filter_map(|e| {
                        Some(EntryPoint {
                            name: e.key.spanned_str()?,
                            command: e.value.get("command").and_then(Node::spanned_str),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(MlProject {
            file,
            name: root.get("name").and_then(Node::spanned_str),
            docker_image: docker
                .and_then(|d| d.get("image"))
                .and_then(Node::spanned_str),
            docker_volumes,
            docker_environment,
            entry_points,
        })
    }
}

fn project_env(item: &Node) -> Option<ProjectEnv> {
    if let Some(name) = item.spanned_str() {
        return Some(ProjectEnv {
            name,
            value: None,
            span: item.span,
        });
    }
    let pair = item.items();
    let name = pair.first()?.spanned_str()?;
    let value = pair
        .get(1)
        .and_then(|v| v.as_str().map(|s| Spanned::new(s.to_string(), v.span)));
    Some(ProjectEnv {
        name,
        value,
        span: item.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    fn project(name: &str, text: &str) -> Option<MlProject> {
        let f = SourceFile::new(0, name.into(), name.into(), FileKind::Yaml, text.into());
        let parsed = crate::load::parse_yaml(&f);
        MlProject::from_yaml(0, &parsed.docs[0].root, name == "MLproject")
    }

    #[test]
    fn docker_env_volumes_environment_entry_points() {
        let p = project(
            "MLproject",
            "name: p\ndocker_env:\n  image: img\n  volumes: [\"/data:/data\", \"cache:/cache\"]\n  environment: [[\"A\", \"1\"], \"AWS_PROFILE\"]\nentry_points:\n  main:\n    command: python train.py\n",
        )
        .unwrap();
        assert_eq!(p.docker_volumes.len(), 2);
        assert_eq!(p.docker_environment[0].value.as_ref().unwrap().value, "1");
        assert_eq!(p.docker_environment[1].name.value, "AWS_PROFILE");
        assert!(p.docker_environment[1].value.is_none());
        assert_eq!(p.entry_points[0].name.value, "main");
        assert_eq!(p.docker_image.unwrap().value, "img");
    }

    #[test]
    fn shape_outside_a_file_named_mlproject() {
        let yaml = "docker_env: {image: x}\nentry_points: {main: {command: c}}\n";
        assert!(project("example.yaml", yaml).is_some());
        assert!(project("values.yaml", "entry_points: {main: {command: c}}\n").is_none());
        assert!(project("values.yaml", "kind: X\ndocker_env: {}\nentry_points: {}\n").is_none());
    }
}
