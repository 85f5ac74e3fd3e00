#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy
# for one pinned Kubernetes release from k8s.io/kubernetes through the Go module proxy,
# into the cache (binaries and Go build cache kept, keyed by version). Idempotent;
# prints the folder that holds the binaries.
#
# v1.34: Debian's containerd 1.6 speaks CRI v1 and is supported by this release
# (1.36 and later require containerd 2).
#
# Also builds cri-sweep (test/env/cri-sweep), a small CRI client of the same release's
# cri-api that kube-cluster.sh uses to tear pods down cleanly.
source "$(dirname "$0")/common.sh"
KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
DIR="$MLOPS_CACHE/kube-$KUBE_VERSION"
BIN="$DIR/bin"
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
command -v go >/dev/null || die "Go is needed to build Kubernetes (install golang)"

SWEEP_SRC="$(cd "$(dirname "$0")" && pwd)/cri-sweep/main.go"
done_all=1
for c in "${COMPONENTS[@]}" cri-sweep; do [ -x "$BIN/$c" ] || done_all=0; done
cmp -s "$SWEEP_SRC" "$DIR/src/cri-sweep/main.go" || done_all=0
if [ $done_all = 1 ]; then echo "$BIN"; exit 0; fi

mkdir -p "$DIR/src" "$BIN"
export GOPATH="$MLOPS_CACHE/go" GOCACHE="$MLOPS_CACHE/go-build" GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$DIR/src"
if [ ! -f go.mod ]; then
  log "resolving k8s.io/kubernetes $KUBE_VERSION and its staging modules"
  GOMOD=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$GOMOD" ] || die "could not download k8s.io/kubernetes $KUBE_VERSION"
  {
    echo "module mlops-workbench/kube-build"
    echo
    echo "go $(go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    # Every "k8s.io/x => ./staging/src/k8s.io/x" of the release becomes k8s.io/x at the matching v0.y.z.
    grep -oE 'k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$GOMOD" | awk -v v="$STAGING_VERSION" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >go.mod
fi
for c in "${COMPONENTS[@]}"; do
  [ -x "$BIN/$c" ] && continue
  log "building $c $KUBE_VERSION (the first one takes longest)"
  go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c" >&2
  mv "$BIN/$c.tmp" "$BIN/$c"
done
if [ ! -x "$BIN/cri-sweep" ] || ! cmp -s "$SWEEP_SRC" cri-sweep/main.go; then
  log "building cri-sweep"
  mkdir -p cri-sweep && cp "$SWEEP_SRC" cri-sweep/main.go
  go build -trimpath -ldflags "-s -w" -o "$BIN/cri-sweep.tmp" ./cri-sweep >&2
  mv "$BIN/cri-sweep.tmp" "$BIN/cri-sweep"
fi
echo "$BIN"
