// The model registry at scale, side by side with its peer in the same run: 1,000 registered
// models with 10 versions each (bench/fixtures/populate_registry.py, MLflow's own registry
// store) behind a real `mlflow server`; listing every model with every version through the
// extension's client (what the Models view reads) vs MLflow's Python client
// (search_registered_models + search_model_versions, every page), timed inside each
// (Python's import excluded), same server.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowClient } from '../src/experiments/core/mlflow/client';
import { MlflowRegistry } from '../src/registry/core/mlflowRegistry';
import { root, run, startMlflowServer, stopAll, venvPython } from '../test/integration/helpers/processes';
import { median, round, writeResult } from './results';

const MODELS = 1000;
const VERSIONS = 10;
const ROUNDS = 5;
const cache = process.env.MLOPS_CACHE || path.join(os.homedir(), '.cache', 'mlops-workbench');

const PEER = `
import sys, time
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
def every(search, **kw):
    out, token = [], None
    while True:
        page = search(page_token=token, **kw)
        out.extend(page)
        token = page.token
        if not token:
            return out
t = time.perf_counter()
models = every(c.search_registered_models, max_results=1000)
versions = every(c.search_model_versions, max_results=10000)
print(len(models), len(versions), (time.perf_counter() - t) * 1000)
`;

export async function benchRegistry(): Promise<void> {
  const dir = path.join(cache, 'bench-registry-v1');
  if (!existsSync(path.join(dir, 'mlflow.db'))) {
    mkdirSync(dir, { recursive: true });
    console.log(`[registry] registering ${MODELS} models x ${VERSIONS} versions with MLflow's registry store (once; cached in ${dir})…`);
    const r = await run(venvPython(), [path.join(root, 'bench', 'fixtures', 'populate_registry.py'), `sqlite:///${dir}/mlflow.db`, String(MODELS), String(VERSIONS)], { cwd: dir, timeoutMs: 3_600_000 });
    if (r.code !== 0) throw new Error(`populating failed:\n${r.out}`);
  }
  // As `mlflow server` runs by default: 4 worker processes.
  const server = await startMlflowServer(dir, undefined, { workers: 4 });
  try {
    const registry = new MlflowRegistry(new MlflowClient(server.url));
    const ours: number[] = [];
    const peer: number[] = [];
    // One of each first, not counted: the server's caches and the SQLite pages warm up.
    for (let i = 0; i <= ROUNDS; i++) {
      const t = performance.now();
      const entries = await registry.list();
      const ms = performance.now() - t;
      const versions = entries.reduce((n, e) => n + e.versions.length, 0);
      if (entries.length !== MODELS || versions !== MODELS * VERSIONS) throw new Error(`ours listed ${entries.length} models, ${versions} versions`);
      const p = await run(venvPython(), ['-c', PEER, server.url], { cwd: dir, timeoutMs: 600_000 });
      const [m, v, pms] = p.out.trim().split('\n').pop()!.split(' ').map(Number);
      if (p.code !== 0 || m !== MODELS || v !== MODELS * VERSIONS) throw new Error(`MLflow's client listed ${m} models, ${v} versions:\n${p.out}`);
      if (i === 0) continue;
      ours.push(ms);
      peer.push(pms!);
      console.log(`[registry] round ${i}: ours ${Math.round(ms)} ms, MLflow's client ${Math.round(pms!)} ms`);
    }
    const r = writeResult({
      id: 'registry-list-1000x10-vs-mlflow-python',
      metric: 'list 1,000 registered models with 10 versions each (every page), wall ms',
      better: 'lower',
      ours: round(median(ours)),
      peer: round(median(peer)),
      peer_name: "MLflow's Python client (search_registered_models + search_model_versions, every page) on the same server",
      goal: 0.5,
      runs: ROUNDS,
      notes: `a real mlflow server (SQLite, 4 workers as mlflow server starts by default); ${MODELS} models x ${VERSIONS} versions made by MLflow's registry store; medians of ${ROUNDS} rounds after one warm-up each; ours: MlflowRegistry.list() (models and versions searched at once, version pages of 2,500 four at a time by offset, joined by name); peer timed inside Python (its documented paging, one page after another), its import excluded`,
    });
    console.log(`[registry] ours ${r.ours} ms vs ${r.peer} ms: ratio ${r.ratio} (goal ≤ ${r.goal})`);
  } finally {
    await stopAll();
  }
}
