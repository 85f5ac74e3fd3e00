// How an image built by the local Docker engine gets into a cluster: chosen per kind of
// cluster, shown to the user, overridable by the `mlops.kubernetes.imageDelivery`
// setting. A registry other than a local one is used only after the user agrees.
// No editor API.
import type { CancellationTokenLike } from '../../common/cancellation';
import { CancelledError, throwIfCancelled } from '../../common/cancellation';
import type { Readable } from 'node:stream';
import { ErrorCode, UserFacingError, errorMessage } from '../../common/errors';
import type { RunningProcess } from '../../common/process';
import { lastLines, run, start, ToolNotFoundError } from '../../common/process';
import { onPath } from '../../common/tools';
import type { DockerClient } from '../../docker/core/client';
import { splitTag } from '../../docker/core/model';
import type { ClusterKind, Detection } from '../../kube/core/detect';
import { CLUSTER_KIND_NAMES } from '../../kube/core/detect';
import { t } from '../../common/l10n';

export type DeliveryRoute = 'shared-daemon' | 'kind' | 'minikube' | 'k3d' | 'containerd' | 'registry';
export type DeliverySetting = 'auto' | DeliveryRoute;
export const DELIVERY_ROUTES: readonly DeliveryRoute[] = ['shared-daemon', 'kind', 'minikube', 'k3d', 'containerd', 'registry'];

export interface DeliveryOptions {
  /** `mlops.kubernetes.imageDelivery`. */
  readonly setting: DeliverySetting;
  /** `mlops.kubernetes.registry`: host[:port][/path] images are pushed under. */
  readonly registry: string;
  /** `mlops.kubernetes.containerdAddress`: a containerd socket on this host. */
  readonly containerdAddress: string;
  /** Whether that socket exists and one of the nodes has an address of this host. */
  readonly containerdOnThisHost: boolean;
  /** The process environment (minikube docker-env sets MINIKUBE_ACTIVE_DOCKERD). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface DeliveryPlan {
  readonly route: DeliveryRoute;
  /** What the manifests name: the local tag, or the registry's copy of it. */
  readonly imageRef: string;
  readonly pullPolicy: 'IfNotPresent' | 'Always';
  /** One line for the user: how the image gets in, and why that way. */
  readonly description: string;
  /** kind/k3d/minikube cluster name. */
  readonly clusterName?: string;
  /** The registry, for the registry route. */
  readonly registry?: string;
  /** The containerd socket, for the containerd route. */
  readonly containerdAddress?: string;
  /** A registry that is not on this machine: pushing needs the user's explicit yes. */
  readonly needsConsent: boolean;
}

/** The route the kind of cluster calls for, before the setting. */
export function autoRoute(d: Detection, o: Pick<DeliveryOptions, 'containerdOnThisHost' | 'env'>): DeliveryRoute {
  const byKind: Record<ClusterKind, () => DeliveryRoute> = {
    'docker-desktop': () => 'shared-daemon',
    kind: () => 'kind',
    k3d: () => 'k3d',
    // minikube's own Docker daemon is shared only when the shell uses it (minikube docker-env).
    minikube: () => (d.runtime === 'docker' && o.env?.MINIKUBE_ACTIVE_DOCKERD ? 'shared-daemon' : 'minikube'),
    'rancher-desktop': () => (d.runtime === 'docker' ? 'shared-daemon' : 'registry'),
    microk8s: () => 'registry',
    generic: () => (o.containerdOnThisHost ? 'containerd' : 'registry'),
  };
  return byKind[d.kind]();
}

/** True for registries on this machine: localhost, 127.0.0.0/8, ::1. */
export function isLocalRegistry(registry: string): boolean {
  const host = registry.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}

export function planDelivery(image: string, d: Detection, o: DeliveryOptions): DeliveryPlan {
  const auto = autoRoute(d, o);
  const route = o.setting === 'auto' ? auto : o.setting;
  const why = o.setting === 'auto' ? `${CLUSTER_KIND_NAMES[d.kind]} (${d.evidence})` : 'the mlops.kubernetes.imageDelivery setting';
  const clusterName = d.clusterName ?? (d.kind === 'minikube' ? 'minikube' : undefined);
  const base = { pullPolicy: 'IfNotPresent' as const, needsConsent: false, ...(clusterName ? { clusterName } : {}) };
  switch (route) {
    case 'shared-daemon':
      return { ...base, route, imageRef: image, description: `The cluster shares this Docker engine: nothing to copy (${why}).` };
    case 'kind':
      return { ...base, route, imageRef: image, description: `Loaded into the kind nodes${clusterName ? ` of "${clusterName}"` : ''} (${why}).` };
    case 'minikube':
      return { ...base, route, imageRef: image, description: `Loaded with minikube image load${clusterName ? ` into profile "${clusterName}"` : ''} (${why}).` };
    case 'k3d':
      return { ...base, route, imageRef: image, description: `Imported with k3d image import${clusterName ? ` into "${clusterName}"` : ''} (${why}).` };
    case 'containerd':
      return { ...base, route, imageRef: image, containerdAddress: o.containerdAddress, description: `Saved from Docker into the containerd at ${o.containerdAddress} (${why}).` };
    case 'registry': {
      const registry = o.registry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
      const [repo, tag] = splitTag(image);
      const local = isLocalRegistry(registry);
      return {
        ...base,
        route,
        registry,
        imageRef: `${registry}/${repo}:${tag}`,
        needsConsent: !local,
        description: `Pushed to ${local ? 'the local registry' : 'the registry'} ${registry} (${why}).`,
      };
    }
  }
}

export interface DeliverDeps {
  readonly docker: DockerClient;
  /** Asked before pushing to a registry that is not on this machine. */
  readonly consent?: (registry: string) => Promise<boolean>;
  /** Registry credentials (SecretStorage first, then the Docker config), or undefined for anonymous. */
  readonly credentials?: (registry: string) => Promise<{ username: string; password: string } | undefined>;
  readonly token?: CancellationTokenLike;
  readonly log?: (line: string) => void;
}

/** Gets `image` (a tag on the local engine) into the cluster the plan was made for. */
export async function deliver(plan: DeliveryPlan, image: string, deps: DeliverDeps): Promise<void> {
  throwIfCancelled(deps.token);
  const log = deps.log ?? (() => undefined);
  log(plan.description);
  switch (plan.route) {
    case 'shared-daemon':
      return;
    case 'kind':
      return deliverKind(plan, image, deps);
    case 'minikube':
      await runTool('minikube', ['image', 'load', image, ...(plan.clusterName ? ['-p', plan.clusterName] : [])], deps, 'minikube');
      return;
    case 'k3d':
      await runTool('k3d', ['image', 'import', image, ...(plan.clusterName ? ['-c', plan.clusterName] : [])], deps, 'k3d');
      return;
    case 'containerd': {
      // A deploy tag names the image's id, so a tag containerd already has is this very image:
      // an unchanged redeploy copies nothing.
      const address = plan.containerdAddress ?? '/run/containerd/containerd.sock';
      const listed = await run('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'ls', '-q', `name==${normalizedRef(image)}`], { timeoutMs: 30_000, token: deps.token }).catch((err: unknown) => {
        if (err instanceof CancelledError) throw err;
        return undefined; // not known: import it
      });
      if (listed?.code === 0 && listed.stdout.trim()) {
        log(`containerd already has ${normalizedRef(image)}: nothing to import`);
        return;
      }
      await saveInto(deps, image, 'ctr', ['--address', address, '-n', 'k8s.io', 'images', 'import', '-'], 'containerd');
      return;
    }
    case 'registry':
      return push(plan, image, deps);
  }
}

async function deliverKind(plan: DeliveryPlan, image: string, deps: DeliverDeps): Promise<void> {
  const name = plan.clusterName ?? 'kind';
  if (onPath('kind')) {
    await runTool('kind', ['load', 'docker-image', image, '--name', name], deps, 'kind');
    return;
  }
  // No kind CLI: what `kind load` does — the image saved and imported into each node
  // container's containerd, through the same Docker engine.
  const nodes = (await deps.docker.docker.listContainers({ filters: { label: [`io.x-k8s.kind.cluster=${name}`] } })).map((c) => c.Id);
  if (nodes.length === 0) throw new UserFacingError(t('No node containers of the kind cluster "{0}" run on this Docker engine, so the image cannot be loaded. Install the kind CLI, or set mlops.kubernetes.imageDelivery.', name));
  for (const id of nodes) {
    throwIfCancelled(deps.token);
    const exec = await deps.docker.docker.getContainer(id).exec({ Cmd: ['ctr', '--namespace=k8s.io', 'images', 'import', '--all-platforms', '-'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const tar = await deps.docker.docker.getImage(image).get();
    await new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      stream.on('error', reject);
      stream.on('end', resolve);
      tar.pipe(stream);
    });
    const info = await exec.inspect();
    if (info.ExitCode !== 0) throw new UserFacingError(t('Importing {0} into kind node {1} failed (exit {2}).', image, id.slice(0, 12), info.ExitCode));
  }
}

async function push(plan: DeliveryPlan, image: string, deps: DeliverDeps): Promise<void> {
  const registry = plan.registry!;
  if (plan.needsConsent) {
    const yes = deps.consent ? await deps.consent(registry) : false;
    if (!yes) throw new UserFacingError(t('{0} was not pushed: {1} is not a registry on this machine, and pushing there needs your explicit yes. Use a local registry (mlops.kubernetes.registry) or agree when asked.', image, registry));
  }
  throwIfCancelled(deps.token);
  const [repo, tag] = splitTag(plan.imageRef);
  await deps.docker.docker.getImage(image).tag({ repo, tag });
  const creds = deps.credentials ? await deps.credentials(registry) : undefined;
  const authconfig = creds ? { username: creds.username, password: creds.password, serveraddress: registry } : {};
  const stream = await deps.docker.docker.getImage(plan.imageRef).push({ authconfig });
  const cancel = deps.token?.onCancellationRequested(() => (stream as unknown as { destroy?: () => void }).destroy?.());
  try {
    const out: Array<{ error?: string; status?: string }> = await new Promise((resolve, reject) =>
      deps.docker.docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string }>) => (err ? reject(err) : resolve(res))),
    );
    throwIfCancelled(deps.token);
    const failed = out.find((o) => o.error);
    if (failed) throw new UserFacingError(t('Pushing {0} failed: {1}. Is the registry {2} running{3}?', plan.imageRef, failed.error, registry, plan.needsConsent ? t(' and are you logged in') : ''));
  } catch (err) {
    if (err instanceof UserFacingError || err instanceof CancelledError) throw err;
    throw new UserFacingError(t('Pushing {0} failed: {1}. Is the registry {2} running?', plan.imageRef, errorMessage(err), registry));
  } finally {
    cancel?.dispose();
  }
}

/** An image reference as containerd names it: `iris-api:1` is `docker.io/library/iris-api:1`. */
export function normalizedRef(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** Image loads and imports copy hundreds of megabytes: generous, but not endless. */
const IMPORT_TIMEOUT_MS = 30 * 60_000;

async function runTool(tool: string, args: string[], deps: DeliverDeps, what: string): Promise<void> {
  const r = await run(tool, args, { token: deps.token, timeoutMs: IMPORT_TIMEOUT_MS }).catch((err: unknown) => {
    throw err instanceof ToolNotFoundError ? new UserFacingError(t('The {0} CLI is not on the PATH, so the image cannot be loaded into {1}. Install it, or set mlops.kubernetes.imageDelivery.', tool, what), undefined, { code: ErrorCode.toolMissing }) : err;
  });
  if (r.code !== 0) throw new UserFacingError(t('{0} {1} failed: {2}', tool, args.join(' '), lastLines(r.stderr + r.stdout)), r.stderr);
}

/**
 * `docker save IMAGE | tool args…`. When the docker CLI is on the PATH and the engine is a
 * local socket, the CLI's stdout is handed to the tool as its stdin, so the image (hundreds
 * of megabytes) never passes through the extension host; otherwise, or when the CLI's save
 * fails, the save is streamed from the Engine API through this process.
 */
async function saveInto(deps: DeliverDeps, image: string, tool: string, args: string[], what: string): Promise<void> {
  const endpoint = deps.docker.endpoint;
  const socket = endpoint.kind === 'unix' && process.platform !== 'win32' ? endpoint.socketPath : undefined;
  const cli = socket ? onPath('docker') : undefined;
  if (cli) {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}` };
    delete env.DOCKER_CONTEXT;
    deps.log?.(`docker save ${image} | ${tool} ${args.join(' ')}`);
    const save = start(cli, ['save', image], { env, stdoutPiped: true, token: deps.token, timeoutMs: IMPORT_TIMEOUT_MS });
    const failed = await importFrom(deps, image, tool, args, what, save);
    if (!failed) return;
    deps.log?.(`docker save ${image} failed (${failed}); streaming it from the engine instead`);
  }
  deps.log?.(`${image} streamed from the engine into ${tool} ${args.join(' ')}`);
  await importFrom(deps, image, tool, args, what);
}

/** Runs the import with its stdin from `save` (a running docker save) or from the Engine API; the save's failure, if it failed. */
async function importFrom(deps: DeliverDeps, image: string, tool: string, args: string[], what: string, save?: RunningProcess): Promise<string | undefined> {
  // Handled from the start: a save that cannot even start must not be an unhandled rejection.
  const saved = save?.done.catch((err: unknown) => {
    if (err instanceof CancelledError) throw err;
    return { code: 1, stdout: '', stderr: errorMessage(err), signal: null };
  });
  const stdin = save ? undefined : await deps.docker.docker.getImage(image).get();
  const importing = start(tool, args, { ...(save ? { stdinFrom: save } : { stdin: stdin as Readable }), token: deps.token, timeoutMs: IMPORT_TIMEOUT_MS });
  const r = await importing.done.catch(async (err: unknown) => {
    await save?.stop(1000);
    throw err instanceof ToolNotFoundError ? new UserFacingError(t('The {0} CLI (part of containerd) is not on the PATH, so the image cannot be imported into {1}. Install containerd\'s tools, or set mlops.kubernetes.imageDelivery.', tool, what), undefined, { code: ErrorCode.toolMissing }) : err;
  });
  const s = await saved;
  throwIfCancelled(deps.token);
  if (s && s.code !== 0) return lastLines(s.stderr);
  if (r.code !== 0) throw new UserFacingError(t('Importing {0} into {1} failed: {2}', image, what, lastLines(r.stderr + r.stdout)), r.stderr);
  return undefined;
}
