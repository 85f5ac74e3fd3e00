// The Docker client against a real engine (test/env/docker.sh starts one and builds a
// local Python base image): the scaffolded API is built, run and called, and nothing
// of the test's is left behind.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import type { BuildEvent } from '../../src/docker/client';
import { DockerClient, packContext } from '../../src/docker/client';
import { SAMPLE_FEATURES } from '../../src/scaffold/model';
import { planProject } from '../../src/scaffold/render';
import { loadTemplates } from '../../src/scaffold/templates';
import { inspectPlan, writePlan } from '../../src/scaffold/write';
import { freePort, root, run, venvPython } from './helpers/processes';

const runId = Date.now().toString(36);
const LABEL = `mlops.workbench/test=${runId}`;
const TAG = `mlops-it/fastapi:${runId}`;

function tarEntries(stream: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const r = spawnSync('tar', ['-t'], { input: Buffer.concat(chunks), encoding: 'utf8' });
      resolve(r.stdout.split('\n').filter(Boolean).map((e) => e.replace(/\/$/, '')));
    });
  });
}

describe('Docker client against a real engine', function () {
  this.timeout(900_000);
  let client: DockerClient;
  let baseImage = '';
  let dir = '';
  const containers: string[] = [];

  before(async function () {
    this.timeout(1_200_000);
    baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    client = await DockerClient.connect();
    const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-'));
    dir = path.join(work, 'iris-api');
    const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
    const plan = planProject({ framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates);
    await writePlan(dir, await inspectPlan(dir, plan));
    const trained = await run(venvPython(), ['train.py'], { cwd: dir });
    assert.equal(trained.code, 0, trained.out);
  });

  after(async () => {
    for (const id of [...containers, ...(await client.containersWithLabel(LABEL).catch(() => []))]) await client.remove(id).catch(() => undefined);
    await client.removeImage(TAG).catch(() => undefined);
  });

  it('reports the engine’s version', async () => {
    const v = await client.version();
    assert.match(v.version, /^\d+\.\d+/);
  });

  it('packs the build context exactly as the generated .dockerignore says', async () => {
    const entries = await tarEntries(await packContext(dir));
    for (const need of ['Dockerfile', '.dockerignore', 'requirements.txt', 'gunicorn.conf.py', 'app/main.py', 'app/schemas.py', 'model/model.joblib']) assert.ok(entries.includes(need), need);
    for (const left of ['tests/test_api.py', 'README.md', 'train.py', '.mlops/project.json', 'k8s/deployment.yaml']) assert.ok(!entries.includes(left), left);
  });

  it('builds the scaffolded API from the local base image, runs it, and it predicts', async () => {
    const events: BuildEvent[] = [];
    const imageId = await client.build(dir, { tags: [TAG], buildArgs: { BASE_IMAGE: baseImage }, labels: { 'mlops.workbench/framework': 'fastapi', 'mlops.workbench/test': runId } }, (e) => events.push(e));
    assert.match(imageId, /^sha256:/);
    const steps = events.filter((e): e is Extract<BuildEvent, { kind: 'step' }> => e.kind === 'step');
    assert.ok(steps.length > 5 && steps.every((s) => s.of === steps[0].of), 'step n/m events');

    const port = await freePort();
    const id = await client.run(TAG, { ports: [{ container: 8000, host: port }], labels: { 'mlops.workbench/test': runId } });
    containers.push(id);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status).catch(() => 0);
      if (ready === 200) break;
      if (Date.now() > deadline) assert.fail(`not ready in 90 s:\n${await client.logs(id)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const r = await fetch(`http://127.0.0.1:${port}/predict`, { signal: AbortSignal.timeout(10_000), method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }) });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { predictions: Array<{ prediction: string }> }).predictions[0].prediction, 'setosa');
    assert.match(await client.logs(id), /model loaded/);
    await client.stop(id);
    await client.remove(id);
    containers.pop();
  });

  it('names the Dockerfile line of a failing step, and leaves no intermediate container', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-bad-'));
    writeFileSync(path.join(bad, 'Dockerfile'), `FROM ${baseImage}\nRUN echo fine\nRUN exit 3\n`);
    const before = (await client.docker.listContainers({ all: true })).length;
    await assert.rejects(client.build(bad, { tags: [`mlops-it/bad:${runId}`], labels: { 'mlops.workbench/test': runId } }), (e: unknown) => e instanceof UserFacingError && /Dockerfile line 3/.test(e.message));
    assert.equal((await client.docker.listContainers({ all: true })).length, before);
  });

  it('explains an engine that does not answer', async () => {
    const nowhere = await DockerClient.connect({ DOCKER_HOST: 'unix:///tmp/mlops-no-such-docker.sock' });
    await assert.rejects(nowhere.version(), (e: unknown) => e instanceof UserFacingError && /No Docker engine answers/.test(e.message));
  });

  describe('afterwards', () => {
    it('leaves no container of the test behind', async () => {
      assert.deepEqual(await client.containersWithLabel(LABEL), []);
    });
  });
});
