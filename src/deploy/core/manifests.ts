// The objects a deploy applies: the project's own k8s/*.yaml (Deployment, Service and,
// when present, a HorizontalPodAutoscaler) or generated ones, with the image the
// delivery named and labels and annotations recording what is deployed. No editor API.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UserFacingError, errorMessage } from '../../common/errors';
import { t } from '../../common/l10n';
import { renderTemplate } from '../../scaffold/core/render';

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

/** Reads k8s/*.yaml of the project; an empty list when it has none. Bad YAML, or a kind the deploy does not apply, is an error naming the file. */
export async function readProjectManifests(dir: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  const refused: string[] = [];
  for (const file of ['deployment.yaml', 'service.yaml', 'hpa.yaml']) {
    const p = path.join(dir, 'k8s', file);
    const text = await readFile(p, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    for (const doc of parseAllDocuments(text, { logLevel: 'error' })) {
      if (doc.errors.length) {
        const e = doc.errors[0]!;
        throw new UserFacingError(t('k8s/{0} does not parse: line {1}: {2}', file, e.linePos?.[0].line ?? '?', e.message.split('\n')[0]));
      }
      let obj: KubeObject | null;
      try {
        obj = doc.toJS({ maxAliasCount: 100 }) as KubeObject | null;
      } catch (err) {
        // An alias to no anchor, or an alias bomb: the file is refused, not half read.
        throw new UserFacingError(t('k8s/{0} cannot be read: {1}', file, errorMessage(err).split('\n')[0]));
      }
      if (!obj || typeof obj !== 'object') continue;
      if (typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
        refused.push(`k8s/${file}: ${t('an object without a kind and a name')}`);
        continue;
      }
      const versions = Object.prototype.hasOwnProperty.call(APPLIED_KINDS, obj.kind) ? APPLIED_KINDS[obj.kind]! : undefined;
      if (!versions || !versions.includes(String(obj.apiVersion))) refused.push(`k8s/${file}: ${String(obj.apiVersion)} ${obj.kind} ${obj.metadata.name}`);
      else out.push(obj);
    }
  }
  // An autoscaler steers the Deployment it names: only this project's.
  const deployments = new Set(out.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name));
  for (const o of out) {
    const target = (o.spec as { scaleTargetRef?: { kind?: unknown; name?: unknown } } | undefined)?.scaleTargetRef;
    if (o.kind === 'HorizontalPodAutoscaler' && !(target?.kind === 'Deployment' && typeof target.name === 'string' && deployments.has(target.name))) {
      refused.push(`k8s/hpa.yaml: HorizontalPodAutoscaler ${o.metadata.name} → ${String(target?.kind)} ${String(target?.name)}`);
    }
  }
  if (refused.length) {
    throw new UserFacingError(
      t('The project\'s manifests hold objects the deploy does not apply: {0}. It applies only Deployments, Services, HorizontalPodAutoscalers and ConfigMaps, in the chosen namespace; remove the others, or apply them yourself with kubectl.', refused.slice(0, 10).join('; ')),
    );
  }
  return out;
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
  if (!deployment) throw new UserFacingError(t('The project\'s k8s folder has no Deployment to deploy. Add k8s/deployment.yaml, or remove the folder to use a generated one.'));
  return objects.map((o) => {
    const copy = structuredClone(o);
    copy.metadata.namespace = what.namespace;
    copy.metadata.labels = { ...copy.metadata.labels, [MANAGED_BY]: FIELD_MANAGER };
    if (copy.kind !== 'Deployment') return copy;
    const spec = copy.spec as { template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { containers?: Array<{ name: string; image?: string; imagePullPolicy?: string }> } } };
    const containers = spec.template?.spec?.containers ?? [];
    const target = containers.find((c) => c.name === 'api') ?? containers[0];
    if (!target) throw new UserFacingError(t('The Deployment {0} in k8s/deployment.yaml has no container to run the image in.', copy.metadata.name));
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
    };
    copy.metadata.annotations = { ...copy.metadata.annotations, ...(what.project ? { [ANNOTATIONS.project]: what.project } : {}) };
    return copy;
  });
}

/** The Deployment's container port (named "http" or the first one) the Service or a port-forward targets. */
export function containerPort(deployment: KubeObject, fallback: number): number {
  const containers = ((deployment.spec as { template?: { spec?: { containers?: Array<{ name: string; ports?: Array<{ name?: string; containerPort: number }> }> } } })?.template?.spec?.containers) ?? [];
  const c = containers.find((x) => x.name === 'api') ?? containers[0];
  const p = c?.ports?.find((x) => x.name === 'http') ?? c?.ports?.[0];
  return p?.containerPort ?? fallback;
}
