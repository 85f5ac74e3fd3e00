// The local test cluster of test/env/kube-cluster.sh, for `npm start`, the tests and the
// benchmarks: `up` (built and started when needed) and `env` print where it listens, as
// KEY=VALUE lines (KUBECONFIG, REGISTRY, CONTAINERD_ADDRESS, NODE_IP, NODE_NAME).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url)))), 'test', 'env', 'kube-cluster.sh');

export function kubeCluster(command = 'env') {
  const out = execFileSync('bash', [script, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 45 * 60_000 });
  return Object.fromEntries(out.split('\n').flatMap((l) => (/^[A-Z_]+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])));
}
