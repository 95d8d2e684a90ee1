#!/bin/sh
# Train the lesson's project against the shared tracking server.
set -e
export MLFLOW_TRACKING_URI=http://mlflow.lesson.internal:5000
mlflow run . -P alpha=0.5
