#!/usr/bin/env bash
# Shared helpers for the provisioning scripts. Everything is cached outside the
# repo, under $MLOPS_CACHE (default ~/.cache/mlops-workbench), keyed by version.
set -euo pipefail
MLOPS_CACHE="${MLOPS_CACHE:-$HOME/.cache/mlops-workbench}"
mkdir -p "$MLOPS_CACHE"
log() { printf '[env] %s\n' "$*" >&2; }
die() { printf '[env] error: %s\n' "$*" >&2; exit 1; }

# apt_install PKG... : installs the Debian packages that are missing (root only).
APT_UPDATED_STAMP="$MLOPS_CACHE/.apt-updated"
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  [ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}: run as root or install them yourself"
  if [ ! -f "$APT_UPDATED_STAMP" ] || [ -n "$(find "$APT_UPDATED_STAMP" -mmin +720 2>/dev/null)" ]; then
    log "apt-get update"
    apt-get update -qq >&2
    touch "$APT_UPDATED_STAMP"
  fi
  log "apt-get install ${missing[*]}"
  # Packages such as etcd-server and docker-registry start their service on install
  # where they can; the scripts start what they need themselves, on their own ports.
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1; fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || rc=$?
  [ $added = 1 ] && rm -f "$policy"
  [ $rc = 0 ] || die "apt-get install ${missing[*]} failed"
}
