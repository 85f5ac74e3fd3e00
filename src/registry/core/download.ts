// A registered version's files, brought into a model API project's model/ folder by the
// extension itself (what the project's fetch_model.py does in Python): from the server's
// artifact proxy (mlflow-artifacts:/, what `mlflow server` serves by default) or from this
// machine's disk. Buckets need MLflow's own client and their SDK: said, with the package.
// No editor API.
import { randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CancellationTokenLike } from '../../common/cancellation';
import { throwIfCancelled } from '../../common/cancellation';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';
import { artifactDestination } from '../../experiments/core/artifacts';
import type { MlflowClient } from '../../experiments/core/mlflow/client';
import type { ServedVersion } from './model';
import { parseServedRecord } from './model';

/** Where a version's files are, as the server's get-download-uri tells. */
export type ArtifactLocation =
  | { readonly kind: 'proxied'; readonly path: string }
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'unsupported'; readonly scheme: string; readonly packages: readonly string[] };

/** What MLflow's own client needs installed for each store it downloads from. */
const STORE_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  s3: ['boto3'],
  s3a: ['boto3'],
  gs: ['google-cloud-storage'],
  wasbs: ['azure-storage-blob', 'azure-identity'],
  wasb: ['azure-storage-blob', 'azure-identity'],
  abfss: ['azure-storage-file-datalake', 'azure-identity'],
  oci: ['oci'],
  hdfs: ['pyarrow'],
  viewfs: ['pyarrow'],
  sftp: ['pysftp'],
  ftp: [],
  dbfs: ['databricks-sdk'],
};

/**
 * Classifies an artifact URI. `serverBase` is the server's address (an http(s) URI into its
 * own proxy counts as proxied); `storeDir` resolves the relative paths MLflow 1.x recorded.
 */
export function artifactLocation(uri: string, serverBase: string, storeDir?: string): ArtifactLocation {
  const u = uri.trim();
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(u);
  if (proxied) return { kind: 'proxied', path: stripSlashes(decodeURIComponent(proxied[1] ?? '')) };
  const proxyPrefix = `${serverBase.replace(/\/+$/, '')}/api/2.0/mlflow-artifacts/artifacts/`;
  if (u.startsWith(proxyPrefix)) return { kind: 'proxied', path: stripSlashes(decodeURIComponent(u.slice(proxyPrefix.length))) };
  if (/^file:/i.test(u)) {
    try {
      return { kind: 'local', path: fileURLToPath(u.replace(/^file:(?!\/\/)/i, 'file://')) };
    } catch {
      return { kind: 'unsupported', scheme: 'file', packages: [] };
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1]?.toLowerCase();
  // A drive letter is a path, not a scheme.
  if (scheme && !(scheme.length === 1 && /^[a-z]:[\\/]/i.test(u))) return { kind: 'unsupported', scheme, packages: STORE_PACKAGES[scheme] ?? [] };
  return { kind: 'local', path: path.isAbsolute(u) ? u : path.resolve(storeDir ?? process.cwd(), u) };
}

function stripSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

export interface DownloadProgress {
  readonly files: number;
  readonly bytes: number;
  readonly file?: string;
}

export interface DownloadOptions {
  /** The folder relative artifact paths are resolved against (a managed server's store folder). */
  readonly storeDir?: string;
  readonly token?: CancellationTokenLike;
  readonly onProgress?: (p: DownloadProgress) => void;
  /** At most this many files (a model folder has a handful). */
  readonly maxFiles?: number;
}

export interface Downloaded {
  readonly uri: string;
  readonly files: number;
  readonly bytes: number;
}

const MAX_DEPTH = 32;

/** Downloads the files of `name` v`version` into `dest` (created; must not exist yet). */
export async function downloadVersion(client: MlflowClient, name: string, version: string, dest: string, opts: DownloadOptions = {}): Promise<Downloaded> {
  const r = await client.rest<{ artifact_uri?: unknown }>('GET', 'model-versions/get-download-uri', undefined, { name, version });
  const uri = typeof r.artifact_uri === 'string' ? r.artifact_uri : '';
  if (!uri) throw new UserFacingError(t('MLflow at {0} gave no location for the files of {1} v{2}.', client.uri, name, version));
  const where = artifactLocation(uri, client.uri, opts.storeDir);
  const maxFiles = opts.maxFiles ?? 10_000;
  let files = 0;
  let bytes = 0;
  await mkdir(dest, { recursive: true });
  if (where.kind === 'unsupported') {
    const packages = where.packages.length ? t(' in a Python with {0} installed', where.packages.join(', ')) : '';
    throw new UserFacingError(
      t('The files of {0} v{1} are at {2}, which MLOps Workbench cannot read: it downloads through the MLflow server (mlflow server serves artifacts by default) or from this machine’s disk. Run the project’s fetch_model.py with MLFLOW_TRACKING_URI={3}{4}, then deploy.', name, version, uri, client.uri, packages),
    );
  }
  if (where.kind === 'local') {
    const info = await stat(where.path).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new UserFacingError(t('The files of {0} v{1} are at {2}, a folder this machine does not have (the server keeps its artifacts on its own disk). Start the server with artifact serving (mlflow server --serve-artifacts) or run fetch_model.py where that folder is.', name, version, uri));
    }
    ({ files, bytes } = await copyModelFolder(where.path, dest, { ...opts, name, version }));
  } else {
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) throw new UserFacingError(t('The files of {0} v{1} nest deeper than {2} folders; not downloaded.', name, version, MAX_DEPTH));
      for (const entry of await client.proxiedArtifacts(dir)) {
        throwIfCancelled(opts.token);
        const childRel = rel ? `${rel}/${entry.path}` : entry.path;
        const target = artifactDestination(dest, childRel);
        if (!target) continue;
        if (entry.isDir) {
          await mkdir(target, { recursive: true });
          await walk(dir ? `${dir}/${entry.path}` : entry.path, childRel, depth + 1);
          continue;
        }
        if (++files > maxFiles) throw tooMany(name, version, maxFiles);
        bytes += await client.downloadProxiedArtifact(dir ? `${dir}/${entry.path}` : entry.path, target, opts.token);
        opts.onProgress?.({ files, bytes, file: childRel });
      }
    };
    await walk(where.path, '', 0);
  }
  if (!(await stat(path.join(dest, 'MLmodel')).catch(() => undefined))?.isFile()) {
    throw new UserFacingError(t('{0} v{1} at {2} holds no MLmodel file: it is not an MLflow model the API can load.', name, version, uri));
  }
  return { uri, files, bytes };
}

/**
 * Copies a model folder on this machine (a server's local artifact root, a file store's run
 * artifacts) into `dest`: its own files only (links are not followed), bounded in count.
 */
export async function copyModelFolder(src: string, dest: string, opts: DownloadOptions & { name: string; version: string }): Promise<{ files: number; bytes: number }> {
  const maxFiles = opts.maxFiles ?? 10_000;
  let files = 0;
  let bytes = 0;
  await mkdir(dest, { recursive: true });
  await cp(src, dest, {
    recursive: true,
    filter: async (p) => {
      throwIfCancelled(opts.token);
      const l = await lstat(p);
      if (l.isSymbolicLink()) return false;
      if (l.isFile()) {
        if (++files > maxFiles) throw tooMany(opts.name, opts.version, maxFiles);
        bytes += l.size;
        opts.onProgress?.({ files, bytes, file: path.relative(src, p) });
      }
      return true;
    },
  });
  if (!(await stat(path.join(dest, 'MLmodel')).catch(() => undefined))?.isFile()) throw new UserFacingError(t('{0} v{1} at {2} holds no MLmodel file: it is not an MLflow model the API can load.', opts.name, opts.version, src));
  return { files, bytes };
}

function tooMany(name: string, version: string, max: number): UserFacingError {
  return new UserFacingError(t('{0} v{1} has more than {2} files; not downloaded. Run fetch_model.py for it.', name, version, max));
}

/** What a project's model/ folder holds now. */
export type ModelFolderState = { readonly kind: 'absent' } | { readonly kind: 'registered'; readonly served: ServedVersion } | { readonly kind: 'other' };

/** `<project>/model`: missing, a registered version fetched before (registered.json), or something else (the user's own files). */
export async function modelFolderState(projectDir: string): Promise<ModelFolderState> {
  const dir = path.join(projectDir, 'model');
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return { kind: 'absent' };
  if (!info.isDirectory()) return { kind: 'other' };
  const served = await readFile(path.join(dir, 'registered.json'), 'utf8').then(parseServedRecord, () => undefined);
  return served ? { kind: 'registered', served } : { kind: 'other' };
}

/**
 * Puts a version into `<project>/model`, as fetch_model.py does: downloaded beside it first,
 * registered.json written, then swapped in (the old folder removed only once the new one is
 * complete: a failed or cancelled download leaves the project as it was).
 */
export async function installVersion(
  projectDir: string,
  served: ServedVersion & { readonly runId?: string },
  download: (dest: string) => Promise<Downloaded>,
): Promise<Downloaded> {
  const work = path.join(projectDir, '.mlops', `download-${randomBytes(4).toString('hex')}`);
  const incoming = path.join(work, 'model');
  const model = path.join(projectDir, 'model');
  try {
    const got = await download(incoming);
    const record = { name: served.name, version: served.version, ...(served.alias ? { alias: served.alias } : {}), ...(served.runId ? { run_id: served.runId } : {}) };
    await writeFile(path.join(incoming, 'registered.json'), `${JSON.stringify(record, null, 2)}\n`, 'utf8');
    const old = path.join(work, 'previous');
    const hadOld = await lstat(model).then(() => true, () => false);
    if (hadOld) await rename(model, old);
    try {
      await rename(incoming, model);
    } catch (err) {
      if (hadOld) await rename(old, model).catch(() => undefined);
      throw err;
    }
    return got;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
