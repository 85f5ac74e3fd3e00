#!/usr/bin/env bash
# MLflow of the 1.x line (default 1.30.1, its last) in its own venv, to write stores the way
# users' oldest projects hold them. The full package: 1.x's skinny one lacks the SQL store's
# migrations. Usage: python-mlflow1-release.sh [VERSION]. Prints the venv's python.
V="${1:-1.30.1}"
exec bash "$(dirname "$0")/python-release.sh" "mlflow-$V" "mlflow==$V"
