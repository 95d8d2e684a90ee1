//! GitHub Actions workflows (`.github/workflows/*.y*ml`): each `run:` step
//! is a script whose commands that run MLflow are processes (SPEC §4.8),
//! with the workflow's, the job's and the step's `env:`.

use super::process::{EnvSetting, EnvSource, Process, Producer, ScriptEnv, script_processes};
use super::shell::place;
use crate::load::Node;
use crate::source::SourceFile;

/// Whether a display path is a workflow file: `.github/workflows/*.y*ml`.
pub fn is_workflow_path(display: &str) -> bool {
    let lower = display.to_ascii_lowercase();
    let Some((dir, name)) = lower.rsplit_once('/') else {
        return false;
    };
    (dir == ".github/workflows" || dir.ends_with("/.github/workflows"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// `env:` of a workflow, job or step, in order.
fn env_of(file: &SourceFile, node: Option<&Node>, env: &mut ScriptEnv) {
    for e in node.map_or(&[][..], Node::entries) {
        let Some(name) = e.key.as_str() else { continue };
        let (value, source, value_span) = match e.value.as_str() {
            Some(v) => (Some(v.to_string()), EnvSource::Literal, e.value.span),
            None => (None, EnvSource::Reference, e.key.span),
        };
        env.set(EnvSetting {
            name: name.to_string(),
            value,
            source,
            file: file.id,
            name_span: e.key.span,
            value_span,
        });
    }
}

/// The processes of a workflow document.
pub fn processes(file: &SourceFile, root: &Node) -> Vec<Process> {
    let mut out = Vec::new();
    // One environment, extended and rolled back job by job and step by
    // step: no copy of it per step.
    let mut env = ScriptEnv::default();
    env_of(file, root.get("env"), &mut env);
    for job in root.get("jobs").map_or(&[][..], Node::entries) {
        let Some(job_id) = job.key.as_str() else {
            continue;
        };
        let job_scope = env.mark();
        env_of(file, job.value.get("env"), &mut env);
        for (n, step) in job
            .value
            .get("steps")
            .map_or(&[][..], Node::items)
            .iter()
            .enumerate()
        {
            let Some(run) = step.get("run") else { continue };
            let Some(script) = run.as_str() else { continue };
            let step_scope = env.mark();
            env_of(file, step.get("env"), &mut env);
            let step_name = step
                .get_str("name")
                .map_or_else(|| format!("step {}", n + 1), |s| format!("step \"{s}\""));
            let mut template = Process::new(
                file.id,
                Producer::Workflow,
                format!("workflow {} job {job_id} {step_name}", file.display),
                run.span,
            );
            template.batch = true;
            template.scope = Some(file.display.clone());
            let tokens = place(file, run.span, script);
            let first_new = out.len();
            script_processes(file, &tokens, &mut env, &template, &mut out);
            // Steps run in the repository's root, the parent of `.github`.
            let root = super::process::file_dir(file)
                .parent()
                .and_then(std::path::Path::parent)
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(
                    || std::path::PathBuf::from("."),
                    std::path::Path::to_path_buf,
                );
            for p in &mut out[first_new..] {
                super::process::read_mlflow_env_files(file, p, &root);
            }
            env.rollback(step_scope);
        }
        env.rollback(job_scope);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_steps_with_their_env() {
        let text = "on: push\nenv:\n  MLFLOW_TRACKING_URI: http://mlflow:5000\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      AWS_SECRET_ACCESS_KEY: abc123\n    steps:\n    - uses: actions/checkout@v4\n    - name: train\n      run: |\n        pip install mlflow\n        mlflow run . -P alpha=0.5\n";
        let f = SourceFile::new(
            0,
            ".github/workflows/t.yml".into(),
            ".github/workflows/t.yml".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        assert!(is_workflow_path(&f.display));
        let parsed = crate::load::parse_yaml(&f);
        let ps = processes(&f, &parsed.docs[0].root);
        assert_eq!(ps.len(), 1, "{ps:?}");
        let run = ps[0].words.iter().find(|w| w.text == "run").unwrap();
        assert_eq!((run.span.start.line, run.span.start.col), (14, 16));
        assert_eq!(ps[0].env.len(), 2);
    }
}
