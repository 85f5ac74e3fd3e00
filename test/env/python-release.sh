#!/usr/bin/env bash
# A venv with older releases of the packages users' projects were made with (an MLflow that
# wrote their stores, a scikit-learn that pickled their models), cached and keyed by what is
# installed. Usage: python-release.sh NAME SPEC... (pip requirement specifiers). Prints the
# venv's python.
source "$(dirname "$0")/common.sh"
NAME="$1"; shift
[ $# -gt 0 ] || die "usage: python-release.sh NAME SPEC..."
PY="${MLOPS_PYTHON:-python3}"
command -v "$PY" >/dev/null || die "no $PY: install Python 3.11 or later"
KEY=$( (printf '%s\n' "$@"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
VENV="$MLOPS_CACHE/venv-$NAME-$KEY"
if [ ! -f "$VENV/.ready" ]; then
  log "creating a venv with $*: $VENV (first time only)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  touch "$VENV/.ready"
fi
echo "$VENV/bin/python"
