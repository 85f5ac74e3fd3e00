// A file store as users' repositories hold one: logged by real MLflow in one folder, then
// moved (a project reorganised, a clone elsewhere), so every run's artifact_uri names a
// folder that is gone. Its artifacts are listed and read from the store's own copy beside
// meta.yaml, not "No artifacts.".
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowFilesSource } from '../../src/experiments/core/sources';
import { startTimes } from '../../src/experiments/core/mlflow/fileStore';
import type { Run } from '../../src/experiments/core/model';
import { run, venvPython } from './helpers/processes';

describe('a moved MLflow file store', function () {
  this.timeout(120_000);
  let ws = '';
  before(async () => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-moved-store-'));
    const first = path.join(ws, 'old-place');
    mkdirSync(first);
    const logged = await run(venvPython(), ['-c', 'import mlflow, os\nmlflow.set_tracking_uri("file:" + os.path.abspath("mlruns"))\nmlflow.set_experiment("moved")\nwith mlflow.start_run(run_name="r1"):\n    mlflow.log_text("hello", "notes/readme.txt")\n'], { cwd: first, env: { ...process.env, MLFLOW_TRACKING_URI: '', MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 90_000 });
    assert.equal(logged.code, 0, logged.out);
    mkdirSync(path.join(ws, 'project'));
    renameSync(path.join(first, 'mlruns'), path.join(ws, 'project', 'mlruns'));
    rmSync(first, { recursive: true, force: true });
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('lists and reads the artifacts from the store’s own copy when the recorded folder is gone', async () => {
    const source = new MlflowFilesSource(path.join(ws, 'project', 'mlruns'), 'project/mlruns', [ws]);
    const exp = (await source.experiments()).find((e) => e.name === 'moved')!;
    const [r] = await source.runs([exp.id]);
    assert.match(r!.artifactUri ?? '', /old-place/, 'the recorded URI names the old place');
    assert.deepEqual((await source.artifacts(r!)).map((a) => a.path), ['notes']);
    assert.deepEqual((await source.artifacts(r!, 'notes')).map((a) => a.path), ['notes/readme.txt']);
    const dest = path.join(ws, 'copy.txt');
    assert.equal(await source.downloadArtifact(r!, 'notes/readme.txt', dest), 5);
  });
});

describe('the newest runs of a file store, read first', function () {
  this.timeout(120_000);
  let ws = '';
  before(async () => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-newest-'));
    const script = 'import mlflow, os, time\nmlflow.set_tracking_uri("file:" + os.path.abspath("mlruns"))\nmlflow.set_experiment("many")\nfor i in range(30):\n    with mlflow.start_run(run_name=f"r{i:02d}"):\n        mlflow.log_param("i", i)\n';
    const logged = await run(venvPython(), ['-c', script], { cwd: ws, env: { ...process.env, MLFLOW_TRACKING_URI: '', MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 90_000 });
    assert.equal(logged.code, 0, logged.out);
    // One run deleted, as MLflow marks it: never among the newest.
    const del = await run(venvPython(), ['-c', 'import mlflow, os\nmlflow.set_tracking_uri("file:" + os.path.abspath("mlruns"))\nc = mlflow.MlflowClient()\ne = c.get_experiment_by_name("many")\nr = c.search_runs([e.experiment_id], order_by=["attributes.start_time DESC"], max_results=1)[0]\nc.delete_run(r.info.run_id)\n'], { cwd: ws, env: { ...process.env, MLFLOW_TRACKING_URI: '', MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 90_000 });
    assert.equal(del.code, 0, del.out);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('the tree’s page (newest first, a limit) equals the first runs of the whole list, deleted runs left out', async () => {
    const source = new MlflowFilesSource(path.join(ws, 'mlruns'));
    const exp = (await source.experiments()).find((e) => e.name === 'many')!;
    const all = await source.runs([exp.id], { orderBy: ['attributes.start_time DESC'] });
    assert.equal(all.length, 29);
    const newest = await source.runs([exp.id], { orderBy: ['attributes.start_time DESC'], limit: 10 });
    assert.deepEqual(newest.map((r) => r.name), all.slice(0, 10).map((r) => r.name));
    assert.equal(newest[0]!.name, 'r28', 'r29 was deleted');
    assert.deepEqual(newest[0]!.params, { i: '28' });
  });

  it('the table’s first rows of an experiment over 1,000 runs, then the whole: the same runs a plain full read gives, the first ones not read twice', async () => {
    const mlruns = path.join(ws, 'mlruns');
    const exp = (await new MlflowFilesSource(mlruns).experiments()).find((e) => e.name === 'many')!;
    // 1,100 more runs, copied from one MLflow wrote (as the scale fixture does), each with its own id and start.
    const expDir = path.join(mlruns, exp.id);
    const model = readdirSync(expDir).find((d) => /^[0-9a-f]{32}$/.test(d) && !/lifecycle_stage: deleted/.test(readFileSync(path.join(expDir, d, 'meta.yaml'), 'utf8')))!;
    const meta = readFileSync(path.join(expDir, model, 'meta.yaml'), 'utf8');
    for (let i = 0; i < 1100; i++) {
      const id = createHash('md5').update(`copy-${i}`).digest('hex');
      cpSync(path.join(expDir, model), path.join(expDir, id), { recursive: true });
      writeFileSync(path.join(expDir, id, 'meta.yaml'), meta.replaceAll(model, id).replace(/^start_time: \d+/m, `start_time: ${2_000_000_000_000 + i}`));
    }
    const plain = await new MlflowFilesSource(mlruns).runs([exp.id], { orderBy: ['attributes.start_time DESC'] });
    let first: Run[] = [];
    const source = new MlflowFilesSource(mlruns);
    const whole = await source.runs([exp.id], { orderBy: ['attributes.start_time DESC'], onFirstPage: (rows) => (first = rows) });
    assert.equal(plain.length, 1129);
    assert.equal(first.length, 1000);
    assert.deepEqual(first.map((r) => r.id), plain.slice(0, 1000).map((r) => r.id));
    assert.deepEqual(whole.map((r) => [r.id, r.name, r.params, r.startTime]), plain.map((r) => [r.id, r.name, r.params, r.startTime]));
    // The first page's runs are the whole list's, not a second read of them.
    assert.equal(whole.find((r) => r.id === first[0]!.id), first[0]);
  });

  it('the start-time scan gives the same answer in two worker threads as in this one: starts, deleted runs, an unreadable meta.yaml', async () => {
    const expDir = path.join(ws, 'mlruns', (await new MlflowFilesSource(path.join(ws, 'mlruns')).experiments()).find((e) => e.name === 'many')!.id);
    const dirs = readdirSync(expDir, { withFileTypes: true }).filter((e) => e.isDirectory() && /^[0-9a-f]{32}$/.test(e.name)).map((e) => e.name);
    // One run whose meta.yaml is a folder: unreadable, start 0 (read whole later, where its problem is said).
    const broken = dirs[5]!;
    rmSync(path.join(expDir, broken, 'meta.yaml'));
    mkdirSync(path.join(expDir, broken, 'meta.yaml'));
    const here = await startTimes(expDir, dirs, Infinity);
    const workers = await startTimes(expDir, dirs, 0);
    assert.deepEqual([...workers], [...here]);
    assert.equal(here[5], 0);
    assert.equal([...here].filter((s) => s === -1).length, 1, 'the deleted run');
    assert.ok([...here].filter((s) => s > 1_000_000_000_000).length >= 1000, 'start times in ms');
  });
});
