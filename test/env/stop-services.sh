#!/usr/bin/env bash
# Stops the services that the test/env scripts started (recorded in $MLOPS_CACHE/services),
# and nothing else: an engine the user runs is left alone.
source "$(dirname "$0")/common.sh"
shopt -s nullglob
for f in "$MLOPS_CACHE"/services/*.pid; do
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $(basename "$f" .pid) (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
# The test cluster, if a test run was cut short before bringing it down.
if compgen -G "$MLOPS_CACHE/kube-cluster/run/*.pid" >/dev/null; then
  bash "$(dirname "$0")/kube-cluster.sh" down
fi
