// A committed mlruns/ is untrusted: a param linked to /dev/zero (reading it never ends), a
// tag linked to ~/.aws/credentials, a FIFO, a metric file of many megabytes, folders nested
// without end, an artifact_uri pointing at ~/.ssh. Expanding an experiment must finish,
// show none of those files' contents, and list nothing outside the store or workspace.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIMITS, MlflowFileStore, readRegularSync } from '../../../src/experiments/core/mlflow/fileStore';
import { MlflowFilesSource } from '../../../src/experiments/core/sources';

describe('hostile mlruns/', function () {
  this.timeout(20_000);
  let dir = '';
  let store = '';
  let run = '';
  const secret = (): string => path.join(dir, 'credentials');
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-mlruns-'));
    store = path.join(dir, 'mlruns');
    run = path.join(store, '1', 'r1');
    for (const d of ['params', 'metrics', 'tags', 'artifacts']) mkdirSync(path.join(run, d), { recursive: true });
    writeFileSync(path.join(store, '1', 'meta.yaml'), "experiment_id: '1'\nlifecycle_stage: active\nname: e\n");
    writeFileSync(path.join(run, 'meta.yaml'), "run_id: r1\nexperiment_id: '1'\nlifecycle_stage: active\nstatus: 3\nstart_time: 1\n");
    writeFileSync(path.join(run, 'params', 'C'), '0.1');
    writeFileSync(path.join(run, 'metrics', 'acc'), '1 0.5 0\n2 0.9 1\n');
    writeFileSync(secret(), 'aws_secret_access_key = SECRET');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const readRun = async () => {
    const { runs } = await new MlflowFileStore(store).runs('1');
    assert.equal(runs.length, 1);
    return runs[0]!;
  };

  it('a param linked to /dev/zero is skipped, and reading finishes', async () => {
    symlinkSync('/dev/zero', path.join(run, 'params', 'lr'));
    const r = await readRun();
    assert.deepEqual(r.params, { C: '0.1' });
  });

  it('a tag linked to a credentials file is not shown', async () => {
    symlinkSync(secret(), path.join(run, 'tags', 'mlflow.note.content'));
    symlinkSync(secret(), path.join(run, 'params', 'secret'));
    assert.doesNotMatch(JSON.stringify(await readRun()), /SECRET/);
  });

  it('a FIFO as a metric neither blocks nor counts', async () => {
    execFileSync('mkfifo', [path.join(run, 'metrics', 'loss')]);
    const r = await readRun();
    assert.deepEqual(Object.keys(r.metrics), ['acc']);
    await assert.rejects(new MlflowFileStore(store).metricHistory('1', 'r1', 'loss'));
  });

  it('a linked meta.yaml is a problem of that run, not a read of the target', async () => {
    rmSync(path.join(run, 'meta.yaml'));
    symlinkSync(secret(), path.join(run, 'meta.yaml'));
    const { runs, problems } = await new MlflowFileStore(store).runs('1');
    assert.deepEqual(runs, []);
    assert.equal(problems.length, 1);
    assert.doesNotMatch(JSON.stringify(problems), /SECRET/);
  });

  it('a metric file of 5 MB is read by its tail for the latest value', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `${i} ${i / 200_000} ${i}`).join('\n');
    writeFileSync(path.join(run, 'metrics', 'big'), `${lines}\n`);
    assert.ok(lines.length > LIMITS.metricWhole);
    const r = await readRun();
    assert.equal(r.metrics.big, 199_999 / 200_000);
  });

  it('a param over the size limit is skipped; a meta.yaml over its limit is a problem', async () => {
    writeFileSync(path.join(run, 'params', 'huge'), 'x'.repeat(LIMITS.value + 1));
    assert.equal('huge' in (await readRun()).params, false);
    writeFileSync(path.join(run, 'meta.yaml'), `run_id: r1\nlifecycle_stage: active\n#${'x'.repeat(LIMITS.meta)}\n`);
    const { problems } = await new MlflowFileStore(store).runs('1');
    assert.match(problems[0]?.message ?? '', /larger than/);
  });

  it('params nested deeper than the limit stop at the limit', async () => {
    let d = path.join(run, 'params');
    for (let i = 0; i < 40; i++) d = path.join(d, 'n');
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'deep'), '1');
    const keys = Object.keys((await readRun()).params);
    assert.deepEqual(keys, ['C']);
  });

  it('a metric history asked for with ../ in its key is refused', async () => {
    await assert.rejects(new MlflowFileStore(store).metricHistory('1', 'r1', '../../../../credentials'), /not a metric/);
  });

  it('readRegularSync refuses a link and a directory', () => {
    symlinkSync(secret(), path.join(dir, 'link'));
    assert.throws(() => readRegularSync(path.join(dir, 'link'), 100), /ELOOP|link/);
    assert.throws(() => readRegularSync(dir, 100), /EISDIR|not a regular file/);
  });

  it('an artifact_uri pointing at ~/.ssh lists the store’s own copy, not that folder', async () => {
    const ssh = path.join(dir, 'home', '.ssh');
    mkdirSync(ssh, { recursive: true });
    writeFileSync(path.join(ssh, 'id_rsa'), 'PRIVATE KEY');
    writeFileSync(path.join(run, 'artifacts', 'model.pkl'), 'm');
    // The store sits in a project folder; the "home" is outside it.
    const project = path.join(dir, 'project');
    mkdirSync(project);
    const moved = path.join(project, 'mlruns');
    execFileSync('mv', [store, moved]);
    writeFileSync(path.join(moved, '1', 'r1', 'meta.yaml'), `run_id: r1\nexperiment_id: '1'\nlifecycle_stage: active\nstatus: 3\nartifact_uri: file://${ssh}\n`);
    const source = new MlflowFilesSource(moved);
    const [r] = await source.runs(['1']);
    assert.deepEqual((await source.artifacts(r!)).map((a) => a.path), ['model.pkl']);
  });

  it('an artifact folder that is itself a link lists nothing', async () => {
    rmSync(path.join(run, 'artifacts'), { recursive: true });
    symlinkSync(dir, path.join(run, 'artifacts'));
    const source = new MlflowFilesSource(store);
    const [r] = await source.runs(['1']);
    assert.deepEqual(await source.artifacts(r!), []);
  });
});
