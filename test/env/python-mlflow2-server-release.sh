#!/usr/bin/env bash
# An MLflow 2.x tracking server in its own venv (default 2.22.1, the last 2.x release), for a
# registry that still uses stages: mlflow-skinny with what `mlflow server` needs (Flask,
# gunicorn, SQLAlchemy, Alembic) and scikit-learn with pandas to log models. Prints the venv's python.
V="${1:-2.22.1}"
exec bash "$(dirname "$0")/python-release.sh" "mlflow-server-$V" "mlflow-skinny==$V" "flask<3.2" "gunicorn<24" "sqlalchemy<2.1" "alembic<1.16" "scikit-learn<1.7" "pandas<2.3"
