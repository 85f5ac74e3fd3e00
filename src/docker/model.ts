// What an image built by the extension is called and what it says about itself.
// Pure: the build command feeds it the project marker and the git state.

import type { GitState } from '../git/client';

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
  if (i.git?.remote) labels['org.opencontainers.image.source'] = i.git.remote;
  if (i.framework) labels['mlops.workbench/framework'] = i.framework;
  if (i.modelSource) labels['mlops.workbench/model-source'] = i.modelSource;
  if (i.mlflowRunId) labels['mlops.workbench/mlflow-run-id'] = i.mlflowRunId;
  return labels;
}
