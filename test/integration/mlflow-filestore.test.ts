// The legacy MLflow file store read directly, checked against what MLflow's own Python
// reads from the same folder; then broken the ways real folders break.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowFileStore } from '../../src/experiments/core/mlflow/fileStore';
import { run, venvPython } from './helpers/processes';

const LOG_AND_DUMP = `
import json, mlflow
mlflow.set_experiment("précision-fichiers")
ids = []
for i in range(4):
    with mlflow.start_run(run_name=f"run-{i}") as r:
        mlflow.log_params({"lr": 0.1 * (i + 1), "group/depth": i})
        for step in range(3):
            mlflow.log_metric("loss", 1.0 / (step + 1 + i), step=step)
        mlflow.log_metric("eval/accuracy", 0.7 + i / 100)
        mlflow.set_tag("ñ", "sí")
        if i == 0:
            with mlflow.start_run(run_name="child", nested=True):
                mlflow.log_metric("eval/accuracy", 0.5)
exp = mlflow.get_experiment_by_name("précision-fichiers")
runs = mlflow.search_runs([exp.experiment_id], output_format="list")
print("DUMP=" + json.dumps({"experiment_id": exp.experiment_id, "runs": [
    {"id": r.info.run_id, "name": r.info.run_name, "status": r.info.status, "params": r.data.params, "metrics": r.data.metrics, "tags": {k: v for k, v in r.data.tags.items()}}
    for r in runs]}))
`;

interface Dump {
  experiment_id: string;
  runs: Array<{ id: string; name: string; status: string; params: Record<string, string>; metrics: Record<string, number>; tags: Record<string, string> }>;
}

describe('MLflow file store read without a server', function () {
  this.timeout(300_000);
  let root = '';
  let dump: Dump;

  before(async function () {
    this.timeout(600_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-mlruns-'));
    root = path.join(work, 'mlruns');
    const r = await run(venvPython(), ['-c', LOG_AND_DUMP], { cwd: work, env: { MLFLOW_TRACKING_URI: `file://${root}`, MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 240_000 });
    assert.equal(r.code, 0, r.out);
    dump = JSON.parse(/DUMP=(.*)/.exec(r.out)![1]) as Dump;
  });

  it('is recognised as a file store', async () => {
    assert.equal(await MlflowFileStore.isFileStore(root), true);
    assert.equal(await MlflowFileStore.isFileStore(os.tmpdir()), false);
  });

  it('reads the same experiments and runs as MLflow itself: params, latest metrics, tags, nesting', async () => {
    const store = new MlflowFileStore(root);
    const { experiments, problems } = await store.experiments();
    assert.deepEqual(problems, []);
    assert.ok(experiments.some((e) => e.name === 'précision-fichiers' && e.id === dump.experiment_id));
    const { runs } = await store.runs(dump.experiment_id);
    assert.equal(runs.length, dump.runs.length);
    for (const theirs of dump.runs) {
      const ours = runs.find((r) => r.id === theirs.id);
      assert.ok(ours, theirs.name);
      assert.equal(ours.name, theirs.name);
      assert.equal(ours.status, theirs.status);
      assert.deepEqual(ours.params, theirs.params);
      assert.deepEqual(ours.metrics, theirs.metrics);
      assert.deepEqual(ours.tags, theirs.tags);
    }
    const child = runs.find((r) => r.name === 'child')!;
    assert.equal(child.parentId, runs.find((r) => r.name === 'run-0')!.id);
    assert.deepEqual((await store.metricHistory(dump.experiment_id, runs.find((r) => r.name === 'run-1')!.id, 'loss')).map((p) => p.step), [0, 1, 2]);
  });

  it('reports a corrupt or missing meta.yaml and still reads the other runs; missing metric files are no error', async () => {
    const expDir = path.join(root, dump.experiment_id);
    const ids = readdirSync(expDir, { withFileTypes: true }).filter((e) => e.isDirectory() && /^[0-9a-f]{32}$/.test(e.name)).map((e) => e.name);
    writeFileSync(path.join(expDir, ids[0], 'meta.yaml'), 'run_id: [unclosed\n');
    rmSync(path.join(expDir, ids[1], 'meta.yaml'));
    rmSync(path.join(expDir, ids[2], 'metrics'), { recursive: true });
    const { runs, problems } = await new MlflowFileStore(root).runs(dump.experiment_id);
    assert.equal(runs.length, dump.runs.length - 2);
    assert.equal(problems.length, 2);
    assert.ok(problems.some((p) => p.path.includes(ids[1]) && /missing/.test(p.message)));
    assert.ok(problems.some((p) => p.path.includes(ids[0]) && /cannot be read/.test(p.message)));
    assert.deepEqual(runs.find((r) => r.id === ids[2])?.metrics, {});
  });
});
