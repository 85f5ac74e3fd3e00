// What a rollout's state means, from the Deployment and its pods alone: available, still
// progressing, or failed, and why. Pure (no API calls), so it is unit-tested on objects
// recorded from a real cluster; the client adds the evidence (events, last log lines) and
// the words. No editor API.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../deploy/core/manifests';

export type RolloutVerdict =
  | { readonly kind: 'available'; readonly revision: number }
  | { readonly kind: 'progressing' }
  /** The node cannot pull (or may not pull) the image. */
  | { readonly kind: 'image'; readonly pod: string; readonly container: string; readonly image: string; readonly reason: string; readonly message?: string }
  /** The app starts and dies, again and again; `oomKilled` when the kernel killed it for memory. */
  | { readonly kind: 'crash'; readonly pod: string; readonly container: string; readonly exitCode?: number; readonly exitReason?: string; readonly oomKilled: boolean }
  | { readonly kind: 'unschedulable'; readonly pod: string; readonly message: string }
  /** The app runs but its readiness probe has not passed for longer than the probe allows (a wrong path or port, a model that does not load). */
  | { readonly kind: 'notReady'; readonly pod: string; readonly container: string; readonly seconds: number }
  /** The ReplicaSet cannot create pods at all (a missing ServiceAccount, a quota, an admission webhook). */
  | { readonly kind: 'failedCreate'; readonly message: string }
  | { readonly kind: 'deadline'; readonly message: string };

const REVISION = 'deployment.kubernetes.io/revision';

export function revisionOf(o: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  return Number(o?.metadata?.annotations?.[REVISION] ?? 0);
}

export const isReady = (p: k8s.V1Pod): boolean => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The pods of the Deployment's current template (the extension's deploys annotate it with the image id); pods being deleted are not counted. */
export function currentPods(dep: k8s.V1Deployment, pods: readonly k8s.V1Pod[]): k8s.V1Pod[] {
  const template = dep.spec?.template?.metadata?.annotations?.[ANNOTATIONS.imageId];
  return pods.filter((p) => !p.metadata?.deletionTimestamp && (!template || p.metadata?.annotations?.[ANNOTATIONS.imageId] === template));
}

const IMAGE_REASONS = /^(ImagePullBackOff|ErrImagePull|ErrImageNeverPull|InvalidImageName|RegistryUnavailable)$/;

/**
 * The verdict on a rollout, as `kubectl rollout status` decides it, plus the failures it only
 * times out on. `final` (the rollout's own deadline has passed) also names a pod that is merely
 * not scheduled yet.
 */
/**
 * How long a container may run before its readiness probe has had its chance: the probe's
 * initial delay plus twice its failure threshold of periods, and at least 45 s (an app
 * loading a large model, a slow first import).
 */
export function readinessGraceSeconds(dep: k8s.V1Deployment, container: string): number {
  const c = dep.spec?.template?.spec?.containers?.find((x) => x.name === container);
  const p = c?.readinessProbe;
  if (!p) return Infinity;
  return Math.max(45, (p.initialDelaySeconds ?? 0) + 2 * (p.failureThreshold ?? 3) * (p.periodSeconds ?? 10));
}

export function classifyRollout(dep: k8s.V1Deployment, pods: readonly k8s.V1Pod[], opts: { final?: boolean; now?: number } = {}): RolloutVerdict {
  const s = dep.status ?? {};
  const want = dep.spec?.replicas ?? 1;
  if ((dep.metadata?.generation ?? 0) <= (s.observedGeneration ?? -1) && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) >= want) {
    return { kind: 'available', revision: revisionOf(dep) };
  }
  let notReady: RolloutVerdict | undefined;
  for (const p of currentPods(dep, pods)) {
    const pod = p.metadata?.name ?? '?';
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const waiting = c.state?.waiting;
      if (waiting?.reason && IMAGE_REASONS.test(waiting.reason)) {
        return { kind: 'image', pod, container: c.name, image: c.image, reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) };
      }
      const last = c.lastState?.terminated ?? c.state?.terminated;
      const oomKilled = last?.reason === 'OOMKilled';
      if (!c.ready && ((oomKilled && (c.restartCount ?? 0) >= 1) || waiting?.reason === 'CrashLoopBackOff' || (c.restartCount ?? 0) >= 2)) {
        return { kind: 'crash', pod, container: c.name, ...(last?.exitCode !== undefined ? { exitCode: last.exitCode } : {}), ...(last?.reason ? { exitReason: last.reason } : {}), oomKilled };
      }
    }
    // Running, never ready, for longer than its probe allows: the probe fails, not the app
    // (said after the Deployment's own verdicts below).
    for (const c of p.status?.containerStatuses ?? []) {
      const started = c.state?.running?.startedAt;
      if (c.ready || !started || notReady) continue;
      const seconds = Math.round(((opts.now ?? Date.now()) - new Date(started).getTime()) / 1000);
      if (seconds > readinessGraceSeconds(dep, c.name)) notReady = { kind: 'notReady', pod, container: c.name, seconds };
    }
    const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && (opts.final || scheduled.reason === 'Unschedulable')) {
      return { kind: 'unschedulable', pod, message: scheduled.message ?? scheduled.reason ?? 'not scheduled' };
    }
  }
  const failure = s.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) return { kind: 'failedCreate', message: failure.message ?? failure.reason ?? 'FailedCreate' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { kind: 'deadline', message: progressing.message ?? '' };
  return notReady ?? { kind: 'progressing' };
}
