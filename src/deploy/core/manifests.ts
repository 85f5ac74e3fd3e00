// The objects a deploy applies: the project's own manifests (in k8s/ or another usual
// folder, a kustomization's plain resources, or at its root: Deployment, Service and, when
// present, a HorizontalPodAutoscaler and ConfigMaps) or generated ones, with the image the
// delivery named and labels and annotations recording what is deployed. No editor API.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError, errorMessage } from '../../common/errors';
import { isInside } from '../../common/files';
import { t } from '../../common/l10n';
import { renderTemplate } from '../../scaffold/core/render';
import type { ServedVersion } from '../../registry/core/model';
import { servedLabels } from '../../registry/core/model';

export const FIELD_MANAGER = 'mlops-workbench';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Annotations on the Deployment's pod template: each revision (ReplicaSet) keeps them. */
export const ANNOTATIONS = {
  modelVersion: 'mlops.workbench/model-version',
  imageId: 'mlops.workbench/image-id',
  gitCommit: 'mlops.workbench/git-commit',
  mlflowRunId: 'mlops.workbench/mlflow-run-id',
  project: 'mlops.workbench/project',
  /** On the Deployment: the other objects the deploy applied (Kind/name, comma-separated), which Delete removes with it. */
  objects: 'mlops.workbench/objects',
} as const;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface WhatIsDeployed {
  readonly namespace: string;
  readonly image: string;
  readonly pullPolicy: 'IfNotPresent' | 'Always';
  readonly modelVersion: string;
  readonly imageId: string;
  readonly gitCommit?: string;
  readonly mlflowRunId?: string;
  /** The registered model version the image serves. */
  readonly served?: ServedVersion;
  /** The project folder, recorded so the tree can find it again. */
  readonly project?: string;
}

/**
 * What a deploy applies of a project's own manifests: the kinds it owns, namespaced. A
 * repository may hide anything in its k8s folder (a ClusterRoleBinding to cluster-admin);
 * the one-click deploy applies none of that.
 */
export const APPLIED_KINDS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['apps/v1'],
  Service: ['v1'],
  HorizontalPodAutoscaler: ['autoscaling/v2', 'autoscaling/v1'],
  ConfigMap: ['v1'],
};

/** Where a project's own manifests are looked for, in this order: the first that holds a Deployment is used. */
export const MANIFEST_FOLDERS = ['k8s', 'kubernetes', 'deploy', 'manifests', 'kube', '.k8s'] as const;
const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/**
 * Kinds a project's manifests commonly hold beside its workload that the one-click deploy
 * leaves to the user (routing, disruption budgets, monitoring): passed over with a note, not
 * applied and not refused. Anything else (RBAC, namespaces, secrets, other workloads) refuses the deploy.
 */
const PASSED_OVER = new Set(['Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceMonitor', 'PodMonitor', 'HTTPRoute', 'Gateway', 'VerticalPodAutoscaler']);
/** What a kustomization may say for the deploy to apply its resources as they are. */
const KUSTOMIZE_PLAIN = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images']);
const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface ProjectManifests {
  /** The objects to apply: empty when the project has none (generated ones are used). */
  readonly objects: KubeObject[];
  /** The files they came from, relative to the project ("k8s/deployment.yaml", "deploy.yaml"). */
  readonly files: string[];
  /** What was found and why it was (or was not) used, for the Deploy output. */
  readonly notes: string[];
}

const isYaml = (f: string): boolean => /\.ya?ml$/i.test(f);
const kubeShaped = (o: unknown): o is { apiVersion: unknown; kind: unknown } => !!o && typeof o === 'object' && !Array.isArray(o) && 'apiVersion' in o && 'kind' in o;

/** The documents of one file, parsed without expanding alias bombs; a file that does not parse is an error naming it. */
async function readDocuments(dir: string, rel: string): Promise<unknown[]> {
  const p = path.join(dir, rel);
  const info = await stat(p).catch(() => undefined);
  if (!info?.isFile()) return [];
  if (info.size > MAX_MANIFEST_BYTES) throw new UserFacingError(t('{0} is larger than 1 MB: not a manifest the deploy reads.', rel));
  const text = await readFile(p, 'utf8');
  const out: unknown[] = [];
  // yaml is loaded on first use (a vendor bundle), not at activation.
  const { parseAllDocuments } = await import('yaml');
  for (const doc of parseAllDocuments(text, { logLevel: 'error' })) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new UserFacingError(t('{0} does not parse: line {1}: {2}', rel, e.linePos?.[0].line ?? '?', e.message.split('\n')[0]));
    }
    try {
      out.push(doc.toJS({ maxAliasCount: 100 }));
    } catch (err) {
      // An alias to no anchor, or an alias bomb: the file is refused, not half read.
      throw new UserFacingError(t('{0} cannot be read: {1}', rel, errorMessage(err).split('\n')[0]));
    }
  }
  return out;
}

/** The files a folder's kustomization lists, when it only lists plain resources; else an error saying to use kubectl. */
async function kustomizedFiles(dir: string, folder: string, file: string): Promise<string[]> {
  const rel = path.posix.join(folder, file);
  const [k] = await readDocuments(dir, rel);
  if (!k || typeof k !== 'object') return [];
  const extra = Object.keys(k).filter((key) => !KUSTOMIZE_PLAIN.has(key));
  const resources = (k as { resources?: unknown }).resources;
  const list = Array.isArray(resources) ? resources : [];
  const out: string[] = [];
  const outside: string[] = [];
  for (const r of list) {
    const p = typeof r === 'string' ? path.posix.normalize(path.posix.join(folder, r)) : '';
    if (!p || !isInside(p) || /^[a-z]+:\/\//i.test(String(r)) || !isYaml(p)) outside.push(String(r));
    else out.push(p);
  }
  if (extra.length || outside.length) {
    throw new UserFacingError(
      t('{0} uses {1}: the one-click deploy applies plain manifests only. Apply this folder with kubectl apply -k {2}, or list only the folder\'s own YAML files under resources.', rel, [...extra, ...outside.map((o) => `resources: ${o}`)].slice(0, 5).join(', '), folder),
    );
  }
  return out;
}

/**
 * The project's own manifests: the first of k8s/, kubernetes/, deploy/, manifests/, kube/,
 * .k8s/ (their kustomization's resources, else every YAML file in them) and then the
 * project's root that holds a Deployment. YAML that is not a Kubernetes object (params.yaml,
 * dvc.yaml, docker-compose.yml) is not looked at; a Helm chart is not applied. Bad YAML, or
 * a kind the deploy does not apply, is an error naming the file.
 */
export async function findProjectManifests(dir: string): Promise<ProjectManifests> {
  const notes: string[] = [];
  const candidates: Array<{ where: string; files: string[] }> = [];
  for (const folder of MANIFEST_FOLDERS) {
    const names = await readdir(path.join(dir, folder)).catch(() => undefined);
    if (!names) continue;
    if (names.includes('Chart.yaml')) {
      notes.push(`${folder}/ is a Helm chart: not applied (install it with helm)`);
      continue;
    }
    const k = KUSTOMIZATIONS.find((f) => names.includes(f));
    const files = k ? await kustomizedFiles(dir, folder, k) : names.filter(isYaml).sort().map((f) => `${folder}/${f}`);
    candidates.push({ where: k ? `${folder}/${k}` : `${folder}/`, files });
  }
  const rootNames = await readdir(dir).catch(() => [] as string[]);
  const rootKustomization = KUSTOMIZATIONS.find((f) => rootNames.includes(f));
  candidates.push({ where: rootKustomization ?? 'the project folder', files: rootKustomization ? await kustomizedFiles(dir, '.', rootKustomization) : rootNames.filter(isYaml).sort() });

  for (const c of candidates) {
    const objects: KubeObject[] = [];
    const used: string[] = [];
    const refused: string[] = [];
    const skipped: string[] = [];
    for (const rel of c.files) {
      let any = false;
      for (const obj of await readDocuments(dir, rel)) {
        // Not a Kubernetes object (a pipeline, a compose file, a values file): not the deploy's.
        if (!kubeShaped(obj)) continue;
        const o = obj as KubeObject;
        if (!PASSED_OVER.has(String(o.kind))) any = true;
        if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
          refused.push(`${rel}: ${t('an object without a kind and a name')}`);
          continue;
        }
        const versions = Object.prototype.hasOwnProperty.call(APPLIED_KINDS, o.kind) ? APPLIED_KINDS[o.kind]! : undefined;
        if (!versions && PASSED_OVER.has(o.kind)) {
          skipped.push(`${o.kind} ${o.metadata.name} (${rel})`);
          continue;
        }
        if (!versions || !versions.includes(String(o.apiVersion))) refused.push(`${rel}: ${String(o.apiVersion)} ${o.kind} ${o.metadata.name}`);
        else {
          objects.push(o);
          sources.set(o, rel);
        }
      }
      if (any) used.push(rel);
    }
    if (!objects.some((o) => o.kind === 'Deployment') && !refused.length) {
      if (used.length) notes.push(`${c.where}: no Deployment in ${used.join(', ')}`);
      continue;
    }
    // An autoscaler steers the Deployment it names: only this project's.
    const deployments = new Set(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name));
    for (const o of objects) {
      const target = (o.spec as { scaleTargetRef?: { kind?: unknown; name?: unknown } } | undefined)?.scaleTargetRef;
      if (o.kind === 'HorizontalPodAutoscaler' && !(target?.kind === 'Deployment' && typeof target.name === 'string' && deployments.has(target.name))) {
        refused.push(`${sourceOf(o)}: HorizontalPodAutoscaler ${o.metadata.name} → ${String(target?.kind)} ${String(target?.name)}`);
      }
    }
    if (refused.length) {
      throw new UserFacingError(
        t('The project\'s manifests hold objects the deploy does not apply: {0}. It applies only Deployments, Services, HorizontalPodAutoscalers and ConfigMaps, in the chosen namespace; remove the others, or apply them yourself with kubectl.', refused.slice(0, 10).join('; ')),
      );
    }
    if (skipped.length) notes.push(`not applied (apply them with kubectl if you want them): ${skipped.join(', ')}`);
    return { objects, files: used, notes };
  }
  return { objects: [], files: [], notes };
}

/** The file each object of findProjectManifests came from (kept off the object, so never applied). */
const sources = new WeakMap<KubeObject, string>();
export function sourceOf(o: KubeObject | undefined, fallback = 'the manifests'): string {
  return (o && sources.get(o)) ?? fallback;
}

/**
 * The scaffold's own k8s/deployment.yaml and service.yaml (media/templates/model-api/common/k8s),
 * rendered for `name`: what a scaffolded project that lost its k8s folder deploys with, so its
 * objects are the template's (security context, probes, resources, the /tmp volume) and
 * cannot drift from it.
 */
export async function templateManifests(templatesDir: string, name: string, port: number): Promise<KubeObject[]> {
  const view = { projectName: name, imageName: name, port };
  const out: KubeObject[] = [];
  for (const file of ['deployment.yaml', 'service.yaml']) {
    const text = await readFile(path.join(templatesDir, 'common', 'k8s', file), 'utf8');
    // The name comes from a folder or a project's marker: a value YAML cannot hold as a plain token is refused.
    const rendered = renderTemplate(`k8s/${file}`, text, view);
    const { parseAllDocuments } = await import('yaml');
    for (const doc of parseAllDocuments(rendered)) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind && obj.metadata?.name) out.push(obj);
    }
  }
  return out;
}

/**
 * A Kubernetes name for a project: the Deployment's and the Service's. Lowercase letters,
 * digits and "-" (an image name's "_" and "." are not allowed), starting with a letter (a
 * Service's name is a DNS-1035 label: "2024-model" is refused), at most 63 characters.
 * Folder names such as "my_project_2024" or "2024.model" become "my-project-2024" and
 * "app-2024-model".
 */
export function kubeNameFor(s: string): string {
  let n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-');
  let a = 0;
  let b = n.length;
  while (a < b && n[a] === '-') a++;
  while (b > a && n[b - 1] === '-') b--;
  n = n.slice(a, b);
  if (!n) return 'model-api';
  if (!/^[a-z]/.test(n)) n = `app-${n}`;
  n = n.slice(0, 63);
  while (n.endsWith('-')) n = n.slice(0, -1);
  return n;
}

/**
 * A Deployment and a Service for a plain app with no manifests of its own: nothing is assumed
 * of its image (its user, its writable paths), only its port and a readiness probe.
 */
export function generatedManifests(imageName: string, port: number, probe: { readonly path?: string } = { path: '/ready' }): KubeObject[] {
  const name = kubeNameFor(imageName);
  const labels = { [NAME_LABEL]: name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { ...labels } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            containers: [
              {
                name: 'api',
                image: `${imageName}:latest`,
                ports: [{ name: 'http', containerPort: port }],
                // What the app serves (see probe.ts): an HTTP path, else a TCP connection to its port.
                readinessProbe: probe.path ? { httpGet: { path: probe.path, port: 'http' }, periodSeconds: 5 } : { tcpSocket: { port: 'http' }, periodSeconds: 5 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: { ...labels } },
      spec: { selector: { ...labels }, ports: [{ name: 'http', port: 80, targetPort: port }] },
    },
  ];
}

/**
 * The objects to apply: each in the namespace, labelled as the extension's, the
 * Deployment's first container (or the one named "api") running the delivered image,
 * its pod template annotated with the model version, image id, commit and run id.
 */
export function prepareManifests(objects: readonly KubeObject[], what: WhatIsDeployed): KubeObject[] {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new UserFacingError(t('The project\'s manifests have no Deployment to deploy. Add one (k8s/deployment.yaml), or remove them to use generated ones.'));
  return objects.map((o) => {
    const copy = structuredClone(o);
    copy.metadata.namespace = what.namespace;
    copy.metadata.labels = { ...copy.metadata.labels, [MANAGED_BY]: FIELD_MANAGER };
    // Every object records its project, so another folder deriving the same name cannot take it over.
    if (what.project) copy.metadata.annotations = { ...copy.metadata.annotations, [ANNOTATIONS.project]: what.project };
    if (copy.kind !== 'Deployment') return copy;
    const spec = copy.spec as { template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { containers?: Array<{ name: string; image?: string; imagePullPolicy?: string }> } } };
    const target = apiContainer<{ name: string; image?: string; imagePullPolicy?: string }>(copy);
    if (!target) throw new UserFacingError(t('The Deployment {0} in {1} has no container to run the image in.', copy.metadata.name, sourceOf(o)));
    target.image = what.image;
    target.imagePullPolicy = what.pullPolicy;
    const template = (spec.template ??= {});
    template.metadata ??= {};
    template.metadata.annotations = {
      ...template.metadata.annotations,
      [ANNOTATIONS.modelVersion]: what.modelVersion,
      [ANNOTATIONS.imageId]: what.imageId,
      ...(what.gitCommit ? { [ANNOTATIONS.gitCommit]: what.gitCommit } : {}),
      ...(what.mlflowRunId ? { [ANNOTATIONS.mlflowRunId]: what.mlflowRunId } : {}),
      ...(what.served ? servedLabels(what.served) : {}),
    };
    const others = objects.filter((x) => x !== o).map((x) => `${x.kind}/${x.metadata.name}`);
    copy.metadata.annotations = { ...copy.metadata.annotations, ...(others.length ? { [ANNOTATIONS.objects]: others.join(',') } : {}) };
    return copy;
  });
}

/**
 * What Delete removes besides the Deployment: the objects its deploy recorded (Kind/name, see
 * ANNOTATIONS.objects; only kinds the deploy applies, in its namespace), else, for a
 * Deployment deployed before the record existed, a Service and an autoscaler of its name.
 * Each is removed only if it carries the extension's label (the caller checks).
 */
export function deleteCandidates(name: string, namespace: string, recorded: string | undefined): KubeObject[] {
  const pairs = recorded
    ? recorded
        .split(',')
        .map((s) => s.trim().split('/'))
        .filter((p): p is [string, string] => p.length === 2 && p[0] !== 'Deployment' && Object.prototype.hasOwnProperty.call(APPLIED_KINDS, p[0]!) && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(p[1]!))
    : ([['Service', name], ['HorizontalPodAutoscaler', name]] as Array<[string, string]>);
  // The first API version the deploy applies of each kind (autoscaling/v2 for an autoscaler).
  return pairs.map(([kind, n]) => ({ apiVersion: APPLIED_KINDS[kind]![0]!, kind, metadata: { name: n, namespace } }));
}

/** The container of a Deployment that runs the API: the one named "api", else the first (the object itself, not a copy). */
export function apiContainer<C extends { name?: string }>(deployment: { spec?: unknown } | undefined): C | undefined {
  const containers = (deployment?.spec as { template?: { spec?: { containers?: C[] } } } | undefined)?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === 'api') ?? containers[0];
}

/** The image a Deployment's container for the API runs. */
export function imageOf(deployment: KubeObject): string | undefined {
  return apiContainer<{ name: string; image?: string }>(deployment)?.image;
}

/** The Deployment's container port (named "http" or the first one) the Service or a port-forward targets. */
export function containerPort(deployment: KubeObject, fallback: number): number {
  const c = apiContainer<{ name: string; ports?: Array<{ name?: string; containerPort: number }> }>(deployment);
  const p = c?.ports?.find((x) => x.name === 'http') ?? c?.ports?.[0];
  return p?.containerPort ?? fallback;
}
