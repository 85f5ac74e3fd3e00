// From a model-API folder (or any folder with a Dockerfile) to what a build needs:
// image name, tags, labels, build args, and what the run and the smoke test need
// afterwards. No editor API.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GitState } from '../../git/core/client';
import { samplePayloadFile } from '../../scaffold/core/payload';
import { parseProjectMarker } from '../../scaffold/core/projects';
import { parseServedRecord } from '../../registry/core/model';
import { imageLabels, imageTags, mlflowRunId } from './model';
import { copiedSources } from './ignoreRules';

export interface ImagePlan {
  readonly contextDir: string;
  /** Relative to contextDir, "/"-separated. */
  readonly dockerfile: string;
  readonly imageName: string;
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The port the app listens on inside the container. */
  readonly port: number;
  /** Where the port came from: the project marker, the command's --port, EXPOSE, or nothing (8000 assumed). */
  readonly portFrom: 'marker' | 'command' | 'expose' | 'assumed';
  readonly framework?: string;
  /** Absolute path of the JSON body /predict is smoke-tested with, when the project has one. */
  readonly samplePayload?: string;
}

export interface PlanInput {
  /** The Dockerfile (absolute). Its folder is the context. */
  readonly dockerfile: string;
  /** The Dockerfile's text, when the caller has read it already. */
  readonly dockerfileText?: string;
  /** BASE_IMAGE build arg; empty: the Dockerfile's own default. */
  readonly baseImage?: string;
  readonly git?: GitState;
  readonly now?: Date;
}

/** The names users give Dockerfiles: Dockerfile, dockerfile, Containerfile, Dockerfile.prod, api.Dockerfile. */
export function isDockerfileName(name: string): boolean {
  return /^(?:Dockerfile|dockerfile|Containerfile)$/.test(name) || /^(?:Dockerfile|dockerfile)\.[\w.-]+$/.test(name) || /^[\w.-]+\.[Dd]ockerfile$/.test(name);
}

/** The glob of those names, for the editor's file searches and watchers. */
export const DOCKERFILE_GLOB = '{Dockerfile,dockerfile,Containerfile,Dockerfile.*,dockerfile.*,*.Dockerfile,*.dockerfile}';

/**
 * The Dockerfile a folder is built from: Dockerfile, else dockerfile or Containerfile, else
 * the first of its Dockerfile.* and *.Dockerfile files (a ".dockerignore" or a "Dockerfile.md"
 * is not one).
 */
export async function dockerfileIn(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const pick = ['Dockerfile', 'dockerfile', 'Containerfile'].find((n) => names.includes(n)) ?? names.filter((n) => isDockerfileName(n) && !/\.(?:md|txt|dockerignore)$/i.test(n)).sort()[0];
  if (!pick) return undefined;
  const file = path.join(dir, pick);
  return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
}

/**
 * The build context of a Dockerfile: its own folder, or — when what it COPYs is not there but
 * is in a folder above (a Dockerfile kept in app/ or docker/ and built with
 * `docker build -f app/Dockerfile .`) — that folder, at most two levels up.
 */
export async function contextDirFor(dockerfile: string, text?: string): Promise<string> {
  const own = path.dirname(dockerfile);
  const sources = copiedSources(text ?? (await readFile(dockerfile, 'utf8'))).filter((s) => s && s !== '.' && !/[*?[\]$]/.test(s) && !path.isAbsolute(s) && !/^https?:/.test(s));
  if (sources.length === 0) return own;
  const has = async (dir: string): Promise<boolean> => (await Promise.all(sources.map((s) => stat(path.join(dir, s)).then(() => true, () => false)))).every(Boolean);
  for (let dir = own, up = 0; up <= 2; up++, dir = path.dirname(dir)) {
    if (await has(dir)) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return own;
}

/** A Docker repository name: lower case, [a-z0-9._-], separated by "/". */
export function imageNameFor(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9._/-]+/g, '-')
    .replace(/([._-])[._-]+/g, '$1');
  // Trimmed by hand: /[._/-]+$/ retries from every separator of a long run (quadratic).
  const sep = (c: string | undefined): boolean => c === '.' || c === '_' || c === '/' || c === '-';
  let a = 0;
  let b = n.length;
  while (a < b && sep(n[a])) a++;
  while (b > a && sep(n[b - 1])) b--;
  return n.slice(a, b) || 'model-api';
}

// Dockerfile lines are matched with [ \t]* (never \s*, which crosses lines: with the m flag
// every line start then scans to the end of the file, quadratic on a file of blank lines).

/** The first EXPOSE's port. */
export function exposedPort(dockerfile: string): number | undefined {
  const m = /^[ \t]*EXPOSE[ \t]+(\d+)/im.exec(dockerfile);
  return m ? Number(m[1]) : undefined;
}

/**
 * The port the Dockerfile's last CMD or ENTRYPOINT tells the server to listen on: uvicorn's
 * or flask's --port/-p, gunicorn's --bind/-b host:port, or a bare host:port argument.
 */
export function commandPort(dockerfile: string): number | undefined {
  let found: number | undefined;
  for (const line of dockerfile.split('\n')) {
    if (!/^[ \t]*(?:CMD|ENTRYPOINT)\b/i.test(line)) continue;
    const text = line.replace(/["',[\]]/g, ' ');
    const m = /(?:--port|-p)(?:[ \t]+|=)(\d{2,5})\b/.exec(text) ?? /(?:--bind|-b)(?:[ \t]+|=)[^ \t:]*:(\d{2,5})\b/.exec(text) ?? /\b(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\]):(\d{2,5})\b/.exec(text);
    if (m) found = Number(m[1]);
  }
  return found;
}

/** Whether the Dockerfile declares ARG BASE_IMAGE (the base image a setting can change). */
export function declaresBaseImage(dockerfile: string): boolean {
  return /^[ \t]*ARG[ \t]+BASE_IMAGE\b/im.test(dockerfile);
}

export async function planImage(input: PlanInput): Promise<ImagePlan> {
  const dockerfileText = input.dockerfileText ?? (await readFile(input.dockerfile, 'utf8'));
  const contextDir = await contextDirFor(input.dockerfile, dockerfileText);
  // The project file, when the folder is a scaffolded project and the file reads.
  const marker = await readFile(path.join(contextDir, '.mlops', 'project.json'), 'utf8')
    .then((t) => parseProjectMarker(contextDir, t))
    .then((p) => (p.problem ? undefined : p))
    .catch(() => undefined);
  const imageName = imageNameFor(marker?.image ?? marker?.name ?? path.basename(contextDir));
  const framework = marker && marker.framework !== 'unknown' ? marker.framework : undefined;
  const version = marker?.version ?? 'latest';
  // The port the app listens on: the marker's, else what its command says, else what it EXPOSEs.
  const fromCommand = commandPort(dockerfileText);
  const fromExpose = exposedPort(dockerfileText);
  const port = marker?.port ?? fromCommand ?? fromExpose ?? 8000;
  const portFrom = marker?.port !== undefined ? 'marker' : fromCommand !== undefined ? 'command' : fromExpose !== undefined ? 'expose' : 'assumed';
  const runId = mlflowRunId(marker?.modelSource?.uri);
  // A registered model's version, as fetch_model.py recorded it beside the model it downloaded.
  const served = marker?.modelSource?.kind === 'mlflow' ? await readFile(path.join(contextDir, 'model', 'registered.json'), 'utf8').then(parseServedRecord, () => undefined) : undefined;
  const declaresBase = declaresBaseImage(dockerfileText);
  const samplePayload = await samplePayloadFile(contextDir).catch(() => undefined);
  return {
    contextDir,
    dockerfile: path.relative(contextDir, input.dockerfile).split(path.sep).join('/'),
    imageName,
    tags: imageTags(imageName, version, input.git),
    labels: imageLabels({
      title: marker?.name ?? path.basename(contextDir),
      version,
      created: input.now ?? new Date(),
      ...(input.git ? { git: input.git } : {}),
      ...(framework ? { framework } : {}),
      ...(marker?.modelSource?.kind ? { modelSource: marker.modelSource.kind } : {}),
      ...(runId ? { mlflowRunId: runId } : {}),
      ...(served ? { served } : {}),
    }),
    buildArgs: input.baseImage && declaresBase ? { BASE_IMAGE: input.baseImage } : {},
    port,
    portFrom,
    ...(framework ? { framework } : {}),
    ...(samplePayload ? { samplePayload } : {}),
  };
}
