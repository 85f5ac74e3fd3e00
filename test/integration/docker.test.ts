// The Docker client against a real engine (test/env/docker.sh starts one and builds a
// local Python base image): the scaffolded API is built, run and called, and nothing
// of the test's is left behind.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { CancelledError } from '../../src/common/cancellation';
import { UserFacingError } from '../../src/common/errors';
import type { BuildEvent } from '../../src/docker/core/client';
import { watchStart } from '../../src/docker/core/started';
import { DockerClient, PortInUseError } from '../../src/docker/core/client';
import { measureContext, packContext } from '../../src/docker/core/context';
import { planImage } from '../../src/docker/core/project';
import { nextFreePort, portInUse } from '../../src/common/net';
import type { EngineState } from '../../src/docker/core/watcher';
import { EngineWatcher } from '../../src/docker/core/watcher';
import { gitState, initAndCommit } from '../../src/git/core/client';
import type { Framework } from '../../src/scaffold/core/model';
import { SAMPLE_FEATURES } from '../../src/scaffold/core/model';
import { smokeTest } from '../../src/scaffold/core/smoke';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../../src/scaffold/core/write';
import { cancellable } from '../helpers/cancel';
import { freePort, root, run, venvPython } from './helpers/processes';

const runId = Date.now().toString(36);
const LABEL = `mlops.workbench/test=${runId}`;

function tarEntries(stream: NodeJS.ReadableStream, keepSlash = false): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const r = spawnSync('tar', ['-t'], { input: Buffer.concat(chunks), encoding: 'utf8' });
      resolve(r.stdout.split('\n').filter(Boolean).map((e) => (keepSlash ? e : e.replace(/\/$/, ''))));
    });
  });
}


async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Docker client against a real engine', function () {
  this.timeout(900_000);
  let client: DockerClient;
  let baseImage = '';
  let work = '';
  const dirs: Partial<Record<Framework, string>> = {};
  const images: string[] = [];
  let danglingBefore = new Set<string>();
  const dangling = () => execFileSync('docker', ['images', '-q', '--no-trunc', '--filter', 'dangling=true'], { encoding: 'utf8' }).split('\n').filter(Boolean);

  async function scaffold(framework: Framework): Promise<string> {
    const dir = path.join(work, `iris-${framework}`);
    const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
    const plan = planProject({ framework, projectName: `iris-${framework}`, modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates);
    await writePlan(dir, await inspectPlan(dir, plan));
    const trained = await run(venvPython(), ['train.py'], { cwd: dir });
    assert.equal(trained.code, 0, trained.out);
    return dir;
  }

  before(async function () {
    this.timeout(1_200_000);
    baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    client = await DockerClient.connect();
    danglingBefore = new Set(dangling());
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-'));
    dirs.fastapi = await scaffold('fastapi');
    dirs.flask = await scaffold('flask');
  });

  after(async () => {
    for (const id of await client.containersWithLabel(LABEL).catch(() => [])) await client.remove(id).catch(() => undefined);
    for (const ref of images) await client.removeImage(ref).catch(() => undefined);
    // The untagged layers these builds left (build stages, failed steps), and only those.
    const left = dangling().filter((id) => !danglingBefore.has(id));
    if (left.length) spawnSync('docker', ['rmi', '-f', ...left]);
  });

  it('reports the engine’s version', async () => {
    const v = await client.version();
    assert.match(v.version, /^\d+\.\d+/);
    assert.equal(v.podman, false);
  });

  it('packs the build context exactly as the generated .dockerignore says', async () => {
    const entries = await tarEntries(await packContext(dirs.fastapi!));
    for (const need of ['Dockerfile', '.dockerignore', 'requirements.txt', 'gunicorn.conf.py', 'app/main.py', 'app/schemas.py', 'model/model.joblib']) assert.ok(entries.includes(need), need);
    for (const left of ['tests/test_api.py', 'README.md', 'train.py', '.mlops/project.json', 'k8s/deployment.yaml']) assert.ok(!entries.includes(left), left);
    // measureContext counts what packContext sends.
    const size = await measureContext(dirs.fastapi!);
    const files = (await tarEntries(await packContext(dirs.fastapi!), true)).filter((e) => !e.endsWith('/'));
    assert.equal(size.sentFiles, files.length);
  });

  it('sends the same context as the docker CLI for tricky .dockerignore rules', async () => {
    const ctx = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-ctx-'));
    const files = ['a.log', 'keep.log', 'src/x.py', 'src/__pycache__/x.pyc', 'src/deep/y.log', 'data/big.bin', 'data/keep/k.csv', 'data/keep/sub/s.csv', 'notes.md', 'README.md', 'tmp1/t', 'tmpfile', '.git/HEAD', 'ünïcode name.txt', 'deep/dir/keep.txt', 'deep/other.txt'];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(ctx, f)), { recursive: true });
      writeFileSync(path.join(ctx, f), f);
    }
    writeFileSync(path.join(ctx, '.dockerignore'), ['**/*.log', '!keep.log', 'data/', '!data/keep/**', '*.md', '!README.md', 'tmp*', '**/__pycache__', '.git', 'deep', '!**/keep.txt', ''].join('\n'));
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${baseImage}\nCOPY . /ctx\nCMD ["find", "/ctx"]\n`);
    const ours = `mlops-it/ctx-ours:${runId}`;
    const theirs = `mlops-it/ctx-cli:${runId}`;
    images.push(ours, theirs);
    await client.build(ctx, { tags: [ours] });
    execFileSync('docker', ['build', '-q', '-t', theirs, ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const list = (ref: string) => execFileSync('docker', ['run', '--rm', '--label', LABEL, ref], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    const cli = list(theirs);
    assert.deepEqual(list(ours), cli);
    assert.ok(cli.includes('/ctx/keep.log') && cli.includes('/ctx/data/keep/sub/s.csv') && !cli.includes('/ctx/a.log') && !cli.includes('/ctx/data/big.bin'), cli.join(' '));
  });

  for (const framework of ['fastapi', 'flask'] as const) {
    it(`builds the scaffolded ${framework} API with both tags and its labels, runs it, the smoke test passes, logs are read, and it is removed`, async () => {
      const dir = dirs[framework]!;
      await initAndCommit(dir, ['.'], 'scaffold');
      const git = await gitState(dir);
      const plan = await planImage({ dockerfile: path.join(dir, 'Dockerfile'), baseImage, ...(git ? { git } : {}) });
      const tags = plan.tags.map((t) => t.replace(/^iris-/, `mlops-it/${runId}-`));
      assert.deepEqual(tags, [`mlops-it/${runId}-${framework}:0.1.0`, `mlops-it/${runId}-${framework}:git-${git!.sha.slice(0, 7)}`]);
      images.push(...tags);
      const events: BuildEvent[] = [];
      const imageId = await client.build(dir, { tags, buildArgs: plan.buildArgs, labels: { ...plan.labels, 'mlops.workbench/test': runId } }, (e) => events.push(e));
      assert.match(imageId, /^sha256:/);
      const steps = events.filter((e): e is Extract<BuildEvent, { kind: 'step' }> => e.kind === 'step');
      assert.ok(steps.length > 5 && steps.every((s) => s.of === steps[0].of), 'step n/m events');
      const info = await client.inspectImage(tags[1]);
      assert.deepEqual(info?.RepoTags?.slice().sort(), [...tags].sort());
      assert.equal(info?.Config.Labels?.['mlops.workbench/framework'], framework);
      assert.equal(info?.Config.Labels?.['org.opencontainers.image.revision'], git!.sha);
      const listed = await client.images('mlops.workbench/managed=true');
      assert.ok(listed.some((i) => i.id === imageId));

      const port = await freePort();
      const id = await client.run(tags[0], { ports: [{ container: plan.port, host: port }], labels: { 'mlops.workbench/test': runId, 'mlops.workbench/managed': 'true' } });
      const logs: string[] = [];
      const follow = await client.followLogs(id, (t) => logs.push(t));
      const payload = JSON.parse(readFileSync(plan.samplePayload!, 'utf8')) as unknown;
      const result = await smokeTest(`http://127.0.0.1:${port}`, payload, { readyTimeoutMs: 90_000 });
      assert.equal(result.status, 200);
      assert.equal((JSON.parse(result.body) as { predictions: Array<{ prediction: string }> }).predictions[0].prediction, 'setosa');
      await waitFor('the followed log to show the model loading', async () => (/model loaded/.test(logs.join('')) ? true : undefined), 30_000);
      const listedContainer = (await client.containers()).find((c) => c.id === id);
      assert.deepEqual(listedContainer?.ports, [{ container: plan.port, host: port, ip: '127.0.0.1' }]);
      await client.stop(id);
      await follow.done;
      await client.remove(id);
    });
  }

  it('a port in use fails the start cleanly, naming the port, leaving no container; the next free one is found', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const before = (await client.containersWithLabel(LABEL)).length;
      await assert.rejects(client.run(baseImage, { ports: [{ container: 8000, host: taken }], labels: { 'mlops.workbench/test': runId } }), (e: unknown) => e instanceof PortInUseError && e.ports[0] === taken);
      assert.equal((await client.containersWithLabel(LABEL)).length, before);
      const next = await nextFreePort(taken, portInUse);
      assert.ok(next !== undefined && next > taken);
    } finally {
      blocker.close();
    }
  });

  it('names the Dockerfile line of a failing step, and leaves no intermediate container', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-bad-'));
    writeFileSync(path.join(bad, 'Dockerfile'), `FROM ${baseImage}\nRUN echo fine\nRUN exit 3\n`);
    const before = (await client.docker.listContainers({ all: true })).length;
    await assert.rejects(client.build(bad, { tags: [`mlops-it/bad:${runId}`], labels: { 'mlops.workbench/test': runId } }), (e: unknown) => e instanceof UserFacingError && /Dockerfile line 3/.test(e.message));
    assert.equal((await client.docker.listContainers({ all: true })).length, before);
  });

  it('a Dockerfile syntax error is reported with its line', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-syntax-'));
    writeFileSync(path.join(bad, 'Dockerfile'), `FROM ${baseImage}\nRUNN echo hi\n`);
    await assert.rejects(client.build(bad, { tags: [`mlops-it/syntax:${runId}`] }), (e: unknown) => e instanceof UserFacingError && /does not parse: line 2: unknown instruction: RUNN/i.test(e.message));
  });

  it('a base image that is not here and cannot be pulled names the setting and the build arg', async () => {
    await assert.rejects(
      client.build(dirs.fastapi!, { tags: [`mlops-it/nobase:${runId}`], buildArgs: { BASE_IMAGE: `mlops-it/no-such-base:${runId}` } }),
      (e: unknown) => e instanceof UserFacingError && e.message.includes(`"mlops-it/no-such-base:${runId}" is not on this engine and cannot be pulled`) && /mlops\.docker\.baseImage \(the BASE_IMAGE build arg\)/.test(e.message),
    );
  });

  it('cancelling mid-build stops the build on the engine and leaves no intermediate container', async () => {
    const slow = mkdtempSync(path.join(os.tmpdir(), 'mlops-docker-slow-'));
    writeFileSync(path.join(slow, 'Dockerfile'), `FROM ${baseImage}\nRUN echo ${runId} && sleep 120\nRUN echo never\n`);
    const before = (await client.docker.listContainers({ all: true })).map((c) => c.Id);
    const { token, cancel } = cancellable();
    const started = Date.now();
    const build = client.build(slow, { tags: [`mlops-it/slow:${runId}`] }, (e) => e.kind === 'output' && e.text.includes(runId) && cancel(), token);
    await assert.rejects(build, (e: unknown) => e instanceof CancelledError);
    assert.ok(Date.now() - started < 60_000, 'cancelled well before the step would end');
    // The engine removes the step's container once it notices the client has gone.
    await waitFor('the intermediate container to go', async () => {
      const now = (await client.docker.listContainers({ all: true })).map((c) => c.Id).filter((id) => !before.includes(id));
      return now.length === 0 ? true : undefined;
    });
    assert.equal(await client.inspectImage(`mlops-it/slow:${runId}`), undefined);
  });

  it('measures a huge context and what the generated .dockerignore would cut', async () => {
    const big = path.join(work, 'big');
    cpSync(dirs.fastapi!, big, { recursive: true });
    mkdirSync(path.join(big, 'data'));
    writeFileSync(path.join(big, 'data', 'train.parquet'), Buffer.alloc(110 * 1024 * 1024));
    rmSync(path.join(big, '.dockerignore'));
    const without = await measureContext(big);
    assert.ok(without.sentBytes > 110 * 1024 * 1024);
    assert.equal(without.largestSent[0].path, 'data/');
    const generated = readFileSync(path.join(root, 'media', 'templates', 'model-api', 'common', '.dockerignore'), 'utf8');
    const withIgnore = await measureContext(big, 'Dockerfile', generated);
    assert.ok(withIgnore.sentBytes < 5 * 1024 * 1024, `${withIgnore.sentBytes}`);
    assert.ok(without.sentFiles > withIgnore.sentFiles);
  });

  it('a container that exits right after starting is said to have exited, with its exit code and last lines; one that serves is answering', async () => {
    // A user's image whose app cannot start (a module its requirements forgot), and one that serves.
    const broken = `mlops-it/exits-at-once:${runId}`;
    const serving = `mlops-it/serves:${runId}`;
    execFileSync('docker', ['build', '-q', '-t', broken, '-'], { input: `FROM ${baseImage}\nCMD ["python3", "-c", "import joblibx"]\n`, env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'ignore', 'inherit'] });
    execFileSync('docker', ['build', '-q', '-t', serving, '-'], { input: `FROM ${baseImage}\nEXPOSE 8000\nCMD ["python3", "-m", "http.server", "8000"]\n`, env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'ignore', 'inherit'] });
    images.push(broken, serving);
    const labels = { 'mlops.workbench/test': runId };
    const port = await freePort();
    const a = await client.run(broken, { ports: [{ container: 8000, host: port }], labels });
    const exited = await watchStart(client, a, port);
    assert.equal(exited.state, 'exited');
    assert.ok(exited.state === 'exited' && exited.exitCode === 1 && /No module named 'joblibx'/.test(exited.logs), JSON.stringify(exited));
    const port2 = await freePort();
    const b = await client.run(serving, { ports: [{ container: 8000, host: port2 }], labels });
    assert.equal((await watchStart(client, b, port2)).state, 'answering');
    await client.remove(a);
    await client.remove(b);
  });

  it('explains an engine that does not answer', async () => {
    const nowhere = await DockerClient.connect({ DOCKER_HOST: 'unix:///tmp/mlops-no-such-docker.sock' });
    await assert.rejects(nowhere.version(), (e: unknown) => e instanceof UserFacingError && /No Docker engine answers/.test(e.message));
  });

  it('the watcher sees container events, says when the engine stops, and reconnects when it is back', async function () {
    this.timeout(300_000);
    const states: EngineState['kind'][] = [];
    let changes = 0;
    const watcher = new EngineWatcher({ connect: () => DockerClient.connect(), onChange: () => changes++, onState: (s) => states.push(s.kind), debounceMs: 50, minRetryMs: 200, maxRetryMs: 1000 });
    try {
      assert.equal((await watcher.ready()).kind, 'connected');
      const before = changes;
      const id = await client.run(baseImage, { labels: { 'mlops.workbench/test': runId } });
      await waitFor('an event for the new container', async () => (changes > before ? true : undefined), 20_000);
      await client.remove(id);

      // Stop the daemon this suite's environment started, as a crash or restart would.
      const pid = Number(readFileSync(path.join(cacheDir(), 'services', 'dockerd.pid'), 'utf8'));
      process.kill(pid, 'SIGTERM');
      await waitFor('the watcher to notice', async () => (watcher.current.kind === 'down' ? true : undefined), 60_000);
      await assert.rejects(client.version(), (e: unknown) => e instanceof UserFacingError && /No Docker engine answers/.test(e.message));
      execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
      await waitFor('the watcher to reconnect', async () => (watcher.current.kind === 'connected' ? true : undefined), 60_000);
      assert.deepEqual(states.filter((s, i) => s !== states[i - 1]).slice(0, 3), ['connected', 'down', 'connected']);
      const after = changes;
      const again = await client.run(baseImage, { labels: { 'mlops.workbench/test': runId } });
      await waitFor('events after reconnecting', async () => (changes > after ? true : undefined), 20_000);
      await client.remove(again);
    } finally {
      watcher.dispose();
    }
  });

  describe('afterwards', () => {
    it('leaves no container of the test behind', async () => {
      assert.deepEqual(await client.containersWithLabel(LABEL), []);
    });
  });
});

function cacheDir(): string {
  return process.env.MLOPS_CACHE ?? path.join(os.homedir(), '.cache', 'mlops-workbench');
}
