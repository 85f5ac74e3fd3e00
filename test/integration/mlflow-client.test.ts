// The MLflow REST client against a real `mlflow server` on SQLite, with runs logged by
// real MLflow Python code: two experiments (one named in Spanish), nested runs, metric
// histories, a failed run, text and binary artifacts (one of 40 MB), a logged
// scikit-learn model with its signature, and a registered model.
import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { compileFilter } from '../../src/experiments/core/filter';
import { MlflowClient, offsetOf } from '../../src/experiments/core/mlflow/client';
import { findRunModel } from '../../src/experiments/core/runModel';
import { MlflowServerSource } from '../../src/experiments/core/sources';
import { MlflowRegistry } from '../../src/registry/core/mlflowRegistry';
import type { Server } from './helpers/processes';
import { freePort, run, startMlflowServer, stopAll, venvPython } from './helpers/processes';

const LOG_RUNS = `
import math, os, mlflow, mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

iris = load_iris()
mlflow.set_experiment("clasificación-iris")
for c in (0.1, 1.0, 10.0):
    with mlflow.start_run(run_name=f"logreg C={c}") as parent:
        model = LogisticRegression(C=c, max_iter=500).fit(iris.data, iris.target)
        mlflow.log_params({"C": c, "max_iter": 500, "solver": "lbfgs"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1) / c, step=step)
        mlflow.log_metric("accuracy", model.score(iris.data, iris.target))
        mlflow.set_tag("équipe", "données")
        with mlflow.start_run(run_name=f"fold-of-{c}", nested=True):
            mlflow.log_metric("accuracy", 0.5)
        if c == 1.0:
            mlflow.log_text("hola, ñandú\\n", "notes/readme.txt")
            with open("big.bin", "wb") as f:
                f.write(os.urandom(40 * 1024 * 1024))
            mlflow.log_artifact("big.bin", "data")
            mlflow.sklearn.log_model(model, name="model", signature=infer_signature(iris.data, model.predict(iris.data)), registered_model_name="iris-classifier")
            print("RUN_ID=" + parent.info.run_id)
mlflow.set_experiment("second")
with mlflow.start_run(run_name="ok"):
    mlflow.log_metric("accuracy", 0.8)
try:
    with mlflow.start_run(run_name="broken"):
        raise RuntimeError("boom")
except RuntimeError:
    pass
mlflow.set_experiment("wide")
with mlflow.start_run(run_name="2000 metrics"):
    for chunk in range(0, 2000, 1000):
        mlflow.log_metrics({f"m{i:04d}": i / 2000 for i in range(chunk, chunk + 1000)})
`;

describe('MLflow REST client against a real server', function () {
  this.timeout(600_000);
  let server: Server;
  let client: MlflowClient;
  let modelRunId = '';
  let work = '';

  before(async function () {
    this.timeout(900_000);
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-mlflow-'));
    server = await startMlflowServer(work);
    const r = await run(venvPython(), ['-c', LOG_RUNS], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
    modelRunId = /RUN_ID=([0-9a-f]{32})/.exec(r.out)![1];
    client = new MlflowClient(server.url);
  });

  after(async () => {
    await stopAll();
  });

  it('reads the server’s version', async () => {
    assert.match(await client.version(), /^3\.\d+\.\d+/);
  });

  it('lists experiments, names not in plain ASCII included', async () => {
    const names = (await client.experiments()).map((e) => e.name);
    assert.ok(names.includes('clasificación-iris') && names.includes('second'), names.join(', '));
  });

  it('searches runs page by page, with MLflow’s filter and order', async () => {
    const exp = (await client.experiments()).find((e) => e.name === 'clasificación-iris')!;
    const pages: number[] = [];
    for await (const page of client.searchRunPages({ experimentIds: [exp.id], pageSize: 2 })) pages.push(page.length);
    assert.deepEqual(pages, [2, 2, 2], 'six runs (three parents, three nested) in pages of two');
    const parents = await client.searchRuns({ experimentIds: [exp.id], filter: "params.solver = 'lbfgs'", orderBy: ['params.C DESC'] });
    assert.deepEqual(parents.map((r) => r.params.C), ['10.0', '1.0', '0.1']);
    assert.equal(parents[0].tags['équipe'], 'données');
    const children = await client.searchRuns({ experimentIds: [exp.id], filter: 'metrics.accuracy < 0.6' });
    assert.equal(children.length, 3);
    assert.ok(children.every((c) => parents.some((p) => p.id === c.parentId)), 'nested runs know their parent');
    assert.equal((await client.searchRuns({ experimentIds: [exp.id], limit: 4, pageSize: 3 })).length, 4);
  });

  it('fetches pages several at a time, in the order and with the runs one page at a time gives', async () => {
    // The fast path rests on the server's page token being its offset; if MLflow changes that,
    // this says so (the client then falls back to one page at a time).
    const raw = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_ids: ['0', ...(await client.experiments()).map((e) => e.id)], max_results: 2 }) })).json()) as { next_page_token?: string };
    assert.equal(offsetOf(raw.next_page_token ?? ''), 2, `page token: ${raw.next_page_token}`);
    const ids = (await client.experiments()).map((e) => e.id);
    for (const query of [{}, { orderBy: ['metrics.accuracy DESC', 'attributes.run_name ASC'] }, { filter: 'metrics.accuracy > 0.1' }]) {
      const one = await client.searchRuns({ experimentIds: ids, pageSize: 1, concurrency: 1, ...query });
      const three = await client.searchRuns({ experimentIds: ids, pageSize: 1, concurrency: 3, ...query });
      assert.ok(one.length >= 6, `${one.length} runs`);
      assert.deepEqual(three.map((r) => r.id), one.map((r) => r.id), JSON.stringify(query));
      const limited = await client.searchRuns({ experimentIds: ids, pageSize: 2, concurrency: 3, limit: 5, ...query });
      assert.deepEqual(limited.map((r) => r.id), one.slice(0, 5).map((r) => r.id));
    }
  });

  it('the local filter (used for DVC and the file store) selects what the server selects', async () => {
    const exps = await client.experiments();
    const ids = exps.map((e) => e.id);
    const all = await client.searchRuns({ experimentIds: ids });
    const filters = [
      'metrics.accuracy < 0.6',
      'metrics.accuracy >= 0.8',
      "params.C = '1.0'",
      "params.C != '1.0'",
      `attributes.run_id IN ('${all[0].id}', '${all[2].id}')`,
      "tags.`équipe` = 'données'",
      "tags.`équipe` LIKE 'don%'",
      "tags.`équipe` ILIKE 'DON%'",
      "attributes.status = 'FAILED'",
      "attributes.run_name LIKE 'fold-%'",
      "attributes.run_name ILIKE '%C=1%' and metrics.accuracy > 0.9",
      `attributes.start_time > ${Math.min(...all.map((r) => r.startTime ?? 0))}`,
    ];
    for (const f of filters) {
      const server = (await client.searchRuns({ experimentIds: ids, filter: f })).map((r) => r.id).sort();
      const local = all.filter(compileFilter(f)).map((r) => r.id).sort();
      assert.ok(server.length > 0 && server.length < all.length, `${f}: the filter should pick some runs, not all (${server.length}/${all.length})`);
      assert.deepEqual(local, server, f);
    }
  });

  it('reads a failed run’s status and a metric’s whole history', async () => {
    const second = (await client.experiments()).find((e) => e.name === 'second')!;
    const runs = await client.searchRuns({ experimentIds: [second.id] });
    assert.equal(runs.find((r) => r.name === 'broken')?.status, 'FAILED');
    const history = await client.metricHistory(modelRunId, 'loss');
    assert.deepEqual(history.map((p) => p.step), [0, 1, 2, 3, 4]);
    assert.ok(Math.abs(history[4].value - 0.2) < 1e-9);
  });

  it('reads a run with 2,000 metrics whole', async () => {
    const wide = (await client.experiments()).find((e) => e.name === 'wide')!;
    const [run] = await client.searchRuns({ experimentIds: [wide.id] });
    assert.equal(Object.keys(run.metrics).length, 2000);
    assert.equal(run.metrics.m1999, 1999 / 2000);
  });

  it('lists artifacts and streams a 40 MB one to disk', async () => {
    const root = await client.artifacts(modelRunId);
    assert.deepEqual(root.map((a) => `${a.path}${a.isDir ? '/' : ''}`).sort(), ['data/', 'notes/']);
    const data = await client.artifacts(modelRunId, 'data');
    assert.deepEqual(data, [{ path: 'data/big.bin', isDir: false, size: 40 * 1024 * 1024 }]);
    const dest = path.join(work, 'download', 'big.bin');
    const bytes = await client.downloadArtifact(modelRunId, 'data/big.bin', dest);
    assert.equal(bytes, 40 * 1024 * 1024);
    assert.equal(statSync(dest).size, bytes);
  });

  it('lists registered models and their versions', async () => {
    const models = await new MlflowRegistry(client).list();
    const iris = models.find((m) => m.model.name === 'iris-classifier');
    assert.ok(iris, models.map((m) => m.model.name).join(', '));
    const versions = iris.versions;
    assert.equal(versions[0].version, '1');
    assert.equal(versions[0].runId, modelRunId);
    // MLflow 3 keeps a logged model apart from the run's artifacts, as a LoggedModel.
    assert.match(versions[0].source ?? '', /^models:\/m-[0-9a-f]+$/);
  });

  it('finds the model a run logged (an MLflow 3 LoggedModel) and its signature', async () => {
    const source = new MlflowServerSource(server.url);
    const run = await client.run(modelRunId);
    const model = await findRunModel(source, run);
    assert.match(model?.uri ?? '', /^models:\/m-[0-9a-f]{32}$/);
    assert.match(model?.signature?.inputs ?? '', /tensor: float64\[-1,4\]/);
    assert.match(model?.signature?.outputs ?? '', /int64/);
    const second = (await client.experiments()).find((e) => e.name === 'second')!;
    const plain = (await client.searchRuns({ experimentIds: [second.id] }))[0];
    assert.equal(await findRunModel(source, plain), undefined, 'a run without a model has none');
  });

  it('says so when no server answers, and refuses an address that is not http(s)', async () => {
    const port = await freePort();
    await assert.rejects(new MlflowClient(`http://127.0.0.1:${port}`).experiments(), (e: unknown) => e instanceof UserFacingError && /No MLflow server answers at .*ECONNREFUSED.*mlops\.mlflow\.trackingUri/.test(e.message));
    assert.throws(() => new MlflowClient('file:///tmp/mlruns'), UserFacingError);
  });

  it('an unknown run is an error naming the server’s reason', async () => {
    await assert.rejects(client.run('0'.repeat(32)), (e: unknown) => e instanceof UserFacingError && /answered 404: RESOURCE_DOES_NOT_EXIST/.test(e.message));
  });
});
