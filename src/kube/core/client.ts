// The Kubernetes client, on @kubernetes/client-node (loaded on first use): contexts,
// namespaces, the facts that tell the kind of cluster, server-side apply of what the
// extension owns, rollout watching with failures explained, history and rollback,
// scale, restart, delete, logs. The kubeconfig is read and written by kubeconfig.ts, the
// errors worded by errors.ts, rollouts judged by rollout.ts. No editor API.
import { Writable } from 'node:stream';
import type * as k8s from '@kubernetes/client-node';
import type { CancellationTokenLike } from '../../common/cancellation';
import { CancelledError, throwIfCancelled } from '../../common/cancellation';
import { UserFacingError } from '../../common/errors';
import { RolloutError, explainApiError, statusOf } from './errors';
import { loadKubeconfig, peekKubeconfig, writeCurrentContext } from './kubeconfig';
import type { ClusterFacts } from './detect';
import type { KubeObject } from '../../deploy/core/manifests';
import { ANNOTATIONS, FIELD_MANAGER, MANAGED_BY } from '../../deploy/core/manifests';
import { openSettingAction, t } from '../../common/l10n';
import { classifyRollout, currentPods, isReady, revisionOf } from './rollout';
import type { ServedVersion } from '../../registry/core/model';
import { servedFrom } from '../../registry/core/model';
import type { ServedEntry } from './servedHistory';
import { SERVED_HISTORY, appendServed, parseServedHistory } from './servedHistory';

export { RolloutError, explainApiError } from './errors';
export { kubeconfigFiles } from './kubeconfig';

type K8s = typeof k8s;
let lib: Promise<K8s> | undefined;
const load = (): Promise<K8s> => (lib ??= import('@kubernetes/client-node'));

export interface ContextInfo {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace: string;
  readonly server: string;
  readonly current: boolean;
}

export interface Revision {
  readonly revision: number;
  readonly replicaSet: string;
  readonly image: string;
  readonly modelVersion?: string;
  readonly gitCommit?: string;
  /** The registered model version it serves (recorded on its pod template). */
  readonly served?: ServedVersion;
  readonly created?: Date;
  readonly current: boolean;
}

export interface RolloutProgress {
  readonly ready: number;
  readonly updated: number;
  readonly desired: number;
  /** Pod phases of the new revision, e.g. "1 ContainerCreating". */
  readonly pods: string;
}




/** The label selector of a Deployment's pods. */
function selectorOf(dep: k8s.V1Deployment): string {
  return Object.entries(dep.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}







export class KubeClient {
  private constructor(
    readonly lib: K8s,
    readonly kc: k8s.KubeConfig,
    /** Where `use-context` writes: the file that set current-context, else the first. */
    private readonly contextFile: string,
  ) {}

  /** The kubeconfig kubectl would use; `context` picks another than the current one. */
  static async load(opts: { env?: NodeJS.ProcessEnv; context?: string } = {}): Promise<KubeClient> {
    const l = await load();
    const { kc, contextFile } = await loadKubeconfig(l, opts);
    return new KubeClient(l, kc, contextFile);
  }

  /** See peekKubeconfig (no client-node loaded). */
  static peek(env: NodeJS.ProcessEnv = process.env): Promise<{ context: string; namespace: string } | undefined> {
    return peekKubeconfig(env);
  }

  get context(): string {
    return this.kc.getCurrentContext();
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** The context's namespace, or "default". */
  get namespace(): string {
    return this.kc.getContextObject(this.context)?.namespace ?? 'default';
  }

  contexts(): ContextInfo[] {
    return this.kc.getContexts().map((c) => ({
      name: c.name,
      cluster: c.cluster,
      user: c.user,
      namespace: c.namespace ?? 'default',
      server: this.kc.getCluster(c.cluster)?.server ?? '',
      current: c.name === this.context,
    }));
  }

  /** Makes `name` the current context in the kubeconfig file, as `kubectl config use-context` does (comments kept). */
  async useContext(name: string): Promise<void> {
    if (!this.kc.getContextObject(name)) throw new UserFacingError(t('The kubeconfig has no context "{0}".', name));
    await writeCurrentContext(this.contextFile, name);
    this.kc.setCurrentContext(name);
  }

  private err(err: unknown, what: string, namespace?: string): Error {
    return explainApiError(err, what, { context: this.context, server: this.server, user: this.kc.getCurrentUser()?.name ?? '', ...(namespace ? { namespace } : {}) });
  }

  private get core(): k8s.CoreV1Api {
    return this.kc.makeApiClient(this.lib.CoreV1Api);
  }

  private get apps(): k8s.AppsV1Api {
    return this.kc.makeApiClient(this.lib.AppsV1Api);
  }

  /** What the detection needs; nodes are left empty when RBAC hides them. */
  async facts(): Promise<ClusterFacts> {
    const ctx = this.kc.getContextObject(this.context)!;
    let nodes: ClusterFacts['nodes'] = [];
    try {
      const list = await this.core.listNode();
      nodes = list.items.map((n) => ({
        name: n.metadata?.name ?? '',
        labels: n.metadata?.labels ?? {},
        ...(n.spec?.providerID ? { providerID: n.spec.providerID } : {}),
        ...(n.status?.nodeInfo?.containerRuntimeVersion ? { containerRuntimeVersion: n.status.nodeInfo.containerRuntimeVersion } : {}),
        ...(n.status?.nodeInfo?.osImage ? { osImage: n.status.nodeInfo.osImage } : {}),
        internalIPs: (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address),
      }));
    } catch (err) {
      if (statusOf(err) !== 403) throw this.err(err, t('list the nodes'));
    }
    return { context: this.context, cluster: ctx.cluster, server: this.server, nodes };
  }

  async namespaces(): Promise<string[]> {
    try {
      return (await this.core.listNamespace()).items.map((n) => n.metadata!.name!).sort();
    } catch (err) {
      throw this.err(err, t('list namespaces'));
    }
  }

  /** Makes sure the namespace exists; when it does not, `create` decides (the editor asks the user). */
  async ensureNamespace(namespace: string, create: (ns: string) => Promise<boolean>): Promise<boolean> {
    // A namespace being deleted takes what is applied into it down with it: wait until it is gone (a minute at most), then ask.
    for (let waited = 0; ; waited += 1000) {
      let phase: string | undefined;
      try {
        phase = (await this.core.readNamespace({ name: namespace })).status?.phase;
      } catch (err) {
        if (statusOf(err) !== 404) throw this.err(err, t('read namespace "{0}"', namespace));
        break;
      }
      if (phase !== 'Terminating') return false;
      if (waited >= 60_000) throw new UserFacingError(t('Namespace "{0}" is being deleted and is still there after a minute; deploy again once it is gone, or into another namespace.', namespace));
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!(await create(namespace))) throw new UserFacingError(t('Namespace "{0}" does not exist; nothing was deployed.', namespace));
    try {
      await this.core.createNamespace({ body: { metadata: { name: namespace, labels: { [MANAGED_BY]: FIELD_MANAGER } } } });
    } catch (err) {
      throw this.err(err, t('create namespace "{0}"', namespace));
    }
    return true;
  }

  private objects(): k8s.KubernetesObjectApi {
    return this.lib.KubernetesObjectApi.makeApiClient(this.kc);
  }

  /** The live object, or undefined when there is none. */
  async read(o: KubeObject): Promise<KubeObject | undefined> {
    try {
      return (await this.objects().read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace ?? this.namespace } })) as unknown as KubeObject;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.err(err, t('read {0} {1}', o.kind, o.metadata.name), o.metadata.namespace);
    }
  }

  /**
   * Refuses to touch objects of the same name the extension did not make (never adopted
   * silently); returns the objects that do not exist yet.
   */
  async checkOwnership(objects: readonly KubeObject[]): Promise<KubeObject[]> {
    const missing: KubeObject[] = [];
    for (const o of objects) {
      const live = await this.read(o);
      if (!live) missing.push(o);
      else if (live.metadata.labels?.[MANAGED_BY] !== FIELD_MANAGER) {
        throw new UserFacingError(
          t('A {0} named "{1}" already exists in namespace "{2}" and was not made by MLOps Workbench, so it is left alone. Deploy under another name (the project\'s k8s manifests) or into another namespace, or remove it yourself.', o.kind, o.metadata.name, o.metadata.namespace),
        );
      } else {
        // Ours, but deployed from another project folder (two folders named alike): not taken over.
        const theirs = live.metadata.annotations?.[ANNOTATIONS.project];
        const mine = o.metadata.annotations?.[ANNOTATIONS.project];
        if (theirs && mine && theirs !== mine) {
          throw new UserFacingError(
            t('{0} "{1}" in namespace "{2}" was deployed from another project ({3}), not this one ({4}). Give this project another name (its manifests\' metadata.name, or rename its folder), deploy it into another namespace, or delete the other deployment first.', o.kind, o.metadata.name, o.metadata.namespace, theirs, mine),
          );
        }
      }
    }
    return missing;
  }

  /** Server-side apply with field manager "mlops-workbench". */
  async apply(objects: readonly KubeObject[]): Promise<void> {
    const api = this.objects();
    for (const o of objects) {
      try {
        await api.patch(o as unknown as k8s.KubernetesObject, undefined, undefined, FIELD_MANAGER, true, this.lib.PatchStrategy.ServerSideApply);
      } catch (err) {
        throw this.err(err, t('apply {0} {1}', o.kind, o.metadata.name), o.metadata.namespace);
      }
    }
  }

  async deleteObjects(objects: readonly KubeObject[]): Promise<void> {
    const api = this.objects();
    for (const o of objects) {
      try {
        await api.delete(o as unknown as k8s.KubernetesObject);
      } catch (err) {
        if (statusOf(err) !== 404) throw this.err(err, t('delete {0} {1}', o.kind, o.metadata.name), o.metadata.namespace);
      }
    }
  }

  async deployment(namespace: string, name: string): Promise<k8s.V1Deployment | undefined> {
    try {
      return await this.apps.readNamespacedDeployment({ name, namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.err(err, t('read Deployment {0}', name), namespace);
    }
  }

  /** Deployments the extension made, in a namespace. */
  async managedDeployments(namespace: string): Promise<k8s.V1Deployment[]> {
    try {
      return (await this.apps.listNamespacedDeployment({ namespace, labelSelector: `${MANAGED_BY}=${FIELD_MANAGER}` })).items;
    } catch (err) {
      throw this.err(err, t('list deployments'), namespace);
    }
  }

  /** Deployments the extension made, in every namespace the user may list (else in `fallback` only). */
  async managedDeploymentsEverywhere(fallback: string): Promise<k8s.V1Deployment[]> {
    try {
      return (await this.apps.listDeploymentForAllNamespaces({ labelSelector: `${MANAGED_BY}=${FIELD_MANAGER}` })).items;
    } catch (err) {
      if (statusOf(err) === 403) return this.managedDeployments(fallback);
      throw this.err(err, t('list deployments'));
    }
  }

  /** One pod, or undefined when it is gone. */
  async pod(namespace: string, name: string): Promise<k8s.V1Pod | undefined> {
    try {
      return await this.core.readNamespacedPod({ name, namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.err(err, t('read pod {0}', name), namespace);
    }
  }

  async pods(namespace: string, deployment: k8s.V1Deployment): Promise<k8s.V1Pod[]> {
    try {
      return (await this.core.listNamespacedPod({ namespace, labelSelector: selectorOf(deployment) })).items;
    } catch (err) {
      throw this.err(err, t('list pods'), namespace);
    }
  }

  /** The Ready pods of the Deployment's current template: the ones serving what was deployed last. */
  async readyPods(namespace: string, deployment: k8s.V1Deployment): Promise<k8s.V1Pod[]> {
    return currentPods(deployment, await this.pods(namespace, deployment)).filter(isReady);
  }

  /** The ReplicaSets of a Deployment, newest revision first. */
  async history(namespace: string, name: string): Promise<Revision[]> {
    const dep = await this.deployment(namespace, name);
    if (!dep) return [];
    const current = revisionOf(dep);
    let sets: k8s.V1ReplicaSet[];
    try {
      sets = (await this.apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === dep.metadata?.uid));
    } catch (err) {
      throw this.err(err, t('list replica sets'), namespace);
    }
    return sets
      .map((rs) => {
        const ann = rs.spec?.template?.metadata?.annotations ?? {};
        const revision = revisionOf(rs);
        return {
          revision,
          replicaSet: rs.metadata!.name!,
          image: rs.spec?.template?.spec?.containers?.[0]?.image ?? '',
          ...(ann[ANNOTATIONS.modelVersion] ? { modelVersion: ann[ANNOTATIONS.modelVersion] } : {}),
          ...(ann[ANNOTATIONS.gitCommit] ? { gitCommit: ann[ANNOTATIONS.gitCommit] } : {}),
          ...(servedFrom(ann) ? { served: servedFrom(ann) } : {}),
          ...(rs.metadata?.creationTimestamp ? { created: new Date(rs.metadata.creationTimestamp) } : {}),
          current: revision === current,
        };
      })
      .sort((a, b) => b.revision - a.revision);
  }

  /**
   * Appends what the workload serves now to its served history (an annotation on the Deployment,
   * bounded; see servedHistory.ts). A merge patch, not the deploy's apply: the next apply leaves it.
   */
  async recordServed(namespace: string, name: string, entry: ServedEntry): Promise<void> {
    const dep = await this.deployment(namespace, name);
    if (!dep) return;
    const history = appendServed(parseServedHistory(dep.metadata?.annotations?.[SERVED_HISTORY]), entry);
    try {
      await this.apps.patchNamespacedDeployment(
        { name, namespace, body: { metadata: { annotations: { [SERVED_HISTORY]: JSON.stringify(history) } } } },
        this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch),
      );
    } catch (err) {
      throw this.err(err, t('record what Deployment {0} serves', name), namespace);
    }
  }

  /** Rolls back to a revision's pod template, as `kubectl rollout undo --to-revision` does. */
  async rollback(namespace: string, name: string, revision: number): Promise<void> {
    const rsName = (await this.history(namespace, name)).find((r) => r.revision === revision)?.replicaSet;
    if (!rsName) throw new UserFacingError(t('Deployment {0} has no revision {1} to roll back to.', name, revision));
    let template: k8s.V1PodTemplateSpec;
    try {
      template = structuredClone((await this.apps.readNamespacedReplicaSet({ name: rsName, namespace })).spec!.template!);
    } catch (err) {
      throw this.err(err, t('read revision {0} of Deployment {1}', revision, name), namespace);
    }
    delete template.metadata?.labels?.['pod-template-hash'];
    await this.restoreTemplate(namespace, name, template);
  }

  /** Puts back a pod template: a rollback, or the one saved before a failed or cancelled deploy. */
  async restoreTemplate(namespace: string, name: string, template: k8s.V1PodTemplateSpec): Promise<void> {
    try {
      await this.apps.patchNamespacedDeployment({ name, namespace, body: [{ op: 'replace', path: '/spec/template', value: template }] }, this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.JsonPatch));
    } catch (err) {
      throw this.err(err, t('restore Deployment {0}', name), namespace);
    }
  }

  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    try {
      await this.apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch));
    } catch (err) {
      throw this.err(err, t('scale Deployment {0}', name), namespace);
    }
  }

  /** A new rollout of the same template, as `kubectl rollout restart` does. */
  async restart(namespace: string, name: string): Promise<void> {
    try {
      const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
      await this.apps.patchNamespacedDeployment({ name, namespace, body }, this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch));
    } catch (err) {
      throw this.err(err, t('restart Deployment {0}', name), namespace);
    }
  }

  /** The last lines a container wrote (its previous instance after a crash). */
  async logs(namespace: string, pod: string, opts: { container?: string; tail?: number; previous?: boolean } = {}): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({ name: pod, namespace, ...(opts.container ? { container: opts.container } : {}), tailLines: opts.tail ?? 20, ...(opts.previous ? { previous: true } : {}) });
    } catch (err) {
      throw this.err(err, t('read the logs of pod {0}', pod), namespace);
    }
  }

  /**
   * What the pod answers on its readiness probe's path, asked through the API server's pod proxy:
   * "503 {\"status\":\"loading\",\"detail\":\"the model could not be loaded…\"}". At most 300
   * characters of the body, control characters dropped; undefined when the pod does not answer at all.
   */
  async readinessAnswer(namespace: string, pod: string, container: k8s.V1Container | undefined): Promise<string | undefined> {
    const get = container?.readinessProbe?.httpGet;
    if (!get) return undefined;
    const port = typeof get.port === 'number' ? get.port : /^\d+$/.test(String(get.port)) ? Number(get.port) : container?.ports?.find((p) => p.name === get.port)?.containerPort;
    if (port === undefined) return undefined;
    // eslint-disable-next-line no-control-regex
    const shown = (status: number, body: unknown): string => `${status} ${String(body ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 300)}`.trim();
    try {
      return shown(200, await this.core.connectGetNamespacedPodProxyWithPath({ name: `${pod}:${port}`, namespace, path: (get.path ?? '/').replace(/^\/+/, '') }));
    } catch (err) {
      const status = statusOf(err);
      // The API server's own 5xx without a body: the pod did not answer.
      const body = (err as { body?: unknown }).body;
      if (status === undefined || (status >= 500 && /error trying to reach service|connection refused|no route to host/i.test(String(body)))) return undefined;
      return shown(status, body);
    }
  }

  /** Follows a pod's logs until stopped. */
  async followLogs(namespace: string, pod: string, onText: (text: string) => void, tail = 200): Promise<{ stop(): void }> {
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (onText(chunk.toString('utf8')), cb()) });
    const ctl = await new this.lib.Log(this.kc).log(namespace, pod, '', sink, { follow: true, tailLines: tail });
    return { stop: () => ctl.abort() };
  }

  private async events(namespace: string, name: string): Promise<string[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }).catch(() => undefined);
    return (list?.items ?? [])
      .sort((a, b) => +new Date(String(a.lastTimestamp ?? a.eventTime ?? 0)) - +new Date(String(b.lastTimestamp ?? b.eventTime ?? 0)))
      .map((e) => `${e.type}: ${e.reason}: ${e.message}`)
      .slice(-5);
  }

  /**
   * Watches (not polls) the Deployment and its pods until the new revision is available,
   * reporting progress; explains why it is not (image, crash, scheduling) or times out.
   */
  async waitForRollout(namespace: string, name: string, opts: { timeoutMs: number; token?: CancellationTokenLike; onProgress?: (p: RolloutProgress) => void; imageHint?: string }): Promise<number> {
    const watch = new this.lib.Watch(this.kc);
    const controllers: AbortController[] = [];
    let dep: k8s.V1Deployment | undefined;
    const pods = new Map<string, k8s.V1Pod>();
    let finish!: (r: number | Error) => void;
    const finished = new Promise<number | Error>((r) => (finish = r));
    // One check at a time; an event that arrives during one asks for another after it.
    let checking = false;
    let again = false;
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          if (!dep) return;
          const outcome = await this.rolloutOutcome(namespace, dep, [...pods.values()], opts.imageHint);
          if (outcome !== undefined) return finish(outcome);
          opts.onProgress?.(this.progressOf(dep, [...pods.values()]));
        } while (again);
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      } finally {
        checking = false;
      }
    };
    const timer = setTimeout(() => {
      void (async () => {
        const last = dep ? await this.rolloutOutcome(namespace, dep, [...pods.values()], opts.imageHint, true) : undefined;
        finish(last instanceof Error ? last : new RolloutError(t('Deployment {0} did not become available in {1} s (mlops.kubernetes.rolloutTimeoutSeconds).', name, Math.round(opts.timeoutMs / 1000)), 'timeout'));
      })();
    }, opts.timeoutMs);
    // A readiness probe that keeps failing changes nothing the watches see: looked at every 10 s.
    const ticker = setInterval(() => void check(), 10_000);
    const cancel = opts.token?.onCancellationRequested(() => finish(new CancelledError()));
    try {
      throwIfCancelled(opts.token);
      // Each watch starts from a fresh list and starts again when the server ends it
      // (watches time out) or sends an ERROR (e.g. an expired resource version).
      let over = false;
      void finished.then(() => (over = true));
      const follow = async <T>(what: string, list: () => Promise<void>, path: string, query: Record<string, string>, onEvent: (type: string, obj: T) => void): Promise<void> => {
        if (over) return;
        await list();
        void check();
        const ctl = await watch.watch(
          path,
          query,
          (type: string, obj: T) => {
            if (type === 'ERROR') return;
            onEvent(type, obj);
          },
          (err: unknown) => {
            if (over) return;
            if (err && !(err as { name?: string }).name?.includes('Abort')) return finish(this.err(err, t('watch {0}', what), namespace));
            setTimeout(() => void follow(what, list, path, query, onEvent).catch((e: unknown) => finish(this.err(e, t('watch {0}', what), namespace))), 500);
          },
        );
        controllers.push(ctl);
      };
      await follow(
        t('Deployment {0}', name),
        async () => {
          const d = await this.deployment(namespace, name);
          if (!d) throw new UserFacingError(t('Deployment {0} is not in namespace {1}.', name, namespace));
          dep = d;
        },
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { fieldSelector: `metadata.name=${name}` },
        (type, obj: k8s.V1Deployment) => {
          if (type === 'DELETED') finish(new UserFacingError(t('Deployment {0} was deleted during the rollout.', name)));
          else {
            dep = obj;
            void check();
          }
        },
      );
      const selector = selectorOf(dep!);
      await follow(
        t('the pods of {0}', name),
        async () => {
          pods.clear();
          for (const p of (await this.core.listNamespacedPod({ namespace, labelSelector: selector })).items) pods.set(p.metadata!.name!, p);
        },
        `/api/v1/namespaces/${namespace}/pods`,
        { labelSelector: selector },
        (type, pod: k8s.V1Pod) => {
          if (type === 'DELETED') pods.delete(pod.metadata!.name!);
          else pods.set(pod.metadata!.name!, pod);
          void check();
        },
      );
      const r = await finished;
      if (r instanceof Error) throw r;
      return r;
    } finally {
      clearTimeout(timer);
      clearInterval(ticker);
      cancel?.dispose();
      for (const c of controllers) c.abort();
    }
  }

  private progressOf(dep: k8s.V1Deployment, pods: k8s.V1Pod[]): RolloutProgress {
    const phases = new Map<string, number>();
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
      const phase = waiting ?? (isReady(p) ? 'Ready' : p.status?.phase ?? 'Pending');
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
    }
    return {
      ready: dep.status?.availableReplicas ?? 0,
      updated: dep.status?.updatedReplicas ?? 0,
      desired: dep.spec?.replicas ?? 1,
      pods: [...phases].map(([k, v]) => `${v} ${k}`).join(', '),
    };
  }

  /** The revision once available; an explained error, with its evidence; or undefined while in progress (see rollout.ts). */
  private async rolloutOutcome(namespace: string, dep: k8s.V1Deployment, pods: k8s.V1Pod[], imageHint: string | undefined, final = false): Promise<number | Error | undefined> {
    const v = classifyRollout(dep, pods, { final });
    const name = dep.metadata!.name!;
    switch (v.kind) {
      case 'available':
        return v.revision;
      case 'progressing':
        return undefined;
      case 'image': {
        const events = await this.events(namespace, v.pod);
        return new RolloutError(t('The cluster cannot see the image {0}{1} ({2}). Check mlops.kubernetes.imageDelivery for this cluster.', v.image, imageHint ? t(', delivered by: {0}', imageHint) : '', v.reason), 'image', [v.message, ...events].filter(Boolean).join('\n'), {
          actions: [openSettingAction('mlops.kubernetes.imageDelivery')],
        });
      }
      case 'crash': {
        const logs = await this.logs(namespace, v.pod, { container: v.container, tail: 15, previous: true }).catch(() => '');
        if (v.oomKilled) {
          return new RolloutError(t('The app in pod {0} was killed for using more memory than its limit (OOMKilled). Raise resources.limits.memory in the Deployment, or load a smaller model. Its last log lines:\n{1}', v.pod, logs.trim() || t('(none)')), 'crash', logs);
        }
        const exit = v.exitCode !== undefined ? t(' (exit code {0}{1})', v.exitCode, v.exitReason ? `, ${v.exitReason}` : '') : '';
        return new RolloutError(t('The app in pod {0} keeps crashing{1}. Its last log lines:\n{2}', v.pod, exit, logs.trim() || t('(none)')), 'crash', logs);
      }
      case 'unschedulable':
        return new RolloutError(t('Pod {0} cannot be scheduled: {1}.', v.pod, v.message), 'pending');
      case 'notReady': {
        // The kubelet's own words ("Readiness probe failed: HTTP probe failed with statuscode: 404").
        const events = await this.events(namespace, v.pod);
        const probe = [...events].reverse().find((e) => /probe failed/i.test(e))?.replace(/^Warning: Unhealthy: /, '');
        const logs = await this.logs(namespace, v.pod, { container: v.container, tail: 10 }).catch(() => '');
        // What the app itself answers there (an API whose model failed to load says so in its /ready body).
        const spec = dep.spec?.template.spec?.containers.find((c) => c.name === v.container);
        const answer = await this.readinessAnswer(namespace, v.pod, spec).catch(() => undefined);
        return new RolloutError(
          t('The app in pod {0} runs but has not become ready in {1} s: {2}. Check the readiness probe\'s path and port against what the app serves (or, for an API that loads a model, its /ready answer). Its last log lines:\n{3}', v.pod, v.seconds, probe ?? t('its readiness probe does not pass'), logs.trim() || t('(none)')) +
            (answer ? `\n${t('Its answer on {0}: {1}', spec?.readinessProbe?.httpGet?.path ?? '/', answer)}` : ''),
          'failed',
          [...events, logs, answer ?? ''].join('\n'),
        );
      }
      case 'failedCreate':
        return new RolloutError(t('The cluster cannot create the pods of {0}: {1}', name, v.message), 'failed', (await this.events(namespace, name)).join('\n'));
      case 'deadline':
        return new RolloutError(t('Deployment {0} exceeded its progress deadline: {1}', name, v.message), 'failed', (await this.events(namespace, name)).join('\n'));
    }
  }
}
