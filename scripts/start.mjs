// `npm start`: builds, packages the VSIX, installs it into a real VS Code
// (code-server, installed into the cache on first use) and opens the sample
// workspace. Prints the URL and runs until Ctrl+C. MLOPS_PORT picks the port.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './lib/bootstrap.mjs';
import { ensureCodeServer, startCodeServer } from './lib/code-server.mjs';
import { kubeCluster } from './lib/kube-cluster.mjs';
import { ensureSampleDvc, ensureSampleRuns, toolsPython } from './lib/sample-runs.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cache = process.env.MLOPS_CACHE || path.join(os.homedir(), '.cache', 'mlops-workbench');

ensureDependencies();
const { packageVsix } = await import('./package.mjs');
console.log('[start] building and packaging the extension…');
const vsix = packageVsix({ quiet: true });
console.log(`[start] ${path.relative(root, vsix)}`);
console.log('[start] preparing code-server (the first time takes a few minutes)…');
const entry = ensureCodeServer();
console.log('[start] preparing the sample workspace’s MLflow runs and DVC experiments (the first time trains them for real)…');
const python = toolsPython();
ensureSampleRuns(path.join(root, 'sample-workspace'), python);
ensureSampleDvc(path.join(root, 'sample-workspace'), python);

// MLOPS_CLUSTER=1: the Docker engine and the local test cluster of test/env (Linux, root),
// so the sample deploys with one click; both are stopped again with Ctrl+C. Otherwise the
// extension uses your own engine and KUBECONFIG.
const withCluster = process.env.MLOPS_CLUSTER === '1';
let kube = {};
let baseImage = '';
if (withCluster) {
  console.log('[start] starting Docker and the local Kubernetes test cluster (the first time builds it, a few minutes)…');
  baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  kube = kubeCluster('up');
}

// A user-data dir that persists between starts, so progress and settings are kept.
const base = path.join(cache, 'start');
mkdirSync(base, { recursive: true });
const logFile = path.join(base, 'code-server.log');
const server = await startCodeServer({
  entry,
  vsix,
  folder: path.join(root, 'sample-workspace'),
  port: Number(process.env.MLOPS_PORT) || 8080,
  userDataDir: path.join(base, 'user-data'),
  logFile,
  // The cached Python with MLflow and DVC, unless the user chose another; with the test
  // cluster, where its containerd and registry listen and the local Python base image.
  defaults: {
    ...(python ? { 'mlops.python.path': python } : {}),
    ...(withCluster ? { 'mlops.kubernetes.containerdAddress': kube.CONTAINERD_ADDRESS, 'mlops.kubernetes.registry': kube.REGISTRY, 'mlops.docker.baseImage': baseImage } : {}),
  },
  ...(withCluster ? { env: { KUBECONFIG: kube.KUBECONFIG } } : {}),
});

console.log('');
console.log(`MLOps Workbench is running in VS Code at: ${server.url}`);
console.log(`  (code-server log: ${logFile}; press Ctrl+C to stop)`);
console.log('');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping code-server…');
  await server.stop();
  if (withCluster) kubeCluster('down');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  if (!stopping) {
    console.error(`[start] code-server exited (${code}); see ${logFile}`);
    if (withCluster) kubeCluster('down');
    process.exit(1);
  }
});
