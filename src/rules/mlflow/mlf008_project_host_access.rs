//! MLF008 project-host-access.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "MLF008",
        name: "project-host-access",
        category: Category::Mlflow,
        severity: Severity::Error,
        summary: "an MLproject `docker_env` that mounts host paths or forwards host credentials",
        docs: Docs {
            what: "Reports, in an `MLproject`'s `docker_env`, a `volumes` entry whose host side \
                   is a path (`/…`, `~…`, `.…`, `$HOME/…`) rather than a named Docker volume, and \
                   an `environment` entry that copies a credential from the environment of \
                   whoever runs the project: `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, \
                   `AWS_PROFILE`, `MLFLOW_TRACKING_PASSWORD`, `MLFLOW_TRACKING_TOKEN`, \
                   `GOOGLE_APPLICATION_CREDENTIALS` or any `AZURE_STORAGE_*` — given by name \
                   alone, or as `[NAME, \"$NAME\"]`. A YAML document with no `kind` and both \
                   `docker_env` and `entry_points` mappings is read as a project too.",
            why: "`mlflow run` executes the project's code — code that anyone who can push to \
                  the project's repository controls — on the machine or runner that launches \
                  it, often a shared CI runner or build node. A host path volume hands that code \
                  the host's files (other tenants' checkouts, `~/.aws`, the Docker socket); a \
                  forwarded credential hands it whatever the launcher may do. Either lets one \
                  tenant's project act as the person or service that ran it.",
            example: "name: churn\ndocker_env:\n  image: registry.example.com/team-a/churn:1.0\n  volumes: [\"/home/ci/.aws:/root/.aws\"]\n  environment: [\"AWS_SECRET_ACCESS_KEY\", [\"EPOCHS\", \"10\"]]\nentry_points:\n  main:\n    command: python train.py\n",
            use_instead: "name: churn\ndocker_env:\n  image: registry.example.com/team-a/churn:1.0\n  volumes: [\"churn-cache:/cache\"]\n  environment: [[\"EPOCHS\", \"10\"]]\nentry_points:\n  main:\n    command: python train.py\n",
            options: None,
            known_problems: Some(
                "Credentials forwarded under other names are not recognised. `mlflow run -A` \
                 (extra `docker run` arguments) is given on the command line and not read.",
            ),
            references: Some(
                "- [MLflow Projects: Docker container environment](https://mlflow.org/docs/latest/ml/projects/#project-environments)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Host variables that are credentials.
const CREDENTIALS: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
    "GOOGLE_APPLICATION_CREDENTIALS",
];

fn is_credential(name: &str) -> bool {
    CREDENTIALS.contains(&name) || name.starts_with("AZURE_STORAGE_")
}

/// The host side of a `host:container[:mode]` volume when it is a path.
fn host_path(volume: &str) -> Option<&str> {
    let (host, _) = volume.split_once(':')?;
    // `C:\data:/data` on Windows: a drive letter is a path too.
    let is_path = host.starts_with(['/', '~', '.', '$', '\\'])
        || host.contains('/')
        || (host.len() == 1 && host.chars().all(|c| c.is_ascii_alphabetic()));
    is_path.then_some(host)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in &ctx.index.mlflow.projects {
        for v in &p.docker_volumes {
            let Some(host) = host_path(&v.value) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &RULE.meta,
                    p.file,
                    v.span,
                    format!("`docker_env.volumes` mounts the host's `{host}` into the project container"),
                )
                .help("use a named Docker volume, or bake the data into the image or fetch it from a tenant-scoped store"),
            );
        }
        for e in &p.docker_environment {
            let name = e.name.value.as_str();
            let forwards = match &e.value {
                None => true,
                Some(v) => v.value.trim_start().starts_with('$'),
            };
            if !forwards || !is_credential(name) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE.meta,
                    p.file,
                    e.span,
                    format!("`docker_env.environment` forwards the host's `{name}` into the project container"),
                )
                .help("give the project a credential of its own tenant through the execution backend, not the launcher's"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_path;
    use crate::rules::testing::lint;

    #[test]
    fn host_paths_and_named_volumes() {
        assert_eq!(host_path("/data:/data"), Some("/data"));
        assert_eq!(host_path("~/.aws:/root/.aws:ro"), Some("~/.aws"));
        assert_eq!(host_path("./cache:/cache"), Some("./cache"));
        assert_eq!(host_path("$HOME/x:/x"), Some("$HOME/x"));
        assert_eq!(host_path("cache:/cache"), None);
        assert_eq!(host_path("/only-container-side"), None);
    }

    #[test]
    fn volumes_and_forwarded_credentials() {
        let text = "name: p\ndocker_env:\n  image: i\n  volumes: [\"/var/run/docker.sock:/var/run/docker.sock\", \"named:/x\"]\n  environment:\n  - AWS_PROFILE\n  - [AZURE_STORAGE_CONNECTION_STRING, $AZURE_STORAGE_CONNECTION_STRING]\n  - [MLFLOW_TRACKING_TOKEN, fixed]\n  - AWS_ACCESS_KEY_ID\nentry_points: {main: {command: c}}\n";
        let found = lint("MLF008", &[("MLproject", text)]);
        let at: Vec<(u32, u32)> = found.iter().map(|f| (f.1, f.2)).collect();
        assert_eq!(at, [(4, 13), (6, 5), (7, 5)], "{found:?}");
    }
}
