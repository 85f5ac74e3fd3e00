#!/usr/bin/env bash
# A real single-node Kubernetes cluster for the tests, assembled from upstream parts:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy of one
# pinned release (built by kube-build.sh), Debian's etcd, containerd (CRI, its own config),
# CNI plugins and docker-registry, a locally built pause image, generated certificates.
#
#   test/env/kube-cluster.sh up        start what is not running; wait until the node is Ready
#   test/env/kube-cluster.sh down      stop everything it started; nothing is left running
#   test/env/kube-cluster.sh status    what runs
#   test/env/kube-cluster.sh env       the cluster's coordinates, as NAME=value lines
#   test/env/kube-cluster.sh load IMG  docker save IMG | containerd's import (what `kind load` does)
#
# Images reach the node two ways: `load`, or a push to the local registry on
# 127.0.0.1:$REGISTRY_PORT, which containerd is told to reach over plain HTTP (Docker
# already treats registries on 127.0.0.0/8 as insecure).
#
# Everything listens on loopback, on the node address below (on the loopback interface),
# or inside the pods' network namespaces. State lives in $MLOPS_CACHE/kube-cluster:
# certificates, etcd data, registry storage, logs, pid files.
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
REGISTRY_PORT="${MLOPS_KUBE_REGISTRY_PORT:-15000}"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
PAUSE_IMAGE="mlops.local/pause:3.10"

# write FILE : stdin into FILE, only if it differs (kube-proxy exits when its config changes).
write() {
  local tmp="$1.tmp"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

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

# stop NAME... : TERM to each one's process group, all at once; KILL what is left after 10 s.
stop() {
  local name pid pids=()
  for name in "$@"; do
    [ -f "$RUN/$name.pid" ] || continue
    pid=$(cat "$RUN/$name.pid")
    rm -f "$RUN/$name.pid"
    kill -0 "$pid" 2>/dev/null || continue
    log "stopping $name"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
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

# node_ready [SINCE] : true once the node reports Ready in a heartbeat no older than
# SINCE (epoch seconds; a Ready left in etcd by an earlier run does not count).
node_ready() {
  curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://$NODE_IP:$API_PORT/api/v1/nodes/$NODE_NAME" 2>/dev/null |
    python3 -c '
import datetime, json, sys
since = float(sys.argv[1])
for c in json.load(sys.stdin)["status"].get("conditions", []):
    if c["type"] == "Ready" and c["status"] == "True":
        beat = datetime.datetime.strptime(c["lastHeartbeatTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        sys.exit(0 if beat.timestamp() >= since - 1 else 1)
sys.exit(1)' "${1:-0}" 2>/dev/null
}

up() {
  BIN=$(bash "$(dirname "$0")/kube-build.sh")
  apt_install etcd-server containerd containernetworking-plugins docker-registry iptables openssl curl python3
  mkdir -p "$LOGS" "$RUN" "$STATE/etcd"
  ip addr show dev lo | grep -q " $NODE_IP/" || ip addr add "$NODE_IP/32" dev lo
  # Pods reach Services on the same bridge only if bridged traffic passes iptables
  # (Docker's engine sets both too).
  sysctl -qw net.ipv4.ip_forward=1
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
  pki
  start etcd etcd --name mlops-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "mlops-test=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync
  # --watch-cache=false: Debian's etcd 3.4.23 lacks the progress notifications the
  # v1.34 watch cache relies on; a watch from "now" then fails with "Too large resource
  # version". Watches are served by etcd directly instead.
  start kube-apiserver "$BIN/kube-apiserver" \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$API_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --kubelet-preferred-address-types=InternalIP \
    --watch-cache=false \
    --authorization-mode=Node,RBAC --allow-privileged=true \
    --enable-admission-plugins=NodeRestriction
  # The registry holds only this session's pushes: what earlier runs pushed would pile up.
  rm -rf "$STATE/registry"
  registry_config
  start registry docker-registry serve "$STATE/registry.yml"
  containerd_config
  cni_config
  start containerd containerd --config "$STATE/containerd/config.toml"
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
  bash "$(dirname "$0")/docker.sh" >/dev/null  # the engine that builds the pause image
  pause_image
  prune_images
  kubelet_config
  local since=0
  pid_alive kubelet || since=$(date +%s)
  start kubelet "$BIN/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$STATE/kubelet"
  kube_proxy_config
  start kube-proxy "$BIN/kube-proxy" --config="$STATE/kube-proxy.yaml"
  local deadline=$((SECONDS + 120))
  until node_ready "$since"; do
    [ $SECONDS -lt $deadline ] || die "node $NODE_NAME is not Ready after 120 s; see $LOGS/kubelet.log"
    sleep 0.5
  done
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler registry containerd kubelet kube-proxy; do
    pid_alive "$c" || die "$c exited; see $LOGS/$c.log"
  done
  log "node $NODE_NAME is Ready (kubeconfig: $KUBECONFIG_FILE)"
}

registry_config() {
  mkdir -p "$STATE/registry"
  write "$STATE/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $STATE/registry}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$REGISTRY_PORT
EOF
}

cni_config() {
  write "$STATE/cni/net.d/10-mlops.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "mlops-test",
  "plugins": [
    {"type": "bridge", "bridge": "mlops-cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall"},
    {"type": "loopback"}
  ]
}
EOF
}

# The pod sandbox image: a 1.4 MB static Go program that waits for a signal, built here
# (no registry is reachable) and imported into containerd's k8s.io namespace.
pause_image() {
  wait_containerd
  ctr --address "$RUN/containerd.sock" -n k8s.io images ls -q | grep -qx "$PAUSE_IMAGE" && return 0
  local dir="$STATE/pause-build"
  mkdir -p "$dir"
  cp "$(dirname "$0")/pause/main.go" "$dir/main.go"
  printf 'module mlops-workbench/pause\n\ngo 1.21\n' >"$dir/go.mod"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS= go build -ldflags='-s -w' -o pause .)
  printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$dir/Dockerfile"
  docker build -q -t "$PAUSE_IMAGE" "$dir" >/dev/null
  load "$PAUSE_IMAGE"
}

# Every test deploy imports a new image into the node's containerd, and it keeps them: left there,
# they fill the disk until the kubelet taints the node (disk pressure) and nothing schedules. The
# cluster starts with the pause image only; containerd's garbage collector frees the rest.
prune_images() {
  local c=(ctr --address "$RUN/containerd.sock" -n k8s.io)
  local stale
  stale=$("${c[@]}" images ls -q | grep -vx "$PAUSE_IMAGE" || true)
  [ -n "$stale" ] || return 0
  log "removing $(echo "$stale" | wc -l) images earlier runs left in the node's containerd"
  echo "$stale" | xargs "${c[@]}" images rm >/dev/null
  "${c[@]}" content prune references >/dev/null 2>&1 || true
}

wait_containerd() {
  for _ in $(seq 1 150); do
    ctr --address "$RUN/containerd.sock" version >/dev/null 2>&1 && return 0
    pid_alive containerd || die "containerd exited; see $LOGS/containerd.log"
    sleep 0.2
  done
  die "containerd does not answer on $RUN/containerd.sock after 30 s; see $LOGS/containerd.log"
}

# load IMAGE : the image from the Docker engine into the node's containerd.
load() {
  [ -n "${1:-}" ] || die "usage: $0 load IMAGE"
  wait_containerd
  docker save "$1" | ctr --address "$RUN/containerd.sock" -n k8s.io images import - >/dev/null
}

kubelet_config() {
  write "$STATE/kubelet.yaml" <<EOF
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
# This VM runs cgroup v1, which kubelet 1.35+ refuses unless told otherwise.
failCgroupV1: false
failSwapOn: false
podCIDR: $POD_CIDR
resolvConf: /etc/resolv.conf
registerNode: true
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}

kube_proxy_config() {
  write "$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:20256
metricsBindAddress: 127.0.0.1:20249
# NodePorts answer on the node address only.
nodePortAddresses: ["$NODE_IP/32"]
# Leave the host's conntrack table size alone.
conntrack: {maxPerCore: 0}
EOF
}

containerd_config() {
  # runc keeps its state here: a short path (long ones break its init pipe), gone on reboot.
  mkdir -p "$STATE/containerd/root" /run/mlops-kube/containerd "$STATE/cni/net.d" "$STATE/containerd/certs.d/127.0.0.1:$REGISTRY_PORT"
  write "$STATE/containerd/certs.d/127.0.0.1:$REGISTRY_PORT/hosts.toml" <<EOF
server = "http://127.0.0.1:$REGISTRY_PORT"
[host."http://127.0.0.1:$REGISTRY_PORT"]
  capabilities = ["pull", "resolve"]
EOF
  write "$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "/run/mlops-kube/containerd"
[grpc]
  address = "$RUN/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # This VM gives root no CAP_SYS_RESOURCE, so runc cannot lower a process's
  # oom_score_adj (kubelet asks -998 for sandboxes): keep it at containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/containerd/certs.d"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
EOF
}

down() {
  stop kube-proxy kubelet
  if [ -x "$MLOPS_CACHE/kube-$KUBE_VERSION/bin/kube-proxy" ]; then
    # The Service rules kube-proxy wrote into iptables.
    "$MLOPS_CACHE/kube-$KUBE_VERSION/bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  fi
  # The pods: stopped and removed through CRI, as kubelet would, so that containerd
  # runs CNI DEL for each (its address, iptables rules and network namespace go too).
  local sweep="$MLOPS_CACHE/kube-$KUBE_VERSION/bin/cri-sweep"
  if pid_alive containerd && [ -x "$sweep" ]; then
    "$sweep" "unix://$RUN/containerd.sock" >&2 || log "some pods could not be removed; see above"
  fi
  stop containerd registry kube-scheduler kube-controller-manager kube-apiserver
  stop etcd
  # containerd-shim processes outlive containerd by design: stop those of this cluster.
  pkill -KILL -f "containerd-shim.*-address $RUN/containerd.sock" 2>/dev/null || true
  # The pods' network namespaces (CRI names them cni-*; only those holding a pod address).
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do
    if ip -n "$ns" -4 addr show 2>/dev/null | grep -q "inet ${POD_CIDR%.*}\."; then ip netns del "$ns" 2>/dev/null || true; fi
  done
  # kubelet's mounts: its root dir (made a shared mount) and the pods' volumes (tmpfs).
  grep -F " $STATE/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done || true
  rm -rf "$STATE/cni/ipam"
  host_chains_cleanup
  ip link del mlops-cni0 2>/dev/null || true
  ip addr del "$NODE_IP/32" dev lo 2>/dev/null || true
}

# The host chains that kubelet (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT) and the CNI firewall
# plugin (CNI-FORWARD, CNI-ADMIN) create, with the rules that jump to them. kube-proxy
# --cleanup and CNI DEL remove the rest.
host_chains_cleanup() {
  local cmd table chain rule
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle; do
      "$cmd" -t "$table" -S 2>/dev/null | grep -E -- '^-A [A-Z]+ .*-j (KUBE-FIREWALL|KUBE-KUBELET-CANARY|CNI-FORWARD|CNI-ADMIN)$' |
        while read -r rule; do eval "$cmd -t $table ${rule/#-A/-D}" 2>/dev/null || true; done || true
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT CNI-FORWARD CNI-ADMIN; do
        "$cmd" -t "$table" -F "$chain" 2>/dev/null && "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

status() {
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler registry containerd kubelet kube-proxy; do
    if pid_alive "$c"; then echo "$c: running (pid $(cat "$RUN/$c.pid"))"; else echo "$c: stopped"; fi
  done
  if node_ready; then echo "node $NODE_NAME: Ready"; else echo "node $NODE_NAME: not Ready"; fi
}

coordinates() {
  echo "KUBECONFIG=$KUBECONFIG_FILE"
  echo "REGISTRY=127.0.0.1:$REGISTRY_PORT"
  echo "CONTAINERD_ADDRESS=$RUN/containerd.sock"
  echo "NODE_IP=$NODE_IP"
  echo "NODE_NAME=$NODE_NAME"
}

case "${1:-}" in
  up) up && coordinates ;;
  down) down ;;
  status) status ;;
  env) coordinates ;;
  load) shift && load "$@" ;;
  *) die "usage: $0 up|down|status|env|load IMAGE" ;;
esac
