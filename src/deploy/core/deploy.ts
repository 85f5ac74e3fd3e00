// One-click containerize and deploy, the steps: build → deliver → apply → rollout →
// port-forward → smoke test. Cancellable at each step; a failed or cancelled rollout
// leaves the cluster as it was (the previous revision restored, or what this deploy
// created removed). A rerun with an unchanged image makes no new rollout, because the
// image's tag is derived from its id. No editor API.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { samplePayloadOf } from '../../scaffold/core/payload';
import os from 'node:os';
import path from 'node:path';
import type { CancellationTokenLike } from '../../common/cancellation';
import { CancelledError, isCancellation, throwIfCancelled } from '../../common/cancellation';
import { ErrorCode, UserFacingError, errorMessage } from '../../common/errors';
import type { BuildEvent, DockerClient } from '../../docker/core/client';
import { sanitizeTag, splitTag } from '../../docker/core/model';
import type { ImagePlan } from '../../docker/core/project';
import { dockerfileIn, planImage } from '../../docker/core/project';
import type { GitState } from '../../git/core/client';
import { gitState } from '../../git/core/client';
import type { SmokeResult } from '../../scaffold/core/smoke';
import { smokeTest, waitUntilReady } from '../../scaffold/core/smoke';
import { payloadFromOpenApi } from '../../scaffold/core/openapi';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KubeClient, RolloutProgress } from '../../kube/core/client';
import { revisionOf } from '../../kube/core/rollout';
import type { Detection } from '../../kube/core/detect';
import { detectCluster } from '../../kube/core/detect';
import type { DeliveryPlan, DeliverySetting } from './delivery';
import { deliver, planDelivery } from './delivery';
import type { KubeObject } from './manifests';
import { chooseProbe, readinessPathOf } from './probe';
import { checkPorts } from './ports';
import { MANIFEST_FOLDERS, containerPort, findProjectManifests, generatedManifests, imageOf, prepareManifests, sourceOf, templateManifests } from './manifests';
import type { Forward, PortForwards } from '../../kube/core/portforward';
import { t } from '../../common/l10n';
import { servedFrom } from '../../registry/core/model';

export type DeployStep = 'build' | 'deliver' | 'apply' | 'rollout' | 'port-forward' | 'smoke';

export interface DeploySettings {
  readonly namespace?: string;
  readonly imageDelivery: DeliverySetting;
  readonly registry: string;
  readonly containerdAddress: string;
  readonly rolloutTimeoutSeconds: number;
  /** BASE_IMAGE for the build (mlops.docker.baseImage). */
  readonly baseImage?: string;
}

export interface DeployDeps {
  readonly docker: DockerClient;
  readonly kube: KubeClient;
  readonly forwards: PortForwards;
  readonly settings: DeploySettings;
  readonly token?: CancellationTokenLike;
  /** Each step as it starts, with a line for the progress notification. */
  readonly onStep?: (step: DeployStep, message: string) => void;
  readonly onBuild?: (e: BuildEvent) => void;
  readonly onRollout?: (p: RolloutProgress) => void;
  readonly log?: (line: string) => void;
  /** The namespace is missing: create it? */
  readonly createNamespace?: (ns: string) => Promise<boolean>;
  /** Pushing to a registry that is not on this machine: allowed? */
  readonly consent?: (registry: string) => Promise<boolean>;
  readonly credentials?: (registry: string) => Promise<{ username: string; password: string } | undefined>;
  /** Before anything is asked of the cluster: may this build go on (a huge context is the user's call)? False: nothing is done. */
  readonly beforeBuild?: (plan: ImagePlan, dockerfile: string) => Promise<boolean>;
  /** media/templates/model-api: the scaffold's manifests, for a scaffolded project without its k8s folder. */
  readonly templatesDir?: string;
}

export interface DeployResult {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly imageId: string;
  readonly detection: Detection;
  readonly delivery: DeliveryPlan;
  readonly revision: number;
  /** False when the image and manifests were unchanged: the serving revision stayed. */
  readonly newRollout: boolean;
  readonly forward?: Forward;
  readonly smoke?: SmokeResult;
}

/** Addresses of this machine, to tell whether a node runs here. */
function localAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** The tag of a deploy: the project's version and the image's own id, so equal images get equal tags. */
export function deployTag(imageName: string, version: string, imageId: string): string {
  return `${imageName}:${sanitizeTag(`${version}-${imageId.replace(/^sha256:/, '').slice(0, 12)}`)}`;
}

/** The new revision serves, but the smoke test (or the port-forward to it) failed: not a failed deploy. */
export class DeployUnverifiedError extends UserFacingError {
  constructor(
    message: string,
    detail: string | undefined,
    readonly workload: { readonly name: string; readonly namespace: string; readonly revision: number },
  ) {
    super(message, detail, { code: ErrorCode.deployUnverified });
  }
}

/** How far a deploy got, so its failure can say what the cluster was left running. */
type Reached =
  | { readonly stage: 'nothing'; readonly namespaceCreated?: string }
  | { readonly stage: 'restored'; readonly name: string; readonly namespace: string; readonly beforeRevision: number | undefined; readonly ok: boolean }
  | { readonly stage: 'serving'; readonly name: string; readonly namespace: string; readonly revision: number };

/**
 * Builds the project's image, delivers it to the cluster, applies its objects and waits for
 * the rollout, then smoke-tests it through a port-forward. Every failure says what the
 * cluster was left running: nothing changed, the previous state restored, or the new
 * revision serving although the smoke test failed (then a DeployUnverifiedError: not a
 * failed deploy).
 */
export async function containerizeAndDeploy(dir: string, deps: DeployDeps): Promise<DeployResult> {
  const reached: { value: Reached } = { value: { stage: 'nothing' } };
  try {
    return await deploy(dir, deps, reached);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const r = reached.value;
    const left =
      r.stage === 'nothing'
        ? r.namespaceCreated
          ? t('Nothing was deployed; the namespace {0}, created as you agreed, stays.', r.namespaceCreated)
          : t('Nothing in the cluster was changed.')
        : r.stage === 'restored'
          ? !r.ok
            ? t('Putting {0} back as it was failed too: see the Deploy output for what the cluster runs now.', r.name)
            : r.beforeRevision !== undefined
              ? t('The cluster is as it was: revision {0} of {1} keeps serving in {2}.', r.beforeRevision, r.name, r.namespace)
              : t('What this deploy created in {0} was removed.', r.namespace)
          : t('{0} revision {1} is rolled out and serving in {2}; the previous revision stays in its history (Roll Back from the Kubernetes view).', r.name, r.revision, r.namespace);
    const message = `${errorMessage(err)} ${left}`;
    if (r.stage === 'serving') throw new DeployUnverifiedError(message, err instanceof UserFacingError ? err.detail : undefined, { name: r.name, namespace: r.namespace, revision: r.revision });
    // The error keeps its class (a RolloutError stays one) and its code and actions; its message gains the sentence.
    if (err instanceof UserFacingError) {
      err.message = message;
      throw err;
    }
    throw new UserFacingError(message, err instanceof Error ? err.stack : undefined);
  }
}

async function deploy(dir: string, deps: DeployDeps, reached: { value: Reached }): Promise<DeployResult> {
  const { docker, kube, settings, token } = deps;
  const step = (s: DeployStep, m: string) => {
    deps.log?.(`[${s}] ${m}`);
    deps.onStep?.(s, m);
  };
  const dockerfile = await dockerfileIn(dir);
  if (!dockerfile) throw new UserFacingError(t('{0} has no Dockerfile. Scaffold one first (New Model API), or open the folder that has it.', path.basename(dir)));

  const dockerfileText = await readFile(dockerfile, 'utf8');
  const git: GitState | undefined = await gitState(dir).catch(() => undefined);
  const plan = await planImage({ dockerfile, dockerfileText, ...(settings.baseImage ? { baseImage: settings.baseImage } : {}), ...(git ? { git } : {}) });

  // The project's own manifests are read (and any object the deploy would not apply refused) before anything is built.
  // A Dockerfile in a subfolder built from the folder above (COPY app/requirements.txt): the project is that folder.
  const contextDir = plan.contextDir;
  if (contextDir !== dir) deps.log?.(`build context: ${contextDir} (what ${plan.dockerfile} copies is there)`);
  let found = await findProjectManifests(dir);
  if (!found.objects.length && contextDir !== dir) found = await findProjectManifests(contextDir);
  const own = found.objects;
  for (const n of found.notes) deps.log?.(`manifests: ${n}`);
  deps.log?.(
    own.length
      ? `manifests: the project's own, from ${found.files.join(', ')}`
      : `manifests: the project has none of its own (looked in ${MANIFEST_FOLDERS.map((f) => `${f}/`).join(', ')} and its folder); generated ones are used`,
  );
  // So are ports that disagree: which file says what.
  const ports = checkPorts(dockerfileText, own);
  for (const w of ports.warnings) deps.log?.(`ports: ${w}`);
  if (ports.blocking.length) throw new UserFacingError(t('The ports of {0} disagree: {1}. Make them the same, then deploy.', path.basename(dir), ports.blocking.join('; ')));

  if (deps.beforeBuild && !(await deps.beforeBuild(plan, dockerfile))) throw new CancelledError();
  const namespace = settings.namespace || kube.namespace;
  // Before the build: the namespace (created only if the user agrees) and the names the
  // deploy will apply (refused when someone else's, or another project's, hold them).
  const scaffolded = existsSync(path.join(dir, '.mlops', 'project.json'));
  // What a plain app serves (probe.ts): the generated Deployment's probe, or the smoke test's wait when its own Deployment has none.
  const probe = scaffolded && !own.length ? undefined : await chooseProbe(dir, dockerfileText);
  // The project's own manifests; else the scaffold's (a scaffolded project without its k8s folder); else generated ones.
  const baseFor = async (p: number): Promise<KubeObject[]> =>
    own.length ? own : scaffolded && deps.templatesDir ? templateManifests(deps.templatesDir, plan.imageName, p) : generatedManifests(plan.imageName, p, probe);
  const names = await baseFor(plan.port);
  if (await kube.ensureNamespace(namespace, deps.createNamespace ?? (async () => false))) reached.value = { stage: 'nothing', namespaceCreated: namespace };
  await kube.checkOwnership(prepareManifests(names, { namespace, image: 'unbuilt', pullPolicy: 'IfNotPresent', modelVersion: '', imageId: '', project: dir }));
  throwIfCancelled(token);

  // 1. Build.
  step('build', t('Building {0}', plan.tags[0]));
  // Without the build time label, an unchanged project builds the very same image (the
  // cache answers every step), so its tag and the Deployment's template stay the same.
  const labels = Object.fromEntries(Object.entries(plan.labels).filter(([k]) => k !== 'org.opencontainers.image.created'));
  const imageId = await docker.build(plan.contextDir, { dockerfile: plan.dockerfile, tags: plan.tags, buildArgs: plan.buildArgs, labels }, deps.onBuild, token);
  // Nothing in the Dockerfile names a port (its base image's command serves, as
  // tiangolo/uvicorn-gunicorn-fastapi's does on 80): the built image's own EXPOSE says which.
  let port = plan.port;
  if (plan.portFrom === 'assumed') {
    const exposed = Object.keys((await docker.inspectImage(imageId))?.Config?.ExposedPorts ?? {})
      .map((k) => /^(\d+)(?:\/tcp)?$/.exec(k)?.[1])
      .filter((p): p is string => p !== undefined);
    if (exposed.length) {
      port = Number(exposed[0]);
      deps.log?.(`port: ${port}, EXPOSEd by the image (its base image); the Dockerfile names none`);
    } else deps.log?.(`port: ${port} assumed: neither the Dockerfile nor the image names one (add EXPOSE to say)`);
  }
  const version = plan.labels['org.opencontainers.image.version'] ?? 'latest';
  const image = deployTag(plan.imageName, version, imageId);
  const [repo, tag] = splitTag(image);
  await docker.docker.getImage(imageId).tag({ repo, tag });
  throwIfCancelled(token);

  // 2. Deliver, the way this kind of cluster needs.
  const facts = await kube.facts();
  const detection = detectCluster(facts);
  const local = localAddresses();
  const containerdOnThisHost = existsSync(settings.containerdAddress) && facts.nodes.some((n) => (n.internalIPs ?? []).some((ip) => local.has(ip)));
  const delivery = planDelivery(image, detection, { setting: settings.imageDelivery, registry: settings.registry, containerdAddress: settings.containerdAddress, containerdOnThisHost, env: process.env });
  step('deliver', delivery.description);
  await deliver(delivery, image, { docker, ...(deps.consent ? { consent: deps.consent } : {}), ...(deps.credentials ? { credentials: deps.credentials } : {}), ...(token ? { token } : {}), ...(deps.log ? { log: deps.log } : {}) });
  throwIfCancelled(token);

  // 3. Apply, only over what the extension made.
  // planImage read the run id from the project's marker into the image's labels.
  const runId = plan.labels['mlops.workbench/mlflow-run-id'];
  const served = servedFrom(plan.labels);
  // The port may have come from the built image: the objects are made for it.
  const base = await baseFor(port);
  if (!own.length && probe) deps.log?.(`readiness probe: ${probe.reason}`);
  const objects = prepareManifests(base, {
    namespace,
    image: delivery.imageRef,
    pullPolicy: delivery.pullPolicy,
    modelVersion: version,
    imageId,
    ...(git ? { gitCommit: `${git.sha}${git.dirty ? '-dirty' : ''}` } : {}),
    ...(runId ? { mlflowRunId: runId } : {}),
    ...(served ? { served } : {}),
    project: dir,
  });
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const name = deployment.metadata.name;
  // The project's manifests name an image (often on Docker Hub): the local build replaces it.
  const ownDeployment = own.find((o) => o.kind === 'Deployment');
  const named = ownDeployment ? imageOf(ownDeployment) : undefined;
  if (named && named !== delivery.imageRef) deps.log?.(`image: ${sourceOf(ownDeployment)} names ${named}; the image just built from the Dockerfile, ${delivery.imageRef}, runs instead`);
  step('apply', t('Applying {0} to {1}/{2}', objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', '), kube.context, namespace));
  const created = await kube.checkOwnership(objects);
  const before = await kube.deployment(namespace, name);
  const beforeRevision = revisionOf(before);
  throwIfCancelled(token);

  // 4. Apply and roll out; on failure or cancel (a half-done apply too), the cluster as it was.
  let revision: number;
  try {
    await kube.apply(objects);
    step('rollout', t('Waiting for {0} to become available', name));
    revision = await kube.waitForRollout(namespace, name, { timeoutMs: settings.rolloutTimeoutSeconds * 1000, ...(token ? { token } : {}), ...(deps.onRollout ? { onProgress: deps.onRollout } : {}), imageHint: delivery.description });
  } catch (err) {
    const ok = await restore(kube, namespace, name, before?.spec?.template, created, deps.log).then(
      () => true,
      (e: unknown) => {
        deps.log?.(`could not restore the previous state: ${String(e)}`);
        return false;
      },
    );
    reached.value = { stage: 'restored', name, namespace, beforeRevision: before ? beforeRevision : undefined, ok };
    throw err;
  }
  reached.value = { stage: 'serving', name, namespace, revision };
  // The served history (the deployment panel's timeline): what serves from now on.
  await kube
    .recordServed(namespace, name, { at: new Date().toISOString(), revision, image: delivery.imageRef, modelVersion: version, ...(served ? { served } : {}) })
    .catch((err: unknown) => deps.log?.(`served history not recorded: ${String(err)}`));

  // 5. Port-forward to a Ready pod of the new revision, then the smoke test.
  const [pod] = await kube.readyPods(namespace, (await kube.deployment(namespace, name))!);
  const result = { name, namespace, image: delivery.imageRef, imageId, detection, delivery, revision, newRollout: revision !== beforeRevision };
  if (!pod) return result;
  step('port-forward', t('Forwarding to {0}', pod.metadata!.name));
  const podName = pod.metadata!.name!;
  // The forwards to the revision this one replaced lead nowhere now.
  await deps.forwards.stopOwned(kube.context, namespace, name, [podName]);
  const forward = await deps.forwards.start(kube, namespace, podName, containerPort(deployment, port), 0, name);
  // Ready as the Deployment's own probe says (a plain app may have no /ready); the project's
  // own Deployment without one: what the app serves (probe.ts), as for a generated one.
  const probePath = readinessPathOf(deployment);
  let readyPath: string | null = typeof probePath === 'string' ? probePath : null;
  if (probePath === null && own.length && probe) {
    deps.log?.(`readiness: ${sourceOf(ownDeployment)} has no readiness probe; the smoke test waits for ${probe.reason}`);
    readyPath = probe.path ?? null;
  }
  const ready = { readyTimeoutMs: 30_000, readyPath, ...(token ? { token } : {}) };
  // The body: the project's sample payload, else one built from the app's OpenAPI document.
  const payload = await samplePayloadOf(dir);
  let target: { path: string; payload: unknown } | undefined = payload !== undefined ? { path: '/predict', payload } : undefined;
  // The app that does not answer: what its pod says (a crash after a probe-less rollout, its last lines).
  const withEvidence = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isCancellation(err)) throw err;
      const evidence = await podEvidence(kube, namespace, podName).catch(() => undefined);
      if (evidence && err instanceof UserFacingError) err.message = `${err.message} ${evidence}`;
      throw err;
    }
  };
  if (!target) {
    await withEvidence(() => waitUntilReady(forward.url, ready));
    const fromSchema = await fetchJson(`${forward.url}/openapi.json`, token).then(payloadFromOpenApi, () => undefined);
    if (!fromSchema) {
      deps.log?.('smoke test: skipped; the project has no sample-payload.json and the app serves no OpenAPI document with a POST route to try');
      return { ...result, forward };
    }
    deps.log?.(`smoke test: ${fromSchema.reason} (no sample-payload.json in the project): ${JSON.stringify(fromSchema.payload).slice(0, 300)}`);
    target = { path: fromSchema.path, payload: fromSchema.payload };
  }
  step('smoke', t('Smoke test: POST {0}{1}', forward.url, target.path));
  const smoke = await withEvidence(() => smokeTest(forward.url, target.payload, { ...ready, path: target.path, expectPredictions: scaffolded }));
  return { ...result, forward, smoke };
}

/** What a pod that stopped answering says: its restarts, last exit code and last log lines; undefined when it runs unrestarted. */
async function podEvidence(kube: KubeClient, namespace: string, pod: string): Promise<string | undefined> {
  const live = await kube.pod(namespace, pod).catch(() => undefined);
  const c = live?.status?.containerStatuses?.[0];
  if (!c || (!c.restartCount && !c.state?.terminated && !c.state?.waiting)) return undefined;
  const exit = c.lastState?.terminated?.exitCode ?? c.state?.terminated?.exitCode;
  const logs = (await kube.logs(namespace, pod, { container: c.name, tail: 8, previous: (c.restartCount ?? 0) > 0 }).catch(() => '')).trim();
  return t('Pod {0} restarted {1} times{2}; its last lines: {3}', pod, c.restartCount ?? 0, exit !== undefined ? t(' (last exit code {0})', exit) : '', logs.split('\n').slice(-4).join(' ').slice(0, 600) || t('(none)'));
}

/** A JSON answer of at most 2 MB, or an error. */
async function fetchJson(url: string, token?: CancellationTokenLike): Promise<unknown> {
  const ctl = new AbortController();
  const sub = token?.onCancellationRequested(() => ctl.abort());
  try {
    const r = await fetch(url, { signal: AbortSignal.any([ctl.signal, AbortSignal.timeout(10_000)]) });
    if (!r.ok) throw new Error(`${url} answered ${r.status}`);
    const text = await r.text();
    if (text.length > 2 * 1024 * 1024) throw new Error(`${url} is larger than 2 MB`);
    return JSON.parse(text) as unknown;
  } finally {
    sub?.dispose();
  }
}

/** Back to before the deploy: the pod template that served, or nothing of what it created. */
async function restore(kube: KubeClient, namespace: string, name: string, template: V1PodTemplateSpec | undefined, created: readonly KubeObject[], log?: (l: string) => void): Promise<void> {
  if (template) {
    log?.(`restoring the pod template of ${name} that served before`);
    await kube.restoreTemplate(namespace, name, template);
  }
  if (created.length) {
    log?.(`removing what this deploy created: ${created.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}`);
    await kube.deleteObjects(created);
  }
}
