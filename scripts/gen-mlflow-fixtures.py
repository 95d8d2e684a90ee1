#!/usr/bin/env python3
"""Generate the MLflow fixture stores by running MLflow itself.

Usage: PYTHON-WITH-MLFLOW scripts/gen-mlflow-fixtures.py OUT_DIR

This script installs nothing: run it with a Python that already has
`mlflow` (3.x) importable. It writes two stores under OUT_DIR:

- `lesson/`: the lesson's tracking server, started for real as
  `mlflow server --backend-store-uri sqlite:///mlflow.db
  --default-artifact-root ./mlruns` (bound to 127.0.0.1 only), with two team
  experiments, four runs logged without naming an experiment (they land in
  `Default`; a fifth is deleted), two experiments created with one shared
  artifact location, and a model registered by team A from a run of team B.
- `filestore/`: MLflow 3's file store (`MLFLOW_ALLOW_FILE_STORE=true`) with
  logged models (`mlruns/<id>/models/m-…/meta.yaml`), a model registered
  from a logged model (`models:/m-…`) and one registered from another
  tenant's logged model.

Each directory gets a `.tenantlint.yaml` mapping experiment and model names
to tenants, and OUT_DIR gets `MLFLOW_VERSION` (the MLflow that wrote it).
Ids and timestamps differ on every run; `tests/mlflow_oracle.rs` compares
what tenantlint finds, not bytes.
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

TENANTS = """tenants:
  team-a: ["team-a*"]
  team-b: ["team-b*"]
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, proc, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mlflow server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("mlflow server did not become healthy")


def lesson(out):
    import mlflow
    from mlflow import MlflowClient

    os.makedirs(out)
    port = free_port()
    # The lesson's command, except that the host is loopback: nothing here
    # should be reachable from the network.
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", "sqlite:///mlflow.db",
        "--default-artifact-root", "./mlruns",
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1",
    ]
    log = open(os.path.join(out, "..", "server.log"), "w")
    proc = subprocess.Popen(cmd, cwd=out, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        mlflow.set_tracking_uri(url)
        client = MlflowClient(url)
        a = client.create_experiment("team-a/churn")
        b = client.create_experiment("team-b/fraud")
        for exp in (a, b):
            run = client.create_run(exp)
            client.log_metric(run.info.run_id, "auc", 0.9)
            client.set_terminated(run.info.run_id)
        # Runs logged without an experiment go to `Default` (id 0).
        default_runs = []
        for i in range(5):
            run = client.create_run("0", run_name=f"quick-try-{i}")
            client.set_terminated(run.info.run_id)
            default_runs.append(run.info.run_id)
        client.delete_run(default_runs[-1])
        # Two experiments that share one artifact location.
        shared = "s3://ml-artifacts/shared"
        client.create_experiment("team-a/shared-exp", artifact_location=shared)
        client.create_experiment("team-b/shared-exp", artifact_location=shared)
        # Team A registers a model from one of team B's runs.
        b_run = client.search_runs([b])[0].info
        client.create_registered_model("team-a-churn-model")
        client.create_model_version(
            "team-a-churn-model",
            f"{b_run.artifact_uri}/model",
            run_id=b_run.run_id,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    # Smaller and self-contained for committing: no WAL, no free pages.
    con = sqlite3.connect(os.path.join(out, "mlflow.db"))
    con.execute("VACUUM")
    con.close()
    with open(os.path.join(out, ".tenantlint.yaml"), "w") as f:
        f.write(TENANTS)


def filestore(out):
    os.makedirs(out)
    env = dict(os.environ, MLFLOW_ALLOW_FILE_STORE="true")
    code = r"""
import mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri("file:./mlruns")
mlflow.set_registry_uri("file:./mlruns")
client = MlflowClient()
a = client.create_experiment("team-a/churn")
b = client.create_experiment("team-b/fraud")
models = {}
for name, exp in (("a", a), ("b", b)):
    mlflow.set_experiment(experiment_id=exp)
    with mlflow.start_run() as run:
        model = mlflow.initialize_logged_model(name=f"model-{name}", source_run_id=run.info.run_id)
        mlflow.finalize_logged_model(model.model_id, "READY")
        models[name] = model.model_id
# Team A registers its own logged model, and one of team B's.
mlflow.register_model(f"models:/{models['a']}", "team-a-churn-model")
mlflow.register_model(f"models:/{models['b']}", "team-a-fraud-copy")
"""
    subprocess.run([sys.executable, "-c", code], cwd=out, env=env, check=True)
    with open(os.path.join(out, ".tenantlint.yaml"), "w") as f:
        f.write(TENANTS)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = os.path.abspath(sys.argv[1])
    import mlflow

    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    lesson(os.path.join(out, "lesson"))
    filestore(os.path.join(out, "filestore"))
    os.remove(os.path.join(out, "server.log"))
    with open(os.path.join(out, "MLFLOW_VERSION"), "w") as f:
        f.write(mlflow.__version__ + "\n")


if __name__ == "__main__":
    main()
