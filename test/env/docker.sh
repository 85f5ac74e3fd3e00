#!/usr/bin/env bash
# A real Docker engine for the tests, and a local Python base image (no registry can
# be pulled from here). Idempotent. Prints the base image's name on stdout.
#
# The image is Debian bookworm (Python 3.11) made with debootstrap from the mirror in
# apt's own configuration, with pip/venv, `python` on the PATH, EXTERNALLY-MANAGED
# removed (so it behaves like the official python images), and the host's CA bundle
# (builds reach PyPI through a TLS-intercepting proxy that only the host trusts).
source "$(dirname "$0")/common.sh"
IMAGE="${MLOPS_BASE_IMAGE:-mlops-workbench/python-base:bookworm-1}"

apt_install docker.io debootstrap

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "no Docker engine answers, and only root can start one here"
  log "starting dockerd (log: $MLOPS_CACHE/dockerd.log)"
  nohup dockerd --host=unix:///var/run/docker.sock >>"$MLOPS_CACHE/dockerd.log" 2>&1 &
  # Recorded so that test/env/stop-services.sh stops only what these scripts started.
  mkdir -p "$MLOPS_CACHE/services" && echo $! >"$MLOPS_CACHE/services/dockerd.pid"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || die "dockerd did not start; see $MLOPS_CACHE/dockerd.log"
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  TARBALL="$MLOPS_CACHE/rootfs-${IMAGE//[\/:]/_}.tar"
  if [ ! -f "$TARBALL" ]; then
    # The Debian mirror apt already uses (deb822 or one-line sources).
    MIRROR=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    [ -n "$MIRROR" ] || die "cannot find a Debian bookworm mirror in apt's sources"
    ROOT=$(mktemp -d "$MLOPS_CACHE/rootfs.XXXX")
    log "debootstrap bookworm from $MIRROR (about a minute)"
    debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates bookworm "$ROOT" "$MIRROR" >&2
    rm -f "$ROOT"/usr/lib/python3*/EXTERNALLY-MANAGED
    ln -sf python3 "$ROOT/usr/bin/python"
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
    tar -C "$ROOT" -c . >"$TARBALL.tmp" && mv "$TARBALL.tmp" "$TARBALL"
    rm -rf "$ROOT"
  fi
  log "importing $IMAGE"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$TARBALL" "$IMAGE" >&2
fi
echo "$IMAGE"
