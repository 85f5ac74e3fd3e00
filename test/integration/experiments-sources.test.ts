// A workspace as MLflow users leave it: an mlflow.db written by real MLflow code, and a
// legacy mlruns/ file store. The extension finds both, reads mlruns/ directly, and
// starts (and stops, with all its workers) a local `mlflow server` on mlflow.db.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { groupAlive } from '../../src/common/process';
import { LocalMlflowServer, findLocalStores } from '../../src/experiments/core/mlflow/server';
import { findRunModel } from '../../src/experiments/core/runModel';
import { MlflowFilesSource, MlflowServerSource } from '../../src/experiments/core/sources';
import { run, venvBin, venvPython } from './helpers/processes';

const LOG = `
import mlflow, os, sys
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("iris ☘")
for i, c in enumerate((0.1, 1.0, 10.0)):
    with mlflow.start_run(run_name=f"C={c}"):
        mlflow.log_params({"C": c, "solver": "lbfgs"})
        for step in range(4):
            mlflow.log_metric("loss", 1 / (step + 1 + i), step=step)
        mlflow.log_metric("accuracy", 0.9 + i / 100)
        mlflow.log_text("naïve notes\\n", "notes/readme.txt")
        if i == 2:
            import mlflow.sklearn
            from sklearn.linear_model import LogisticRegression
            from sklearn.datasets import load_iris
            X, y = load_iris(return_X_y=True)
            mlflow.sklearn.log_model(LogisticRegression(C=c, max_iter=300).fit(X, y), name="model", input_example=X[:2])
`;

describe('MLflow stores in a workspace: found, read directly, or served by a managed local server', function () {
  this.timeout(300_000);
  let ws = '';

  before(async function () {
    this.timeout(600_000);
    ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-ws-'));
    for (const uri of [`sqlite:///${ws}/mlflow.db`, `file://${ws}/mlruns`]) {
      const r = await run(venvPython(), ['-c', LOG, uri], { cwd: ws, env: { MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 300_000 });
      assert.equal(r.code, 0, r.out);
    }
  });

  it('finds mlflow.db and mlruns/ at the folder root', async () => {
    const stores = await findLocalStores(ws);
    assert.deepEqual(stores.map((s) => s.kind).sort(), ['files', 'sqlite']);
    assert.deepEqual(await findLocalStores(os.tmpdir() + '/no-such-folder'), []);
  });

  it('reads the file store directly: filter, order, metric history, artifacts', async () => {
    const source = new MlflowFilesSource(path.join(ws, 'mlruns'));
    const exp = (await source.experiments()).find((e) => e.name === 'iris ☘')!;
    assert.ok(exp);
    const runs = await source.runs([exp.id], { filter: 'metrics.accuracy > 0.905', orderBy: ['metrics.accuracy DESC'] });
    assert.deepEqual(runs.map((r) => r.name), ['C=10.0', 'C=1.0']);
    // (MLflow 3's log_model appends the run's latest metrics once more, at step 0, as stored.)
    assert.deepEqual([...new Set((await source.metricHistory(runs[1], 'loss')).map((p) => p.step))], [0, 1, 2, 3]);
    const root = await source.artifacts(runs[0]);
    assert.deepEqual(root, [{ path: 'notes', isDir: true }]);
    const notes = await source.artifacts(runs[0], 'notes');
    assert.equal(notes[0].path, 'notes/readme.txt');
    const dest = path.join(ws, 'dl', 'readme.txt');
    await source.downloadArtifact(runs[0], 'notes/readme.txt', dest);
    assert.equal(readFileSync(dest, 'utf8'), 'naïve notes\n');
    await assert.rejects(source.downloadArtifact(runs[0], '../../meta.yaml', dest), UserFacingError);
    // The LoggedModel MLflow 3 keeps beside the runs (mlruns/<exp>/models/m-…), with its signature.
    const model = await findRunModel(source, runs[0]);
    assert.match(model?.uri ?? '', /^models:\/m-[0-9a-f]{32}$/);
    assert.match(model?.signature?.inputs ?? '', /float64/);
    assert.equal(await findRunModel(source, runs[1]), undefined);
  });

  it('starts a local server on mlflow.db, reads the same runs through it, and stops it with its workers', async () => {
    const store = (await findLocalStores(ws)).find((s) => s.kind === 'sqlite')!;
    const logFile = path.join(ws, 'server.log');
    const server = await LocalMlflowServer.start({ command: [venvBin('mlflow')], store, logFile });
    const pid = server.pid!;
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.webServer, 'gunicorn');
      assert.match(readFileSync(logFile, 'utf8'), /Booting worker/, 'gunicorn’s sync workers serve it');
      const source = new MlflowServerSource(server.url);
      const exp = (await source.experiments()).find((e) => e.name === 'iris ☘')!;
      const runs = await source.runs([exp.id], { filter: 'metrics.accuracy > 0.905', orderBy: ['metrics.accuracy DESC'] });
      assert.deepEqual(runs.map((r) => r.name), ['C=10.0', 'C=1.0']);
      const files = await new MlflowFilesSource(path.join(ws, 'mlruns')).runs([(await new MlflowFilesSource(path.join(ws, 'mlruns')).experiments()).find((e) => e.name === 'iris ☘')!.id]);
      assert.equal(files.length, 3);
      assert.ok(groupAlive(pid));
    } finally {
      await server.stop();
    }
    assert.equal(server.running, false);
    assert.equal(groupAlive(pid), false, 'no process of the server’s group is left');
    assert.ok(existsSync(logFile));
  });

  it('falls back to MLflow’s own web server when that Python has no usable gunicorn', async () => {
    // A gunicorn package that cannot be run (`python -m gunicorn` fails), first on the path.
    const shadow = mkdtempSync(path.join(os.tmpdir(), 'mlops-no-gunicorn-'));
    mkdirSync(path.join(shadow, 'gunicorn'));
    writeFileSync(path.join(shadow, 'gunicorn', '__init__.py'), '');
    const store = (await findLocalStores(ws)).find((s) => s.kind === 'sqlite')!;
    const logFile = path.join(ws, 'fallback.log');
    const before = process.env.PYTHONPATH;
    process.env.PYTHONPATH = shadow;
    let server: LocalMlflowServer;
    try {
      server = await LocalMlflowServer.start({ command: [venvBin('mlflow')], store, logFile });
    } finally {
      if (before === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = before;
    }
    try {
      assert.equal(server.webServer, 'mlflow');
      assert.match(readFileSync(logFile, 'utf8'), /gunicorn/, 'the first attempt was gunicorn, and its failure is in the log');
      const source = new MlflowServerSource(server.url);
      const exp = (await source.experiments()).find((e) => e.name === 'iris ☘')!;
      assert.equal((await source.runs([exp.id])).length, 3);
    } finally {
      await server.stop();
    }
  });

  it('says so when MLflow is missing, and when that Python has no mlflow module', async function () {
    const store = { kind: 'sqlite' as const, path: path.join(ws, 'mlflow.db') };
    await assert.rejects(LocalMlflowServer.start({ command: [path.join(ws, 'no-mlflow')], store, logFile: path.join(ws, 'a.log') }), (e: unknown) => e instanceof UserFacingError && /MLflow was not found/.test(e.message));
    // The system Python, outside the test venv, has no mlflow.
    const sys = (await run('bash', ['-c', 'command -v python3'], { cwd: ws })).out.trim();
    const probe = await run(sys, ['-c', 'import mlflow'], { cwd: ws });
    if (probe.code === 0) this.skip();
    await assert.rejects(LocalMlflowServer.start({ command: [sys, '-m', 'mlflow'], store, logFile: path.join(ws, 'b.log') }), (e: unknown) => e instanceof UserFacingError && /MLflow is not installed in that Python/.test(e.message));
  });
});
