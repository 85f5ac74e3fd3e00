// Which kind of local cluster a kubeconfig context points at, from what the context,
// its cluster entry, its server address and its nodes say. Pure: the client gathers
// the facts, this decides. The kind picks how an image gets into the cluster.

export type ClusterKind = 'docker-desktop' | 'kind' | 'minikube' | 'k3d' | 'rancher-desktop' | 'microk8s' | 'generic';

export const CLUSTER_KIND_NAMES: Readonly<Record<ClusterKind, string>> = {
  'docker-desktop': 'Docker Desktop',
  kind: 'kind',
  minikube: 'minikube',
  k3d: 'k3d',
  'rancher-desktop': 'Rancher Desktop',
  microk8s: 'MicroK8s',
  generic: 'a generic cluster',
};

export interface NodeFacts {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly providerID?: string;
  /** status.nodeInfo.containerRuntimeVersion, e.g. "containerd://1.7.13" or "docker://24.0.7". */
  readonly containerRuntimeVersion?: string;
  readonly osImage?: string;
  /** status.addresses of type InternalIP. */
  readonly internalIPs?: readonly string[];
}

export interface ClusterFacts {
  readonly context: string;
  readonly cluster: string;
  readonly server: string;
  /** Empty when the nodes could not be listed (RBAC): the names alone then decide. */
  readonly nodes: readonly NodeFacts[];
}

export interface Detection {
  readonly kind: ClusterKind;
  /** What gave it away, for the log and the tooltip. */
  readonly evidence: string;
  /** The container runtime of the nodes: "docker", "containerd", "cri-o"… */
  readonly runtime?: string;
  /** For kind, k3d and minikube: the cluster's own name (kind load --name, k3d -c, minikube -p). */
  readonly clusterName?: string;
}

function runtimeOf(nodes: readonly NodeFacts[]): string | undefined {
  const v = nodes.find((n) => n.containerRuntimeVersion)?.containerRuntimeVersion;
  return v ? v.split('://')[0] : undefined;
}

/** Detects the kind of cluster. Node facts win over names, which users can rename. */
export function detectCluster(f: ClusterFacts): Detection {
  const runtime = runtimeOf(f.nodes);
  const rt = runtime ? { runtime } : {};
  const labels = (n: NodeFacts) => n.labels ?? {};
  for (const n of f.nodes) {
    if (n.providerID?.startsWith('kind://')) {
      return { kind: 'kind', evidence: `node ${n.name} has provider ID ${n.providerID}`, ...rt, clusterName: kindName(n.name, f) };
    }
    if (Object.keys(labels(n)).some((k) => k.startsWith('minikube.k8s.io/'))) {
      return { kind: 'minikube', evidence: `node ${n.name} carries minikube.k8s.io labels`, ...rt, clusterName: labels(n)['minikube.k8s.io/name'] ?? f.context };
    }
    if (n.providerID?.startsWith('k3s://') && n.name.startsWith('k3d-')) {
      return { kind: 'k3d', evidence: `node ${n.name} is a k3s node named by k3d`, ...rt, clusterName: k3dName(n.name) };
    }
    if (Object.keys(labels(n)).some((k) => k.startsWith('microk8s.io/'))) {
      return { kind: 'microk8s', evidence: `node ${n.name} carries microk8s.io labels`, ...rt };
    }
    if (n.name === 'docker-desktop' || /docker desktop/i.test(n.osImage ?? '')) {
      return { kind: 'docker-desktop', evidence: `node ${n.name} runs ${n.osImage ?? 'Docker Desktop'}`, ...rt };
    }
    if (n.name === 'lima-rancher-desktop' || /rancher desktop/i.test(n.osImage ?? '')) {
      return { kind: 'rancher-desktop', evidence: `node ${n.name} runs ${n.osImage ?? 'Rancher Desktop'}`, ...rt };
    }
  }
  // No node said: the names the tools give their contexts.
  const names = [f.context, f.cluster];
  const byName = (re: RegExp) => names.find((n) => re.test(n));
  let n: string | undefined;
  if ((n = byName(/^kind-/))) return { kind: 'kind', evidence: `context or cluster named ${n}`, ...rt, clusterName: n.replace(/^kind-/, '') };
  if ((n = byName(/^k3d-/))) return { kind: 'k3d', evidence: `context or cluster named ${n}`, ...rt, clusterName: n.replace(/^k3d-/, '') };
  if ((n = byName(/^minikube$/))) return { kind: 'minikube', evidence: `context named ${n}`, ...rt, clusterName: n };
  if ((n = byName(/^docker-desktop$|^docker-for-desktop$/))) return { kind: 'docker-desktop', evidence: `context named ${n}`, ...rt };
  if ((n = byName(/^rancher-desktop$/))) return { kind: 'rancher-desktop', evidence: `context named ${n}`, ...rt };
  if ((n = byName(/^microk8s(-cluster)?$/))) return { kind: 'microk8s', evidence: `context named ${n}`, ...rt };
  return { kind: 'generic', evidence: `no sign of a known local distribution (server ${f.server})`, ...rt };
}

/** kind names its nodes <cluster>-control-plane, <cluster>-worker…; the context is kind-<cluster>. */
function kindName(node: string, f: ClusterFacts): string {
  const fromContext = /^kind-(.+)$/.exec(f.context)?.[1] ?? /^kind-(.+)$/.exec(f.cluster)?.[1];
  return fromContext ?? node.replace(/-(control-plane|worker\d*)$/, '');
}

/** k3d names its nodes k3d-<cluster>-server-0, k3d-<cluster>-agent-0. */
function k3dName(node: string): string {
  return node.replace(/^k3d-/, '').replace(/-(server|agent)-\d+$/, '');
}
