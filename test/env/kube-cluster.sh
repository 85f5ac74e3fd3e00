#!/usr/bin/env bash
# A single-node Kubernetes cluster for the tests, assembled from upstream parts
# (work in progress, issue #5). Working: certificates, etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, containerd (own config, CRI), a locally built
# pause image imported into it, kubelet (cgroup v1, cgroupfs) — the node turns Ready.
# Not yet: pod sandboxes fail in runc ("can't get final child's PID from pipe") although
# `ctr run` of the same image works; kube-proxy; the local registry; the test.
#
#   test/env/kube-cluster.sh up       start what is not running; wait until the API is ready
#   test/env/kube-cluster.sh down     stop everything it started (nothing is left running)
#   test/env/kube-cluster.sh status   what runs, and the admin kubeconfig
#
# State lives in $MLOPS_CACHE/kube-cluster (certificates, etcd data, logs, pid files).
source "$(dirname "$0")/common.sh"
KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
STATE="$MLOPS_CACHE/kube-cluster"
PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
API_PORT="${MLOPS_KUBE_API_PORT:-16443}"
ETCD_PORT="${MLOPS_KUBE_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
SERVICE_CIDR=10.96.0.0/16
POD_CIDR=10.244.0.0/24
NODE_NAME=mlops-node
# The node's address: kubelet refuses a 127.x node IP, and pods reach the API server
# through the kubernetes Service, whose endpoint may not be loopback either. So the
# script adds 10.200.0.1/32 to the loopback interface: reachable from this host and
# its pods' network namespaces only, never from outside.
NODE_IP="${MLOPS_KUBE_NODE_IP:-10.200.0.1}"
KUBELET_PORT=20250
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
PAUSE_IMAGE="mlops.local/pause:3.10"

pid_alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# start NAME CMD... : runs CMD in its own process group, logging to $LOGS/NAME.log.
start() {
  local name=$1
  shift
  if pid_alive "$name"; then return 0; fi
  log "starting $name"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

stop() {
  local name=$1
  [ -f "$RUN/$name.pid" ] || return 0
  local pid
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

# cert NAME CN O [SANS] : a key and a certificate signed by the cluster CA.
cert() {
  local name=$1 cn=$2 o=$3 sans=${4:-}
  [ -f "$PKI/$name.crt" ] && return 0
  local subj="/CN=$cn"
  [ -n "$o" ] && subj="/O=$o$subj"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

kubeconfig() {
  local file=$1 user=$2
  [ -f "$file" ] && return 0
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mlops-test
  cluster:
    server: https://$NODE_IP:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
    client-certificate: $PKI/$user.crt
    client-key: $PKI/$user.key
contexts:
- name: mlops-test
  context: {cluster: mlops-test, user: $user}
current-context: mlops-test
EOF
}

pki() {
  mkdir -p "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    log "generating the cluster's certificates"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 -subj "/CN=mlops-test-ca" 2>/dev/null
  fi
  cert apiserver kube-apiserver "" "IP:$NODE_IP,IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin admin system:masters
  cert controller-manager system:kube-controller-manager ""
  cert scheduler system:kube-scheduler ""
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert kubelet "system:node:$NODE_NAME" system:nodes "IP:$NODE_IP,DNS:$NODE_NAME"
  cert kube-proxy system:kube-proxy ""
  [ -f "$PKI/sa.key" ] || { openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null && openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null; }
  kubeconfig "$KUBECONFIG_FILE" admin
  kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
  kubeconfig "$STATE/scheduler.kubeconfig" scheduler
  kubeconfig "$STATE/kubelet.kubeconfig" kubelet
  kubeconfig "$STATE/kube-proxy.kubeconfig" kube-proxy
}

wait_ready() {
  local deadline=$((SECONDS + ${1:-120}))
  until curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://$NODE_IP:$API_PORT/readyz" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "the API server is not ready after ${1:-120} s; see $LOGS/kube-apiserver.log"
    sleep 0.5
  done
}

up() {
  BIN=$(bash "$(dirname "$0")/kube-build.sh")
  apt_install etcd-server containerd containernetworking-plugins openssl curl
  mkdir -p "$LOGS" "$RUN" "$STATE/etcd"
  ip addr show dev lo | grep -q " $NODE_IP/" || ip addr add "$NODE_IP/32" dev lo
  pki
  start etcd etcd --name mlops-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "mlops-test=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync
  start kube-apiserver "$BIN/kube-apiserver" \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$API_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --authorization-mode=Node,RBAC --allow-privileged=true \
    --enable-admission-plugins=NodeRestriction
  wait_ready 120
  start kube-controller-manager "$BIN/kube-controller-manager" \
    --bind-address=127.0.0.1 --secure-port=0 \
    --kubeconfig="$STATE/controller-manager.kubeconfig" --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true --controllers='*,-cloud-node-lifecycle' \
    --service-cluster-ip-range="$SERVICE_CIDR" --leader-elect=false
  start kube-scheduler "$BIN/kube-scheduler" \
    --bind-address=127.0.0.1 --secure-port=0 --kubeconfig="$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/scheduler.kubeconfig" --authorization-kubeconfig="$STATE/scheduler.kubeconfig" --leader-elect=false
  containerd_config
  cni_config
  start containerd containerd --config "$STATE/containerd/config.toml"
  bash "$(dirname "$0")/docker.sh" >/dev/null  # the engine that builds the pause image
  pause_image
  kubelet_config
  start kubelet "$BIN/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$STATE/kubelet"
  echo "$KUBECONFIG_FILE"
}

cni_config() {
  cat >"$STATE/cni/net.d/10-mlops.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "mlops-test",
  "plugins": [
    {"type": "bridge", "bridge": "mlops-cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "loopback"}
  ]
}
EOF
}

# The pod sandbox image: a 1.4 MB static Go program that waits for a signal, built here
# (no registry is reachable) and imported into containerd's k8s.io namespace.
pause_image() {
  local addr="$RUN/containerd.sock"
  for _ in $(seq 1 50); do [ -S "$addr" ] && break; sleep 0.2; done
  ctr --address "$addr" -n k8s.io images ls -q | grep -qx "$PAUSE_IMAGE" && return 0
  local dir="$STATE/pause-build"
  mkdir -p "$dir"
  cp "$(dirname "$0")/pause/main.go" "$dir/main.go"
  printf 'module mlops-workbench/pause\n\ngo 1.21\n' >"$dir/go.mod"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS= go build -ldflags='-s -w' -o pause .)
  printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$dir/Dockerfile"
  docker build -q -t "$PAUSE_IMAGE" "$dir" >/dev/null
  docker save "$PAUSE_IMAGE" | ctr --address "$addr" -n k8s.io images import - >/dev/null
}

kubelet_config() {
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
containerRuntimeEndpoint: unix://$RUN/containerd.sock
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
podCIDR: $POD_CIDR
resolvConf: /etc/resolv.conf
registerNode: true
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}

containerd_config() {
  # runc keeps its state here: a short path (long ones break its init pipe), gone on reboot.
  mkdir -p "$STATE/containerd/root" /run/mlops-kube/containerd "$STATE/cni/net.d"
  cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "/run/mlops-kube/containerd"
[grpc]
  address = "$RUN/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
EOF
}

down() {
  for c in kube-proxy kubelet containerd kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$c"; done
  # containerd-shim processes of pods outlive containerd by design: stop those of this cluster.
  pkill -f "containerd-shim.*-address $RUN/containerd.sock" 2>/dev/null || true
  ip link del mlops-cni0 2>/dev/null || true
  ip addr del "$NODE_IP/32" dev lo 2>/dev/null || true
}

status() {
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    if pid_alive "$c"; then echo "$c: running (pid $(cat "$RUN/$c.pid"))"; else echo "$c: stopped"; fi
  done
  echo "kubeconfig: $KUBECONFIG_FILE"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
