#!/usr/bin/env bash
# An older MLflow release (default 2.9.2) in its own venv, to write stores the way users'
# older projects hold them: mlflow-skinny with SQLAlchemy and Alembic is all a SQLite or file
# store needs. Usage: python-mlflow-release.sh [VERSION]. Prints the venv's python.
V="${1:-2.9.2}"
exec bash "$(dirname "$0")/python-release.sh" "mlflow-$V" "mlflow-skinny==$V" "sqlalchemy<2.1" "alembic<1.14"
