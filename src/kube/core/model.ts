// What the Kubernetes tree, status bar and deployment panel show, worked out from API
// objects: a Deployment's state and model version, a pod's state in kubectl's words, the
// workloads grouped by namespace; registry credentials from the Docker config. No editor API.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { revisionOf } from './rollout';
import { ANNOTATIONS } from '../../deploy/core/manifests';
import type { ServedVersion } from '../../registry/core/model';
import { servedFrom } from '../../registry/core/model';

export type WorkloadState = 'available' | 'progressing' | 'failing' | 'stopped';

export interface WorkloadSummary {
  readonly name: string;
  readonly namespace: string;
  readonly ready: number;
  readonly desired: number;
  readonly state: WorkloadState;
  readonly image: string;
  readonly revision: number;
  readonly modelVersion?: string;
  readonly gitCommit?: string;
  readonly mlflowRunId?: string;
  /** The project folder it was deployed from. */
  readonly project?: string;
  /** The registered model version its pods serve. */
  readonly served?: ServedVersion;
  /** The first container port, for port-forwards. */
  readonly port?: number;
  /** Why it is not available, from its conditions. */
  readonly message?: string;
}

export function summarizeDeployment(d: V1Deployment): WorkloadSummary {
  const ann = d.spec?.template?.metadata?.annotations ?? {};
  const desired = d.spec?.replicas ?? 1;
  const ready = d.status?.readyReplicas ?? 0;
  const conditions = d.status?.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const available = conditions.find((c) => c.type === 'Available');
  const failing = progressing?.status === 'False' || progressing?.reason === 'ProgressDeadlineExceeded';
  const upToDate = (d.status?.updatedReplicas ?? 0) >= desired && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  const state: WorkloadState = desired === 0 ? 'stopped' : failing ? 'failing' : ready >= desired && upToDate && available?.status === 'True' ? 'available' : 'progressing';
  const containers = d.spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === 'api') ?? containers[0];
  const port = container?.ports?.find((x) => x.name === 'http') ?? container?.ports?.[0];
  const message = state === 'failing' ? progressing?.message : state === 'progressing' ? (available?.status === 'False' ? available.message : undefined) : undefined;
  return {
    name: d.metadata?.name ?? '',
    namespace: d.metadata?.namespace ?? '',
    ready,
    desired,
    state,
    image: container?.image ?? '',
    revision: revisionOf(d),
    ...(ann[ANNOTATIONS.modelVersion] ? { modelVersion: ann[ANNOTATIONS.modelVersion] } : {}),
    ...(ann[ANNOTATIONS.gitCommit] ? { gitCommit: ann[ANNOTATIONS.gitCommit] } : {}),
    ...(ann[ANNOTATIONS.mlflowRunId] ? { mlflowRunId: ann[ANNOTATIONS.mlflowRunId] } : {}),
    ...(servedFrom(ann) ? { served: servedFrom(ann) } : {}),
    ...(d.metadata?.annotations?.[ANNOTATIONS.project] ? { project: d.metadata.annotations[ANNOTATIONS.project] } : {}),
    ...(port ? { port: port.containerPort } : {}),
    ...(message ? { message } : {}),
  };
}

export interface PodSummary {
  readonly name: string;
  readonly ready: boolean;
  /** As `kubectl get pods` says it: Running, ContainerCreating, CrashLoopBackOff, Terminating… */
  readonly status: string;
  readonly restarts: number;
  readonly ip?: string;
  readonly modelVersion?: string;
}

export function summarizePod(p: V1Pod): PodSummary {
  const statuses = p.status?.containerStatuses ?? [];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find(Boolean);
  const terminated = statuses.map((s) => s.state?.terminated?.reason).find(Boolean);
  const status = p.metadata?.deletionTimestamp ? 'Terminating' : (waiting ?? terminated ?? p.status?.reason ?? p.status?.phase ?? 'Unknown');
  const ready = !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const modelVersion = p.metadata?.annotations?.[ANNOTATIONS.modelVersion];
  return {
    name: p.metadata?.name ?? '',
    ready,
    status,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    ...(modelVersion ? { modelVersion } : {}),
  };
}

/** Workloads by namespace, namespaces sorted; `always` (the one deploys go to) is listed even when empty. */
export function groupByNamespace(workloads: readonly WorkloadSummary[], always: string): Array<{ namespace: string; workloads: WorkloadSummary[] }> {
  const by = new Map<string, WorkloadSummary[]>([[always, []]]);
  for (const w of workloads) {
    const list = by.get(w.namespace) ?? [];
    list.push(w);
    by.set(w.namespace, list);
  }
  return [...by.entries()].sort(([a], [b]) => (a === always ? -1 : b === always ? 1 : a.localeCompare(b))).map(([namespace, list]) => ({ namespace, workloads: list.sort((x, y) => x.name.localeCompare(y.name)) }));
}

/** The registry host of `auths` keys: "https://index.docker.io/v1/" and "host:port" alike. */
/** A registry's host[:port], from a host, an image prefix (`ghcr.io/org`) or a URL (`https://ghcr.io/v2/`). */
export function registryHost(key: string): string {
  return key.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
}

/** Where the editor's secret storage keeps a registry's credentials: by host, as logins are. */
export function registrySecretKey(registry: string): string {
  return `mlops.registry:${registryHost(registry)}`;
}

/**
 * A registry's credentials from the Docker config (`auths.<host>.auth`, base64 of
 * user:password), as `docker login` leaves them; undefined when it has none (or keeps them
 * in a credential helper, which the engine cannot be given).
 */
export async function dockerConfigCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<{ username: string; password: string } | undefined> {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME ?? os.homedir(), '.docker');
  const text = await readFile(path.join(dir, 'config.json'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    return undefined;
  }
  const host = registryHost(registry);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => registryHost(k) === host)?.[1];
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}
