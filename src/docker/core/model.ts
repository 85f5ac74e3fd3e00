// What an image built by the extension is called and what it says about itself.
// Pure: the build command feeds it the project marker and the git state.

import type { GitState } from '../../git/core/client';
import type { ContainerSummary, ImageSummary } from './client';
import { withoutCredentials } from '../../common/urls';
import type { ServedVersion } from '../../registry/core/model';
import { servedLabels } from '../../registry/core/model';

/** The label every image and container made by the extension carries (the tree's default filter). */
export const MANAGED_LABEL = 'mlops.workbench/managed=true';

/** `<name>:<version>` and, inside a git repository, `<name>:git-<short sha>[-dirty]`. */
export function imageTags(name: string, version: string, git?: GitState): string[] {
  const tags = [`${name}:${sanitizeTag(version)}`];
  if (git) tags.push(`${name}:git-${git.sha.slice(0, 7)}${git.dirty ? '-dirty' : ''}`);
  return tags;
}

/** Docker tags: [A-Za-z0-9_.-], not starting with "." or "-", at most 128 characters. */
export function sanitizeTag(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128);
  return t || 'latest';
}

/** The run id in an MLflow `runs:/<id>/…` URI. */
export function mlflowRunId(uri: string | undefined): string | undefined {
  return uri ? /^runs:\/([0-9a-f]{32})\//.exec(uri)?.[1] : undefined;
}

export interface LabelInput {
  readonly title: string;
  readonly version: string;
  readonly created: Date;
  readonly git?: GitState;
  readonly framework?: string;
  readonly modelSource?: string;
  readonly mlflowRunId?: string;
  /** The registered model version the project's model is (its fetch_model.py recorded it). */
  readonly served?: ServedVersion;
}

/** OCI annotations plus the extension's own `mlops.workbench/*` labels (which the Images tree filters on). */
export function imageLabels(i: LabelInput): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': i.title,
    'org.opencontainers.image.version': i.version,
    'org.opencontainers.image.created': i.created.toISOString(),
    'mlops.workbench/managed': 'true',
  };
  if (i.git) labels['org.opencontainers.image.revision'] = `${i.git.sha}${i.git.dirty ? '-dirty' : ''}`;
  // Labels are pushed with the image: a remote's credentials never go into one.
  if (i.git?.remote) labels['org.opencontainers.image.source'] = withoutCredentials(i.git.remote);
  if (i.framework) labels['mlops.workbench/framework'] = i.framework;
  if (i.modelSource) labels['mlops.workbench/model-source'] = i.modelSource;
  if (i.mlflowRunId) labels['mlops.workbench/mlflow-run-id'] = i.mlflowRunId;
  if (i.served) Object.assign(labels, servedLabels(i.served));
  return labels;
}

/** "repo/name:tag" → ["repo/name", "tag"]; a registry's port is not a tag. */
export function splitTag(ref: string): [string, string] {
  const i = ref.lastIndexOf(':');
  if (i <= 0 || ref.slice(i).includes('/')) return [ref, 'latest'];
  return [ref.slice(0, i), ref.slice(i + 1)];
}

/**
 * Images with their containers. Containers whose image is not listed (untagged since,
 * or filtered out) are "loose": kept when they are the extension's own, or when all are shown.
 */
export function groupByImage(
  images: readonly ImageSummary[],
  containers: readonly ContainerSummary[],
  showAll: boolean,
): { groups: Array<{ image: ImageSummary; containers: ContainerSummary[] }>; loose: ContainerSummary[] } {
  const groups = images.map((image) => ({ image, containers: [] as ContainerSummary[] }));
  const byId = new Map(groups.map((g) => [g.image.id, g]));
  const loose: ContainerSummary[] = [];
  for (const c of containers) {
    const g = byId.get(c.imageId);
    if (g) g.containers.push(c);
    else if (showAll || c.labels['mlops.workbench/managed'] === 'true') loose.push(c);
  }
  const order = (c: ContainerSummary) => (c.state === 'running' ? 0 : 1);
  for (const g of groups) g.containers.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  return { groups, loose };
}

/** KEY=value pairs separated by spaces; undefined when malformed. */
export function parseEnv(text: string): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const pair of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!m) return undefined;
    env[m[1]] = m[2];
  }
  return env;
}
