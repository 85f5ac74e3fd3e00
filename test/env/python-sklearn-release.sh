#!/usr/bin/env bash
# A venv with an older scikit-learn release (default 1.5.2), to pickle models the way users'
# older projects hold them. Cached and keyed by the release.
# Usage: python-sklearn-release.sh [VERSION]. Prints the venv's python.
source "$(dirname "$0")/common.sh"
VERSION="${1:-1.5.2}"
PY="${MLOPS_PYTHON:-python3}"
command -v "$PY" >/dev/null || die "no $PY: install Python 3.11 or later"
KEY=$( (echo "scikit-learn==$VERSION joblib"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
VENV="$MLOPS_CACHE/venv-sklearn-$VERSION-$KEY"
if [ ! -f "$VENV/.ready" ]; then
  log "creating a venv with scikit-learn $VERSION: $VENV (first time only)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "scikit-learn==$VERSION" joblib >&2
  touch "$VENV/.ready"
fi
echo "$VENV/bin/python"
