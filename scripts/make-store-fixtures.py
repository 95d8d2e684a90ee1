#!/usr/bin/env python3
"""Write the small SQLite tracking stores under fixtures/ and examples/
(standard library only).

Each store has MLflow 3.17.2's own schema for the tables tenantlint reads
(tests/data/mlflow_schema.sql, copied from a store that `mlflow server` wrote)
and the few rows its case needs. Run from the repository root:

    python3 scripts/make-store-fixtures.py
"""

import os
import sqlite3

SCHEMA = open("tests/data/mlflow_schema.sql").read()

CASES = {
    # Runs logged without an experiment; a deleted one is history.
    "fixtures/MLF003/fail/sqlite-store": """
        INSERT INTO experiments VALUES (0, 'Default', '/srv/mlflow/mlruns/0', 'active', 0, 0, 'default');
        INSERT INTO runs (run_uuid, name, lifecycle_stage, artifact_uri, experiment_id) VALUES
          ('6b3e1f0c9a2d4e5f8a7b6c5d4e3f2a1b', 'quick-try-0', 'active', '/srv/mlflow/mlruns/0/6b3e1f0c9a2d4e5f8a7b6c5d4e3f2a1b/artifacts', 0),
          ('9f8e7d6c5b4a39281706f5e4d3c2b1a0', 'quick-try-1', 'active', '/srv/mlflow/mlruns/0/9f8e7d6c5b4a39281706f5e4d3c2b1a0/artifacts', 0),
          ('0123456789abcdef0123456789abcdef', 'quick-try-2', 'deleted', '/srv/mlflow/mlruns/0/0123456789abcdef0123456789abcdef/artifacts', 0);
    """,
    "fixtures/MLF003/pass/sqlite-store": """
        INSERT INTO experiments VALUES (0, 'Default', '/srv/mlflow/mlruns/0', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (1, 'team-a/churn', '/srv/mlflow/mlruns/1', 'active', 0, 0, 'default');
        INSERT INTO runs (run_uuid, name, lifecycle_stage, artifact_uri, experiment_id) VALUES
          ('6b3e1f0c9a2d4e5f8a7b6c5d4e3f2a1b', 'train', 'active', '/srv/mlflow/mlruns/1/6b3e1f0c9a2d4e5f8a7b6c5d4e3f2a1b/artifacts', 1),
          ('0123456789abcdef0123456789abcdef', 'quick-try', 'deleted', '/srv/mlflow/mlruns/0/0123456789abcdef0123456789abcdef/artifacts', 0);
    """,
    # Two experiments created with one artifact location.
    "fixtures/MLF001/fail/sqlite-store": """
        INSERT INTO experiments VALUES (1, 'team-a/churn', 's3://ml-artifacts/shared', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (2, 'team-b/fraud', 's3://ml-artifacts/shared/', 'active', 0, 0, 'default');
    """,
    "fixtures/MLF001/pass/sqlite-store": """
        INSERT INTO experiments VALUES (1, 'team-a/churn', 's3://ml-artifacts/team-a', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (2, 'team-b/fraud', 's3://ml-artifacts/team-b', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (3, 'team-b/old', 's3://ml-artifacts/team-a', 'deleted', 0, 0, 'default');
    """,
    # With workspaces on: team-a registers a model from team-b's run.
    "fixtures/MLF009/fail/sqlite-store": """
        INSERT INTO workspaces (name) VALUES ('team-a'), ('team-b');
        INSERT INTO experiments VALUES (1, 'churn', 's3://ml/team-a/1', 'active', 0, 0, 'team-a');
        INSERT INTO experiments VALUES (2, 'fraud', 's3://ml/team-b/2', 'active', 0, 0, 'team-b');
        INSERT INTO runs (run_uuid, lifecycle_stage, artifact_uri, experiment_id) VALUES
          ('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', 'active', 's3://ml/team-b/2/b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2/artifacts', 2);
        INSERT INTO registered_models (name, workspace) VALUES ('churn-model', 'team-a');
        INSERT INTO model_versions (name, version, source, run_id, storage_location, current_stage, workspace) VALUES
          ('churn-model', 1, 's3://ml/team-b/2/b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2/artifacts/model', 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', 's3://ml/team-b/2/b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2/artifacts/model', 'None', 'team-a');
    """,
    "fixtures/MLF009/pass/sqlite-store": """
        INSERT INTO workspaces (name) VALUES ('team-a'), ('team-b');
        INSERT INTO experiments VALUES (1, 'churn', 's3://ml/team-a/1', 'active', 0, 0, 'team-a');
        INSERT INTO runs (run_uuid, lifecycle_stage, artifact_uri, experiment_id) VALUES
          ('a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 'active', 's3://ml/team-a/1/a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1/artifacts', 1);
        INSERT INTO registered_models (name, workspace) VALUES ('churn-model', 'team-a');
        INSERT INTO model_versions (name, version, source, run_id, storage_location, current_stage, workspace) VALUES
          ('churn-model', 1, 's3://ml/team-a/1/a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1/artifacts/model', 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 's3://ml/team-a/1/a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1/artifacts/model', 'None', 'team-a');
    """,
    # examples/: the tracking server the teams ran by hand while learning
    # MLflow (`mlflow server --backend-store-uri sqlite:///mlflow.db`).
    "examples/mlflow-lesson": """
        INSERT INTO experiments VALUES (0, 'Default', 's3://ml-artifacts/lesson/0', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (1, 'alpha/segmentation', 's3://ml-artifacts/lesson/shared', 'active', 0, 0, 'default');
        INSERT INTO experiments VALUES (2, 'beta/uplift', 's3://ml-artifacts/lesson/shared', 'active', 0, 0, 'default');
        INSERT INTO runs (run_uuid, name, lifecycle_stage, artifact_uri, experiment_id) VALUES
          ('e3b0c44298fc4c149afbf4c8996fb924', 'first-try', 'active', 's3://ml-artifacts/lesson/0/e3b0c44298fc4c149afbf4c8996fb924/artifacts', 0),
          ('a665a45920424ae6a2dbd4d0f4c5e1b8', 'unet-baseline', 'active', 's3://ml-artifacts/lesson/shared/a665a45920424ae6a2dbd4d0f4c5e1b8/artifacts', 1);
    """,
}


def main():
    for case, rows in CASES.items():
        os.makedirs(case, exist_ok=True)
        path = os.path.join(case, "mlflow.db")
        if os.path.exists(path):
            os.remove(path)
        con = sqlite3.connect(path)
        con.execute("PRAGMA page_size = 1024")
        con.executescript(SCHEMA)
        con.executescript(rows)
        con.commit()
        con.execute("VACUUM")
        con.close()


if __name__ == "__main__":
    main()
