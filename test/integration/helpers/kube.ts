// The test cluster for the integration tier: starting and stopping it (the script's
// coordinates parsed once, in scripts/lib/kube-cluster.mjs), and deleting a test namespace
// and waiting until it is gone, so a cluster stopped right after does not bring its pods
// back with the next `up` (no kubectl needed).
import type { KubeClient } from '../../../src/kube/core/client';

type KubeClusterLib = typeof import('../../../scripts/lib/kube-cluster.mjs', { with: { 'resolution-mode': 'import' } });

export async function kubeClusterLib(): Promise<KubeClusterLib> {
  return (await import('../../../scripts/lib/kube-cluster.mjs')) as KubeClusterLib;
}

export async function deleteNamespaceAndWait(kube: KubeClient, name: string, timeoutMs = 120_000): Promise<void> {
  const core = kube.kc.makeApiClient(kube.lib.CoreV1Api);
  await core.deleteNamespace({ name }).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = await core.readNamespace({ name }).then(
      () => false,
      (err: { code?: number }) => err.code === 404,
    );
    if (gone) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
