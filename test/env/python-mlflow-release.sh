#!/usr/bin/env bash
# A venv with an older MLflow release (default 2.9.2), to write stores the way users' older
# projects hold them: mlflow-skinny with SQLAlchemy and Alembic is all a SQLite or file
# store needs. Cached and keyed by the release. Usage: python-mlflow-release.sh [VERSION].
# Prints the venv's python.
source "$(dirname "$0")/common.sh"
VERSION="${1:-2.9.2}"
PY="${MLOPS_PYTHON:-python3}"
command -v "$PY" >/dev/null || die "no $PY: install Python 3.11 or later"
KEY=$( (echo "mlflow-skinny==$VERSION sqlalchemy<2.1 alembic<1.14"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
VENV="$MLOPS_CACHE/venv-mlflow-$VERSION-$KEY"
if [ ! -f "$VENV/.ready" ]; then
  log "creating a venv with MLflow $VERSION: $VENV (first time only)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mlflow-skinny==$VERSION" "sqlalchemy<2.1" "alembic<1.14" >&2
  touch "$VENV/.ready"
fi
echo "$VENV/bin/python"
