//! Helpers and inputs shared by the integration tests (`mod common;`).
//! The generators (`generate.rs`) and the resource-limited runner
//! (`limited.rs`) are included on their own with `#[path]`, by the tests and
//! benches that need them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `tenantlint` binary, with no colour forced by the environment.
pub fn command() -> Command {
    let mut cmd = Command::cargo_bin("tenantlint").unwrap();
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// `tenantlint` run in `dir`, with no colour forced by the environment.
pub fn tenantlint(dir: &Path) -> Command {
    let mut cmd = command();
    cmd.current_dir(dir);
    cmd
}

/// `../shared/<sub>` (the spec's corpus and schemas, beside the checkout),
/// or `None` with a note when it is absent. When the environment variable
/// `CI` is set the material must be there: a missing `../shared` fails the
/// test instead of skipping it silently.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent, and CI is set: tests that read ../shared must run",
        path.display()
    );
    eprintln!("note: {} is absent; skipping", path.display());
    None
}

/// Write `dir/name`, creating its directories.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// SPEC's acceptance example: a Pod in `tenant2` in a file that declares
/// `tenant1` — NS003 at 10:14, related to the Namespace name at 4:9.
pub const NAMESPACE_MISMATCH: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: tenant1
---
apiVersion: v1
kind: Pod
metadata:
  name: tenant1-pod
  namespace: tenant2
spec:
  containers:
  - name: app
    image: ml-app:latest
";

/// Two applications of `team-a` sharing service account `ml-runner`: SA001
/// at 11:27 and 24:27 (in each document, line 11 column 27).
pub const SHARED_SA: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: notebook
  namespace: team-a
spec:
  template:
    metadata:
      labels: {app: notebook}
    spec:
      serviceAccountName: ml-runner
      containers: [{name: nb, image: jupyter/base}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: serving
  namespace: team-a
spec:
  template:
    metadata:
      labels: {app: serving}
    spec:
      serviceAccountName: ml-runner
      containers: [{name: srv, image: ml/serve}]
";
