#!/usr/bin/env bash
# DVC's model registry tool, GTO, in its own venv (it writes the git tags the Models view
# reads). Prints the venv's python.
V="${1:-1.10.1}"
exec bash "$(dirname "$0")/python-release.sh" "gto-$V" "gto==$V"
