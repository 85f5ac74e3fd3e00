#!/usr/bin/env bash
# A Python venv with the generated projects' pinned packages, MLflow and the test
# tools, in the cache and keyed by the requirements file. Prints the venv's python.
source "$(dirname "$0")/common.sh"
REQ="$(dirname "$0")/python-requirements.txt"
PY="${MLOPS_PYTHON:-python3}"
command -v "$PY" >/dev/null || die "no $PY: install Python 3.11 or later"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || die "$PY is older than 3.11"
KEY=$( (cat "$REQ"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
VENV="$MLOPS_CACHE/venv-$KEY"
if [ ! -f "$VENV/.ready" ]; then
  log "creating the Python venv $VENV (first time only, a few minutes)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
  touch "$VENV/.ready"
fi
echo "$VENV/bin/python"
