// Stores written by MLflow 1.x (1.30.1, its last release, in its own venv), as the oldest
// projects users bring hold them: a SQLite mlflow.db and a file store (mlruns/), with params,
// metric histories, artifacts, a failed and a deleted run and a registered model. The
// database is served from an upgraded copy, never changed in place; the file store is read
// directly, equal to what MLflow 1.30 itself reads from it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planServe, readSchema } from '../../src/experiments/core/mlflow/schema';
import { LocalMlflowServer, findLocalStores } from '../../src/experiments/core/mlflow/server';
import { MlflowFilesSource, MlflowServerSource } from '../../src/experiments/core/sources';
import { OLD_STORE_SCRIPT, commitAll } from '../helpers/userProjects';
import { root, run, venvPython } from './helpers/processes';

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

// The file store: MLflow 1.x's default (./mlruns), then what MLflow 1.30 itself reads back.
const FILE_STORE_SCRIPT = `
import json, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_experiment("fraud")
ids = []
for i, depth in enumerate([2, 4, 8]):
    with mlflow.start_run(run_name=f"tree-d{depth}") as r:
        mlflow.log_params({"max_depth": depth, "criterion": "gini"})
        for step in range(4):
            mlflow.log_metric("f1", 0.5 + i / 10 + step / 100, step=step)
        mlflow.set_tag("team", "risk")
        mlflow.log_text(f"depth {depth}", "report/summary.txt")
        ids.append(r.info.run_id)
MlflowClient().set_terminated(ids[0], "FAILED")
MlflowClient().delete_run(ids[2])
exp = mlflow.get_experiment_by_name("fraud")
runs = mlflow.search_runs([exp.experiment_id], output_format="list")
print("DUMP=" + json.dumps({"version": mlflow.__version__, "experiment_id": exp.experiment_id, "runs": [
    {"id": r.info.run_id, "name": r.data.tags.get("mlflow.runName"), "status": r.info.status, "params": r.data.params, "metrics": r.data.metrics}
    for r in runs]}))
`;

interface Dump {
  version: string;
  experiment_id: string;
  runs: Array<{ id: string; name: string; status: string; params: Record<string, string>; metrics: Record<string, number> }>;
}

describe('stores written by MLflow 1.x', function () {
  this.timeout(300_000);
  let repo = '';
  let storage = '';
  let oldPython = '';
  const today = (): string[] => [venvPython(), '-m', 'mlflow'];
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  let dump: Dump;

  before(async function () {
    this.timeout(900_000);
    oldPython = execFileSync('bash', [path.join(root, 'test', 'env', 'python-mlflow1-release.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    repo = mkdtempSync(path.join(os.tmpdir(), 'mlops-mlflow1-'));
    storage = mkdtempSync(path.join(os.tmpdir(), 'mlops-mlflow1-storage-'));
    const env = { ...process.env, MLFLOW_TRACKING_URI: '' };
    const db = await run(oldPython, ['-c', OLD_STORE_SCRIPT], { cwd: repo, timeoutMs: 240_000, env });
    assert.equal(db.code, 0, db.out);
    assert.match(db.out, /LOGGED 1\.30\.1/);
    const files = await run(oldPython, ['-c', FILE_STORE_SCRIPT], { cwd: repo, timeoutMs: 240_000, env });
    assert.equal(files.code, 0, files.out);
    dump = JSON.parse(/DUMP=(.*)/.exec(files.out)![1]!) as Dump;
    assert.equal(dump.version, '1.30.1');
    commitAll(repo, 'runs of MLflow 1.30');
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  it('both stores are found in the repository', async () => {
    assert.deepEqual((await findLocalStores(repo)).map((s) => `${s.kind} ${path.relative(repo, s.path)}`).sort(), ['files mlruns', 'sqlite mlflow.db']);
  });

  it('the 1.30 database is served from an upgraded copy with its runs and registered model; the original and git status are untouched', async () => {
    const db = path.join(repo, 'mlflow.db');
    const before = sha(db);
    const state = await readSchema(today(), db);
    assert.ok(state.current && state.known.includes(state.current) && state.current !== state.head, JSON.stringify(state));
    const plan = await planServe(state, db, storage);
    assert.ok(plan.copy, 'a copy');
    const server = await LocalMlflowServer.start({ command: today(), store: { kind: 'sqlite', path: db }, copy: { db: plan.db, reason: plan.copy.reason }, logFile: path.join(storage, 'server.log') });
    try {
      const source = new MlflowServerSource(server.url);
      const churn = (await source.experiments()).find((e) => e.name === 'churn')!;
      const runs = await source.runs([churn.id]);
      assert.deepEqual(runs.map((r) => `${r.name} ${r.status}`).sort(), ['logreg-C0.1 FAILED', 'logreg-C1.0 FINISHED']);
      const best = runs.find((r) => r.name === 'logreg-C1.0')!;
      assert.equal(best.params.C, '1.0');
      assert.deepEqual((await source.metricHistory(best, 'auc')).map((p) => p.step), [0, 1, 2]);
      assert.deepEqual((await source.artifacts(best)).map((a) => a.path), ['notes.txt']);
      const models = (await (await fetch(`${server.url}/api/2.0/mlflow/registered-models/search`)).json()) as { registered_models?: Array<{ name: string }> };
      assert.deepEqual(models.registered_models?.map((m) => m.name), ['churn-model']);
    } finally {
      await server.stop();
    }
    assert.equal(sha(db), before, 'mlflow.db is byte for byte as it was');
    assert.equal(git('status', '--porcelain', '--ignored'), '', 'nothing new or changed in the repository');
  });

  it('the 1.30 file store reads as MLflow 1.30 reads it: names, statuses, params, latest metrics, histories, artifacts', async () => {
    const source = new MlflowFilesSource(path.join(repo, 'mlruns'), 'mlruns', [repo]);
    const exp = (await source.experiments()).find((e) => e.name === 'fraud')!;
    assert.equal(exp.id, dump.experiment_id);
    const runs = await source.runs([exp.id]);
    // Deleted runs are not listed (MLflow's search does not return them either).
    assert.deepEqual(runs.map((r) => r.id).sort(), dump.runs.map((r) => r.id).sort());
    for (const theirs of dump.runs) {
      const ours = runs.find((r) => r.id === theirs.id)!;
      assert.equal(ours.name, theirs.name);
      assert.equal(ours.status, theirs.status);
      assert.deepEqual(ours.params, theirs.params);
      assert.deepEqual(ours.metrics, theirs.metrics);
    }
    const deep = runs.find((r) => r.name === 'tree-d4')!;
    assert.deepEqual((await source.metricHistory(deep, 'f1')).map((p) => p.step), [0, 1, 2, 3]);
    assert.deepEqual((await source.artifacts(deep, 'report')).map((a) => a.path), ['report/summary.txt']);
    assert.equal(git('status', '--porcelain', '--ignored'), '', 'reading changed nothing');
  });
});
