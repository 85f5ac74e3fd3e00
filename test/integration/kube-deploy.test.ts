// Containerize and deploy on the real test cluster (test/env/kube-cluster.sh) with the
// real Docker engine: a scaffolded FastAPI project built, delivered by each route this
// cluster supports (containerd import, local registry), applied, rolled out, reached
// through a port-forward and smoke-tested; an unchanged rerun makes no rollout; rollback
// restores the previous model; an image the cluster cannot see and an app that crashes
// are explained, and leave the cluster as it was; a name the extension did not make is
// left alone; cancelling mid-rollout restores the previous revision.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../../src/common/cancellation';
import { UserFacingError } from '../../src/common/errors';
import { PortInUseError } from '../../src/common/net';
import { DockerClient } from '../../src/docker/core/client';
import { KubeClient, RolloutError } from '../../src/kube/core/client';
import type { DeployDeps, DeployResult, DeploySettings } from '../../src/deploy/core/deploy';
import { DeployUnverifiedError, containerizeAndDeploy } from '../../src/deploy/core/deploy';
import { summarizeDeployment } from '../../src/kube/core/model';
import { deliver } from '../../src/deploy/core/delivery';
import { PortForwards } from '../../src/kube/core/portforward';
import { PINNED_VERSIONS, SAMPLE_FEATURES } from '../../src/scaffold/core/model';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../../src/scaffold/core/write';
import { cancellable } from '../helpers/cancel';
import { deleteNamespaceAndWait, kubeClusterLib } from './helpers/kube';
import { root, run, venvPython } from './helpers/processes';
import { SHOP, writeShopApi } from '../helpers/userProjects';

const runId = Date.now().toString(36);
const NAMESPACE = `mlops-deploy-${runId}`;



describe('containerize and deploy on the real test cluster', function () {
  this.timeout(20 * 60_000);
  let env: Record<string, string> = {};
  let docker: DockerClient;
  let kube: KubeClient;
  let forwards: PortForwards;
  let baseImage = '';
  let work = '';
  let project = '';
  let settings: DeploySettings;
  const deps = (over: Partial<DeployDeps> = {}): DeployDeps => ({ docker, kube, forwards, settings, log: () => undefined, createNamespace: async () => true, ...over });

  before(async function () {
    this.timeout(45 * 60_000);
    env = (await kubeClusterLib()).kubeCluster('up');
    baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    docker = await DockerClient.connect();
    kube = await KubeClient.load({ env: { ...process.env, KUBECONFIG: env.KUBECONFIG! } });
    forwards = new PortForwards();
    settings = { namespace: NAMESPACE, imageDelivery: 'auto', registry: env.REGISTRY!, containerdAddress: env.CONTAINERD_ADDRESS!, rolloutTimeoutSeconds: 180, baseImage };
    // An earlier run (its cluster's containerd persists) may have left these images there: the
    // first deploy must import its image, so the cluster starts without them.
    removeTestImagesFromContainerd();
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-deploy-'));
    project = path.join(work, 'iris-api');
    const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
    const plan = planProject({ framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates);
    await writePlan(project, await inspectPlan(project, plan));
    const trained = await run(venvPython(), ['train.py'], { cwd: project });
    assert.equal(trained.code, 0, trained.out);
  });

  after(async function () {
    this.timeout(180_000);
    await forwards?.dispose();
    if (kube) await deleteNamespaceAndWait(kube, NAMESPACE);
    const ours = docker ? (await docker.images()).flatMap((i) => i.tags).filter((t) => /(^|\/)(iris-api|crashy-api|theirs|my_project_2024|shop_api_2024|served-by-base|serving-base):/.test(t)) : [];
    for (const t of ours) await docker.removeImage(t).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    if (env) {
      try {
        removeTestImagesFromContainerd();
      } catch {
        // the cluster is going down anyway
      }
    }
    (await kubeClusterLib()).kubeCluster('down');
  });

  function removeTestImagesFromContainerd(): void {
    const ctr = (args: string[]): string => execFileSync('ctr', ['--address', env.CONTAINERD_ADDRESS!, '-n', 'k8s.io', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const stale = ctr(['images', 'ls', '-q']).split('\n').filter((r) => /(^|\/)(iris-api|crashy-api|theirs|my_project_2024|shop_api_2024|served-by-base|serving-base):/.test(r));
    if (stale.length) ctr(['images', 'rm', ...stale]);
  }

  async function servedVersion(): Promise<string[]> {
    // Ready pods, whatever template they run (a rollout in flight may still show the old one).
    const pods = await kube.pods(NAMESPACE, (await kube.deployment(NAMESPACE, 'iris-api'))!);
    return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata?.annotations?.['mlops.workbench/model-version'] ?? '?');
  }

  let first: DeployResult;

  it('detects the cluster and deploys through containerd: rollout, port-forward, /predict', async () => {
    const steps: string[] = [];
    const lines: string[] = [];
    first = await containerizeAndDeploy(project, deps({ onStep: (s) => steps.push(s), log: (l) => lines.push(l) }));
    assert.deepEqual(steps, ['build', 'deliver', 'apply', 'rollout', 'port-forward', 'smoke']);
    // The docker CLI is on the PATH here: its save goes straight into ctr, not through this process.
    assert.ok(lines.some((l) => /^docker save iris-api:\S+ \| ctr --address /.test(l)), lines.join('\n'));
    assert.equal(first.detection.kind, 'generic');
    assert.equal(first.delivery.route, 'containerd');
    assert.match(first.image, /^iris-api:0\.1\.0-[0-9a-f]{12}$/);
    assert.equal(first.revision, 1);
    assert.equal(first.newRollout, true);
    assert.equal(first.smoke?.status, 200);
    assert.match(first.smoke!.body, /setosa/);
    const dep = (await kube.deployment(NAMESPACE, 'iris-api'))!;
    assert.equal(dep.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mlops-workbench');
    assert.equal(dep.spec?.template?.metadata?.annotations?.['mlops.workbench/model-version'], '0.1.0');
    assert.equal(dep.spec?.template?.metadata?.annotations?.['mlops.workbench/image-id'], first.imageId);
    const managers = dep.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`) ?? [];
    assert.ok(managers.includes('mlops-workbench/Apply'), managers.join(', '));
    // The app started without an error line (the root filesystem is read-only: nothing may write under $HOME).
    const [pod] = await kube.pods(NAMESPACE, dep);
    const logs = await kube.logs(NAMESPACE, pod!.metadata!.name!, { tail: 200 });
    assert.doesNotMatch(logs, /\[ERROR\]|"level": "error"/, logs);
    // The forward answers again afterwards (it is managed, not one-shot).
    const again = await fetch(`${first.forward!.url}/ready`);
    assert.equal(again.status, 200);
  });

  it('a rerun with an unchanged image copies nothing into the cluster and makes no new rollout', async () => {
    const lines: string[] = [];
    const r = await containerizeAndDeploy(project, deps({ log: (l) => lines.push(l) }));
    assert.ok(lines.some((l) => /containerd already has docker\.io\/library\/iris-api:0\.1\.0-[0-9a-f]{12}: nothing to import/.test(l)), lines.join('\n'));
    assert.equal(r.image, first.image);
    assert.equal(r.revision, first.revision);
    assert.equal(r.newRollout, false);
  });

  it('imports into containerd without the docker CLI, and when the CLI’s save fails', async () => {
    const ctr = (...args: string[]): string => execFileSync('ctr', ['--address', env.CONTAINERD_ADDRESS!, '-n', 'k8s.io', ...args], { encoding: 'utf8' });
    const plan = { route: 'containerd' as const, imageRef: '', pullPolicy: 'IfNotPresent' as const, description: 'containerd', containerdAddress: env.CONTAINERD_ADDRESS!, needsConsent: false };
    // A PATH with ctr and, in the second case, a docker that cannot save.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'mlops-path-'));
    symlinkSync(execFileSync('bash', ['-c', 'command -v ctr'], { encoding: 'utf8' }).trim(), path.join(bin, 'ctr'));
    const savedPath = process.env.PATH;
    const [repo] = first.image.split(':');
    try {
      for (const [i, broken] of [false, true].entries()) {
        if (broken) writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho "cannot reach the engine" >&2\nexit 1\n', { mode: 0o755 });
        const image = `${repo}:probe-${runId}-${i}`;
        await docker.docker.getImage(first.image).tag({ repo, tag: `probe-${runId}-${i}` });
        const lines: string[] = [];
        process.env.PATH = bin;
        try {
          await deliver({ ...plan, imageRef: image }, image, { docker, log: (l) => lines.push(l) });
        } finally {
          process.env.PATH = savedPath;
        }
        if (broken) assert.ok(lines.some((l) => /docker save .* failed \(cannot reach the engine\); streaming it from the engine instead/.test(l)), lines.join('\n'));
        else assert.ok(!lines.some((l) => l.startsWith('docker save')), lines.join('\n'));
        assert.ok(lines.some((l) => /streamed from the engine into ctr/.test(l)), lines.join('\n'));
        assert.match(ctr('images', 'ls', '-q', `name==docker.io/library/${image}`), new RegExp(`${image.replace(/[.:]/g, '\\$&')}`));
        ctr('images', 'rm', `docker.io/library/${image}`);
        await docker.removeImage(image);
      }
    } finally {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('cancelling the import stops docker save and ctr, and containerd gets no image', async () => {
    const [repo] = first.image.split(':');
    const tag = `cancel-${runId}`;
    const image = `${repo}:${tag}`;
    await docker.docker.getImage(first.image).tag({ repo, tag });
    const plan = { route: 'containerd' as const, imageRef: image, pullPolicy: 'IfNotPresent' as const, description: 'containerd', containerdAddress: env.CONTAINERD_ADDRESS!, needsConsent: false };
    const { token, cancel } = cancellable();
    const lines: string[] = [];
    try {
      const delivering = deliver(plan, image, { docker, token, log: (l) => lines.push(l) });
      // Cancelled once the save is under way.
      for (let i = 0; i < 100 && !lines.some((l) => l.startsWith('docker save')); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      cancel();
      await assert.rejects(delivering, CancelledError);
      const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((a) => a.includes(tag));
      assert.deepEqual(left, [], 'no docker save or ctr import left running');
      const listed = execFileSync('ctr', ['--address', env.CONTAINERD_ADDRESS!, '-n', 'k8s.io', 'images', 'ls', '-q', `name==docker.io/library/${image}`], { encoding: 'utf8' });
      assert.equal(listed.trim(), '');
    } finally {
      await docker.removeImage(image);
    }
  });

  it('delivers through the local registry too, and a new model version rolls out', async () => {
    const marker = path.join(project, '.mlops', 'project.json');
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { version: string };
    writeFileSync(marker, JSON.stringify({ ...m, version: '0.2.0' }, null, 2));
    const r = await containerizeAndDeploy(project, deps({ settings: { ...settings, imageDelivery: 'registry' } }));
    assert.equal(r.delivery.route, 'registry');
    assert.equal(r.delivery.needsConsent, false);
    assert.ok(r.image.startsWith(`${env.REGISTRY}/iris-api:0.2.0-`), r.image);
    assert.equal(r.revision, 2);
    assert.equal(r.smoke?.status, 200);
    assert.deepEqual(await servedVersion(), ['0.2.0']);
  });

  it('rolls back to the previous model, named by its revision', async () => {
    const history = await kube.history(NAMESPACE, 'iris-api');
    assert.deepEqual(
      history.map((h) => [h.revision, h.modelVersion, h.current]),
      [
        [2, '0.2.0', true],
        [1, '0.1.0', false],
      ],
    );
    await kube.rollback(NAMESPACE, 'iris-api', 1);
    const revision = await kube.waitForRollout(NAMESPACE, 'iris-api', { timeoutMs: 120_000 });
    assert.equal(revision, 3, 'a rollback is a new revision, as in kubectl');
    const start = Date.now();
    while ((await servedVersion()).join() !== '0.1.0' && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await servedVersion(), ['0.1.0']);
  });

  it('explains an image the cluster cannot see, and leaves the serving revision in place', async () => {
    const before = (await kube.deployment(NAMESPACE, 'iris-api'))!.metadata!.annotations!['deployment.kubernetes.io/revision'];
    writeFileSync(path.join(project, 'NOTICE.txt'), `changed ${runId}\n`); // a new image the node has never seen
    await assert.rejects(
      containerizeAndDeploy(project, deps({ settings: { ...settings, imageDelivery: 'shared-daemon', rolloutTimeoutSeconds: 90 } })),
      (e: unknown) =>
        e instanceof RolloutError &&
        e.reason === 'image' &&
        /The cluster cannot see the image iris-api:0\.2\.0-[0-9a-f]{12}, delivered by: The cluster shares this Docker engine/.test(e.message) &&
        new RegExp(`The cluster is as it was: revision ${before} of iris-api keeps serving in ${NAMESPACE}\\.$`).test(e.message),
    );
    const after = (await kube.deployment(NAMESPACE, 'iris-api'))!;
    const revision = after.metadata!.annotations!['deployment.kubernetes.io/revision'];
    assert.notEqual(revision, before, 'the failed template was rolled back as a new revision');
    const start = Date.now();
    while ((await servedVersion()).join() !== '0.1.0' && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await servedVersion(), ['0.1.0'], 'the previous model still serves');
  });

  it('a scaffolded API whose model cannot be loaded fails once its probe has had its chance, with the pod’s own /ready answer; the model before keeps serving', async () => {
    const model = path.join(project, 'model', 'model.joblib');
    const good = readFileSync(model);
    writeFileSync(model, 'not a pickle: a file damaged in a copy');
    try {
      await assert.rejects(
        containerizeAndDeploy(project, deps({ settings: { ...settings, rolloutTimeoutSeconds: 300 } })),
        (e: unknown) =>
          e instanceof RolloutError &&
          /runs but has not become ready in \d+ s: (Startup|Readiness) probe failed: HTTP probe failed with statuscode: 503/.test(e.message) &&
          /Its answer on \/ready: 503 \{"status":"loading".*"detail":"the model could not be loaded \(\w+\); see the server log"\}/.test(e.message) &&
          /keeps serving/.test(e.message),
      );
    } finally {
      writeFileSync(model, good);
    }
    const start = Date.now();
    while ((await servedVersion()).join() !== '0.1.0' && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await servedVersion(), ['0.1.0'], 'the previous model still serves');
  });

  it('explains an app that crashes with its last log lines, and removes what that first deploy created', async () => {
    const crashy = path.join(work, 'crashy-api');
    mkdirSync(crashy);
    writeFileSync(path.join(crashy, 'Dockerfile'), `FROM ${baseImage}\nEXPOSE 8000\nCMD ["python3", "-c", "import sys; print('cannot load model/model.joblib: no such file', flush=True); sys.exit(3)"]\n`);
    await assert.rejects(
      containerizeAndDeploy(crashy, deps({ settings: { ...settings, rolloutTimeoutSeconds: 120 } })),
      (e: unknown) => e instanceof RolloutError && e.reason === 'crash' && /keeps crashing \(exit code 3/.test(e.message) && /cannot load model\/model\.joblib/.test(e.message) && e.message.endsWith(`What this deploy created in ${NAMESPACE} was removed.`),
    );
    assert.equal(await kube.deployment(NAMESPACE, 'crashy-api'), undefined, 'the Deployment it created is gone');
  });

  it('a plain FastAPI app of the shape users have (/health only, its own Dockerfile, no manifests, folder my_project_2024) deploys healthy, probed on /health', async () => {
    const app = path.join(work, 'my_project_2024');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'main.py'),
      'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {"status": "ok"}\n\n\n@app.post("/predict")\ndef predict(body: dict):\n    return {"prediction": len(body)}\n',
    );
    writeFileSync(
      path.join(app, 'Dockerfile'),
      `FROM ${baseImage}\nRUN pip install --no-cache-dir --only-binary=:all: fastapi==${PINNED_VERSIONS.fastapi} uvicorn==${PINNED_VERSIONS.uvicorn}\nWORKDIR /srv\nCOPY main.py .\nEXPOSE 8000\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]\n`,
    );
    const lines: string[] = [];
    const r = await containerizeAndDeploy(app, deps({ log: (l) => lines.push(l), settings: { ...settings, rolloutTimeoutSeconds: 180 } }));
    assert.equal(r.name, 'my-project-2024', 'a Kubernetes name from the folder name');
    assert.ok(lines.some((l) => /readiness probe: GET \/health: a route of the app \(main\.py\)/.test(l)), lines.join('\n'));
    const dep = (await kube.deployment(NAMESPACE, 'my-project-2024'))!;
    assert.equal(summarizeDeployment(dep).state, 'available');
    assert.equal((await fetch(`${r.forward!.url}/health`)).status, 200);
  });

  it('a user\'s FastAPI app with its own lowercase dockerfile and root manifests (Docker Hub image, no probe, no sample payload) deploys healthy, smoke-tested from its OpenAPI schema', async () => {
    const app = writeShopApi(work, baseImage);
    const lines: string[] = [];
    const r = await containerizeAndDeploy(app, deps({ log: (l) => lines.push(l), settings: { ...settings, rolloutTimeoutSeconds: 180 } }));
    const said = lines.join('\n');
    assert.equal(r.name, SHOP.deployment, 'the name its own manifests give');
    assert.match(said, /manifests: the project's own, from deployment\.yaml$/m);
    assert.match(said, new RegExp(`image: deployment\\.yaml names ${SHOP.hubImage.replace(/[.]/g, '\\.')}; the image just built from the Dockerfile, \\S*shop_api_2024:\\S+, runs instead`));
    assert.match(said, /readiness: deployment\.yaml has no readiness probe; the smoke test waits for GET \/health: a route of the app \(main\.py\)/);
    assert.match(said, /smoke test: POST \/predict with a body built from its schema in \/openapi\.json/);
    assert.equal(r.smoke?.status, 200);
    assert.match(r.smoke!.body, /"price"/);
    const dep = (await kube.deployment(NAMESPACE, SHOP.deployment))!;
    assert.equal(summarizeDeployment(dep).state, 'available');
    assert.match(dep.spec!.template.spec!.containers[0]!.image!, /shop_api_2024:/);
    // Its files are as they were: the deploy applies a copy.
    assert.match(readFileSync(path.join(app, 'deployment.yaml'), 'utf8'), new RegExp(`image: ${SHOP.hubImage}`));
  });

  it('the same app whose manifest probes a route it does not serve fails within a minute, with the kubelet\'s words, and the revision before keeps serving', async () => {
    // The same project, its manifest given a probe on a route the app does not serve.
    const app = path.join(work, SHOP.folder);
    const file = path.join(app, 'deployment.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('          ports:\n', '          readinessProbe: { httpGet: { path: /healthz, port: 8000 }, periodSeconds: 2 }\n          ports:\n'));
    const before = (await kube.deployment(NAMESPACE, SHOP.deployment))!;
    const started = Date.now();
    await assert.rejects(
      containerizeAndDeploy(app, deps({ settings: { ...settings, rolloutTimeoutSeconds: 300 } })),
      (e: Error) =>
        e instanceof RolloutError &&
        /runs but has not become ready in \d+ s: Readiness probe failed: HTTP probe failed with statuscode: 404/.test(e.message) &&
        // What the app answers there, read through the API server's pod proxy.
        /Its answer on \/healthz: 404 \{"detail":"Not Found"\}/.test(e.message) &&
        /revision 1 of shop-api keeps serving/.test(e.message),
    );
    assert.ok(Date.now() - started < 150_000, `failed after ${Math.round((Date.now() - started) / 1000)} s, not at the 300 s timeout`);
    const after = (await kube.deployment(NAMESPACE, SHOP.deployment))!;
    assert.deepEqual(after.spec?.template?.spec?.containers[0]?.readinessProbe, before.spec?.template?.spec?.containers[0]?.readinessProbe, 'the template that served before');
    writeFileSync(file, good);
  });

  it('a probe-less app that crashes (its model file was never trained) is reported with the pod\'s restarts and last lines, during or right after the rollout', async () => {
    const app = writeShopApi(mkdtempSync(path.join(work, 'untrained-')), baseImage);
    // As a repository whose README says to train the model first: the app opens it at import.
    writeFileSync(path.join(app, 'main.py'), `with open("model/iris_model.pkl", "rb") as f:\n    pass\n${readFileSync(path.join(app, 'main.py'), 'utf8')}`);
    for (const f of ['deployment.yaml']) writeFileSync(path.join(app, f), readFileSync(path.join(app, f), 'utf8').replaceAll('shop-api', 'shop-untrained'));
    await assert.rejects(
      containerizeAndDeploy(app, deps({ settings: { ...settings, rolloutTimeoutSeconds: 120 } })),
      // Seen during the rollout (a crash loop) or right after it (the smoke test's wait): either way with the cause.
      (e: Error) =>
        (e instanceof DeployUnverifiedError && /Pod shop-untrained-\S+ restarted \d+ times \(last exit code 1\); its last lines: .*FileNotFoundError: .*model\/iris_model\.pkl/.test(e.message)) ||
        (e instanceof RolloutError && /keeps crashing \(exit code 1[\s\S]*FileNotFoundError: .*model\/iris_model\.pkl/.test(e.message)),
    );
  });

  it('another folder deriving the same names is refused before it takes over the deployment', async () => {
    const other = writeShopApi(mkdtempSync(path.join(work, 'other-')), baseImage);
    await assert.rejects(containerizeAndDeploy(other, deps()), (e: Error) => /Deployment "shop-api" in namespace "mlops-deploy-\w+" was deployed from another project \(.*shop_api_2024\), not this one/.test(e.message) && /Nothing in the cluster was changed/.test(e.message));
  });

  it('the same app with a port its manifests do not serve is refused before anything is built, naming the file', async () => {
    const parent = mkdtempSync(path.join(work, 'mismatch-'));
    const app = writeShopApi(parent, baseImage, 8080);
    await assert.rejects(
      containerizeAndDeploy(app, deps()),
      (e: Error) => /The ports of shop_api_2024 disagree: deployment\.yaml's containerPort is 8000, but the Dockerfile's command listens on 8080; deployment\.yaml's targetPort is 8000/.test(e.message) && /Nothing in the cluster was changed/.test(e.message),
    );
  });

  it('an app whose base image serves (no EXPOSE, no command in its Dockerfile, as FROM tiangolo/uvicorn-gunicorn-fastapi) deploys on the port the image EXPOSEs', async () => {
    // A base image of that shape, made here: it EXPOSEs 8080 and its command serves there.
    const base = `mlops-it/serving-base:${runId}`;
    execFileSync('docker', ['build', '-q', '-t', base, '-'], { input: `FROM ${baseImage}\nEXPOSE 8080\nWORKDIR /srv\nCMD ["python3", "-m", "http.server", "8080"]\n`, env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'ignore', 'inherit'] });
    const app = path.join(work, 'served-by-base');
    mkdirSync(app);
    writeFileSync(path.join(app, 'index.html'), 'ok\n');
    writeFileSync(path.join(app, 'Dockerfile'), `FROM ${base}\nCOPY index.html /srv/\n`);
    const lines: string[] = [];
    const r = await containerizeAndDeploy(app, deps({ log: (l) => lines.push(l), settings: { ...settings, rolloutTimeoutSeconds: 120 } }));
    assert.ok(lines.some((l) => /^port: 8080, EXPOSEd by the image/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /readiness probe: a TCP connection/.test(l)), lines.join('\n'));
    assert.equal(summarizeDeployment((await kube.deployment(NAMESPACE, r.name))!).state, 'available');
    assert.equal((await fetch(`${r.forward!.url}/index.html`)).status, 200);
  });

  it('a smoke test that fails after a good rollout is not a failed deploy: it says the new revision serves', async () => {
    const payloadFile = path.join(project, 'sample-payload.json');
    const good = readFileSync(payloadFile, 'utf8');
    writeFileSync(payloadFile, JSON.stringify({ not_a_feature: 1 }));
    try {
      await assert.rejects(
        containerizeAndDeploy(project, deps()),
        (e: unknown) => e instanceof DeployUnverifiedError && /POST \/predict answered 422/.test(e.message) && /iris-api revision \d+ is rolled out and serving in/.test(e.message) && e.workload.name === 'iris-api',
      );
      const dep = (await kube.deployment(NAMESPACE, 'iris-api'))!;
      assert.equal(summarizeDeployment(dep).state, 'available', 'it serves');
    } finally {
      writeFileSync(payloadFile, good);
    }
  });

  it('leaves alone a Deployment of the same name it did not make', async () => {
    const other = path.join(work, 'theirs');
    cpSync(path.join(work, 'crashy-api'), other, { recursive: true });
    const apps = kube.kc.makeApiClient(kube.lib.AppsV1Api);
    const labels = { app: 'theirs' };
    await apps.createNamespacedDeployment({ namespace: NAMESPACE, body: { metadata: { name: 'theirs' }, spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'theirs:1' }] } } } } });
    await assert.rejects(containerizeAndDeploy(other, deps()), (e: unknown) => e instanceof UserFacingError && /A Deployment named "theirs" already exists in namespace "mlops-deploy-[a-z0-9]+" and was not made by MLOps Workbench/.test(e.message) && e.message.endsWith('Nothing in the cluster was changed.'));
    const still = (await kube.deployment(NAMESPACE, 'theirs'))!;
    assert.equal(still.spec?.template?.spec?.containers?.[0]?.image, 'theirs:1');
  });

  it('cancelling during the rollout restores the revision that served before', async () => {
    const before = await kube.history(NAMESPACE, 'iris-api');
    const servedBefore = await servedVersion();
    // A change inside the build context (app/ is sent; NOTICE.txt is not), so the image and its template are new.
    writeFileSync(path.join(project, 'app', '__init__.py'), `${readFileSync(path.join(project, 'app', '__init__.py'), 'utf8')}# rebuilt ${runId}\n`);
    const { token, cancel } = cancellable();
    const run = containerizeAndDeploy(project, deps({ token, onStep: (s) => s === 'rollout' && setTimeout(cancel, 200) }));
    await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
    // Right away, the Deployment asks for the template that served before…
    const dep = (await kube.deployment(NAMESPACE, 'iris-api'))!;
    assert.equal(dep.spec?.template?.spec?.containers?.[0]?.image, before.find((h) => h.current)!.image, 'the template serving before is asked for again');
    // …and once the controller has caught up, that revision is the current one.
    await kube.waitForRollout(NAMESPACE, 'iris-api', { timeoutMs: 120_000 });
    const after = await kube.history(NAMESPACE, 'iris-api');
    assert.equal(after.find((h) => h.current)!.image, before.find((h) => h.current)!.image);
    const start = Date.now();
    while ((await servedVersion()).join() !== servedBefore.join() && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await servedVersion(), servedBefore);
  });

  it('keeps one forward per deployment across revisions, and a taken local port names the next free one', async () => {
    // Each deploy that brought up a new pod of iris-api replaced the forward to the pod before.
    assert.equal(forwards.list().filter((f) => f.owner === 'iris-api').length, 1);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const [pod] = await kube.readyPods(NAMESPACE, (await kube.deployment(NAMESPACE, 'iris-api'))!);
      await assert.rejects(forwards.start(kube, NAMESPACE, pod!.metadata!.name!, 8000, taken, 'iris-api'), (e: unknown) => e instanceof PortInUseError && (e.nextFree ?? 0) > taken);
    } finally {
      blocker.close();
    }
  });

  it('stops its port-forwards on dispose', async () => {
    assert.ok(forwards.list().length >= 1);
    const url = forwards.list()[0]!.url;
    await forwards.dispose();
    assert.deepEqual(forwards.list(), []);
    await assert.rejects(fetch(`${url}/ready`));
  });
});
