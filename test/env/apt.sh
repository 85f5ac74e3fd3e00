#!/usr/bin/env bash
# Installs the named Debian packages when missing: bash test/env/apt.sh PKG...
source "$(dirname "$0")/common.sh"
apt_install "$@"
