#!/usr/bin/env bash
# An older scikit-learn release (default 1.5.2) in its own venv, to pickle models the way
# users' older projects hold them. Usage: python-sklearn-release.sh [VERSION]. Prints the venv's python.
V="${1:-1.5.2}"
exec bash "$(dirname "$0")/python-release.sh" "sklearn-$V" "scikit-learn==$V" joblib
