// Where runs come from, behind one interface: an MLflow server (REST), a legacy MLflow
// file store read directly, or a DVC repository (`dvc exp show`). The tree, the table
// and the compare view ask a source; filter and order use MLflow's syntax everywhere
// (sent to a server, applied locally otherwise). No editor API.
import { createReadStream, existsSync } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { CancellationTokenLike } from '../../common/cancellation';
import { throwIfCancelled } from '../../common/cancellation';
import { UserFacingError } from '../../common/errors';
import { isInside, writeAtomically } from '../../common/files';
import { withoutCredentials } from '../../common/urls';
import { artifactDestination, isSafeArtifactPath } from './artifacts';
import type { DvcBaseline, DvcOptions } from './dvc/client';
import { expShow, runDvc } from './dvc/client';
import { attribute, compileFilter } from './filter';
import type { MlflowAuth } from './mlflow/client';
import { MlflowClient } from './mlflow/client';
import type { FileStoreProblem } from './mlflow/fileStore';
import { MlflowFileStore } from './mlflow/fileStore';
import type { ArtifactEntry, Experiment, MetricPoint, Run } from './model';
import { t } from '../../common/l10n';
import { own } from '../../common/objects';

export type SourceKind = 'mlflow-server' | 'mlflow-files' | 'dvc';

export interface RunQuery {
  /** MLflow's filter syntax. */
  readonly filter?: string;
  /** e.g. ["metrics.accuracy DESC"]; default: newest first. */
  readonly orderBy?: readonly string[];
  readonly limit?: number;
  readonly token?: CancellationTokenLike;
  /**
   * Called once with the first runs, before the rest are read (a large store's first rows show
   * at once): a server's first page; a file store's newest runs when there is no filter.
   */
  readonly onFirstPage?: (runs: Run[]) => void;
}

export interface ExperimentSource {
  /** Stable across sessions: kind and location. */
  readonly id: string;
  readonly kind: SourceKind;
  readonly label: string;
  /** Where it is: the server's URL or the folder. */
  readonly location: string;
  experiments(token?: CancellationTokenLike): Promise<Experiment[]>;
  runs(experimentIds: readonly string[], query?: RunQuery): Promise<Run[]>;
  metricHistory(run: Run, key: string): Promise<MetricPoint[]>;
  /** The artifacts directly under `dir` (the root when omitted). */
  artifacts(run: Run, dir?: string): Promise<ArtifactEntry[]>;
  /** Streams one artifact to `dest`; returns the bytes written. */
  downloadArtifact(run: Run, artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number>;
  /** What could not be read last time (a corrupt meta.yaml…), shown, never fatal. */
  readonly problems: readonly FileStoreProblem[];
  /** Drops anything cached, for sources that cache (DVC's `exp show`). */
  invalidate?(): void;
}

/** Orders runs as MLflow's order_by does: "metrics.x DESC", "params.y", "attributes.start_time ASC". Runs without the key go last. */
export function compareRuns(orderBy: readonly string[] | undefined): (a: Run, b: Run) => number {
  const keys = (orderBy?.length ? orderBy : ['attributes.start_time DESC']).map((o) => {
    const m = /^\s*(metrics?|params?|tags?|attributes?|attr)\.(?:`([^`]+)`|"([^"]+)"|(\S+))(?:\s+(ASC|DESC))?\s*$/i.exec(o);
    if (!m) throw new UserFacingError(t('"{0}" is not an order: use e.g. "metrics.accuracy DESC".', o));
    const entity = m[1].toLowerCase().replace(/^attr$/, 'attributes').replace(/^(metric|param|tag|attribute)$/, '$1s');
    return { entity, key: m[2] ?? m[3] ?? m[4], desc: (m[5] ?? 'ASC').toUpperCase() === 'DESC' };
  });
  const value = (r: Run, entity: string, key: string): string | number | undefined =>
    entity === 'attributes' ? attribute(r, key) : own(r[entity as 'metrics' | 'params' | 'tags'] as Record<string, string | number>, key);
  return (a, b) => {
    for (const k of keys) {
      const va = value(a, k.entity, k.key);
      const vb = value(b, k.entity, k.key);
      if (va === vb) continue;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      const na = Number(va);
      const nb = Number(vb);
      const c = !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : String(va).localeCompare(String(vb));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

/** Filter, order and limit applied locally, as a server would. */
export function queryLocally(runs: readonly Run[], q: RunQuery = {}): Run[] {
  const keep = q.filter?.trim() ? compileFilter(q.filter) : undefined;
  const out = (keep ? runs.filter(keep) : [...runs]).sort(compareRuns(q.orderBy));
  return q.limit !== undefined ? out.slice(0, q.limit) : out;
}

export class MlflowServerSource implements ExperimentSource {
  readonly kind = 'mlflow-server';
  readonly id: string;
  readonly label: string;
  readonly client: MlflowClient;
  readonly problems: FileStoreProblem[] = [];

  constructor(
    readonly location: string,
    auth?: MlflowAuth,
    label?: string,
  ) {
    this.client = new MlflowClient(location, auth);
    // Ids travel into webview state (saved on disk) and labels onto the screen: neither carries a user:password@.
    this.id = `mlflow:${withoutCredentials(location)}`;
    this.label = label ?? `MLflow ${withoutCredentials(location).replace(/^https?:\/\//, '')}`;
  }

  experiments(): Promise<Experiment[]> {
    return this.client.experiments();
  }

  async runs(experimentIds: readonly string[], q: RunQuery = {}): Promise<Run[]> {
    const opts = { experimentIds, ...(q.filter?.trim() ? { filter: q.filter } : {}), orderBy: q.orderBy ?? ['attributes.start_time DESC'], ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.token ? { token: q.token } : {}) };
    if (!q.onFirstPage) return this.client.searchRuns(opts);
    const out: Run[] = [];
    let first = true;
    for await (const page of this.client.searchRunPages(opts)) {
      out.push(...page);
      if (first) {
        first = false;
        q.onFirstPage([...out]);
      }
    }
    return out;
  }

  metricHistory(run: Run, key: string): Promise<MetricPoint[]> {
    return this.client.metricHistory(run.id, key);
  }

  artifacts(run: Run, dir?: string): Promise<ArtifactEntry[]> {
    return this.client.artifacts(run.id, dir);
  }

  downloadArtifact(run: Run, artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number> {
    return this.client.downloadArtifact(run.id, artifactPath, dest, token);
  }
}

/** A run's artifact folder on this machine, for a file:// (or plain path) artifact URI. */
export function localArtifactDir(run: Run): string | undefined {
  const uri = run.artifactUri;
  if (!uri) return undefined;
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (path.isAbsolute(uri)) return uri;
  return undefined;
}

/**
 * `rel` under `root`, checked twice: as spelled (no `..`, not absolute) and as it resolves
 * on disk (a linked folder on the way must not lead out of the artifacts).
 */
async function containedPath(root: string, rel: string): Promise<string> {
  const outside = (): UserFacingError => new UserFacingError(t('"{0}" is outside the run\'s artifacts.', rel));
  const abs = artifactDestination(root, rel);
  if (!abs) throw outside();
  const [realRoot, realParent] = await Promise.all([realpath(root), realpath(path.dirname(abs)).catch(() => undefined)]);
  if (realParent === undefined) return abs; // missing: the read that follows says so
  if (!isInside(path.relative(realRoot, realParent))) throw outside();
  return path.join(realParent, path.basename(abs));
}

async function listLocal(root: string, dir: string | undefined): Promise<ArtifactEntry[]> {
  const rel = dir ?? '';
  // The artifact folder itself linked elsewhere: nothing is listed.
  if (!(await lstat(root).catch(() => undefined))?.isDirectory()) return [];
  const abs = rel ? await containedPath(root, rel) : root;
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch {
    return [];
  }
  // Links are not followed (a committed store may link to ~/.aws or /dev/zero); only folders and regular files are listed.
  const shown = entries.filter((e) => (e.isDirectory() || e.isFile()) && isSafeArtifactPath(e.name));
  return Promise.all(
    shown.map(async (e) => {
      const p = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? { path: p, isDir: true } : { path: p, isDir: false, size: (await lstat(path.join(abs, e.name))).size };
    }),
  );
}

async function copyLocal(root: string, artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number> {
  throwIfCancelled(token);
  const src = await containedPath(root, artifactPath);
  const info = await lstat(src);
  if (!info.isFile()) throw new UserFacingError(t('"{0}" is not a regular file; it is not copied.', artifactPath));
  const ac = new AbortController();
  const sub = token?.onCancellationRequested(() => ac.abort());
  try {
    await writeAtomically(dest, (out) => pipeline(createReadStream(src), out, { signal: ac.signal }));
  } finally {
    sub?.dispose();
  }
  return (await stat(dest)).size;
}

export class MlflowFilesSource implements ExperimentSource {
  readonly kind = 'mlflow-files';
  readonly id: string;
  readonly label: string;
  readonly store: MlflowFileStore;
  problems: FileStoreProblem[] = [];

  /**
   * @param roots folders (the workspace's) where a run's recorded artifact folder may also
   * lie, besides the folder holding the store.
   */
  constructor(
    readonly location: string,
    label?: string,
    private readonly roots: readonly string[] = [],
  ) {
    this.store = new MlflowFileStore(location);
    this.id = `mlruns:${location}`;
    this.label = label ?? `${path.basename(location)} (file store)`;
  }

  async experiments(): Promise<Experiment[]> {
    const { experiments, problems } = await this.store.experiments();
    this.problems = problems;
    return experiments;
  }

  async runs(experimentIds: readonly string[], q: RunQuery = {}): Promise<Run[]> {
    // The newest few of a large store (the tree's first rows): only those are read whole.
    const newestFirst = !q.orderBy || (q.orderBy.length === 1 && /^\s*attributes\.start_time\s+DESC\s*$/i.test(q.orderBy[0]!));
    if (q.limit !== undefined && !q.filter?.trim() && newestFirst && experimentIds.length === 1) {
      const r = await this.store.recentRuns(experimentIds[0]!, q.limit);
      this.problems = r.problems;
      return queryLocally(r.runs, q);
    }
    // The table's first rows: the newest runs of a large experiment, before all of them are read
    // (and not read a second time for the whole).
    let known: Map<string, Run> | undefined;
    if (q.onFirstPage && !q.filter?.trim() && newestFirst && experimentIds.length === 1) {
      const r = await this.store.recentRuns(experimentIds[0]!, 1000);
      if (r.total > r.runs.length) {
        q.onFirstPage(queryLocally(r.runs, { orderBy: q.orderBy ?? ['attributes.start_time DESC'] }));
        known = new Map(r.runs.map((run) => [run.id, run]));
      }
    }
    const all: Run[] = [];
    const problems: FileStoreProblem[] = [];
    for (const id of experimentIds) {
      throwIfCancelled(q.token);
      const r = await this.store.runs(id, known);
      all.push(...r.runs);
      problems.push(...r.problems);
    }
    this.problems = problems;
    return queryLocally(all, q);
  }

  run(runId: string): Promise<Run | undefined> {
    return this.store.run(runId);
  }

  metricHistory(run: Run, key: string): Promise<MetricPoint[]> {
    return this.store.metricHistory(run.experimentId, run.id, key);
  }

  /** MLflow 3 LoggedModels the run produced: their ids and artifact folders (mlruns/<exp>/models/<id>/artifacts). */
  async loggedModels(run: Run): Promise<Array<{ id: string; artifacts: string }>> {
    const names = await readdir(path.join(this.location, run.experimentId, run.id, 'outputs')).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith('m-')).map((id) => ({ id, artifacts: path.join(this.location, run.experimentId, 'models', id, 'artifacts') }));
  }

  /**
   * The run's artifact folder: the recorded one when it lies in the folder that holds the
   * store (mlruns/ itself, or an mlartifacts/ beside it) or in the workspace; otherwise (a path from another
   * machine, or one pointing elsewhere such as ~/.ssh) the store's own copy beside meta.yaml.
   */
  private artifactRoot(run: Run): string {
    const own = path.join(this.location, run.experimentId, run.id, 'artifacts');
    const recorded = localArtifactDir(run);
    const allowed = [path.dirname(path.resolve(this.location)), ...this.roots.map((r) => path.resolve(r))];
    // A recorded folder that is gone (the store moved within the workspace) gives way to the store's own copy.
    if (recorded && allowed.some((a) => isInside(path.relative(a, path.resolve(recorded)))) && (existsSync(recorded) || !existsSync(own))) return recorded;
    return own;
  }

  /**
   * The folder of a registered version's model files in this store: its source (`runs:/<run>/<path>`,
   * an MLflow 3 `models:/m-…`, or a path) resolved to a folder inside the store, its own artifact
   * folders or the workspace — never elsewhere; undefined when there is none.
   */
  async modelFolder(source: string, runId?: string): Promise<string | undefined> {
    const isDir = async (p: string | undefined): Promise<string | undefined> => (p && (await lstat(p).catch(() => undefined))?.isDirectory() ? p : undefined);
    const fromRun = /^runs:\/([\w-]{1,64})\/(.+?)\/*$/.exec(source);
    if (fromRun) {
      const run = await this.run(fromRun[1]!);
      return run ? isDir(artifactDestination(this.artifactRoot(run), fromRun[2]!)) : undefined;
    }
    const logged = /^models:\/(m-[\w-]{1,64})$/.exec(source);
    if (logged) {
      const run = runId ? await this.run(runId) : undefined;
      const experiments = run ? [run.experimentId] : (await readdir(this.location, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && /^\d+$/.test(e.name)).map((e) => e.name);
      for (const exp of experiments) {
        const found = await isDir(path.join(this.location, exp, 'models', logged[1]!, 'artifacts'));
        if (found) return found;
      }
      return undefined;
    }
    let local: string;
    try {
      local = /^file:/i.test(source) ? fileURLToPath(source) : source;
    } catch {
      return undefined;
    }
    if (!path.isAbsolute(local)) return undefined;
    const allowed = [path.dirname(path.resolve(this.location)), ...this.roots.map((r) => path.resolve(r))];
    return allowed.some((a) => isInside(path.relative(a, path.resolve(local)))) ? isDir(path.resolve(local)) : undefined;
  }

  artifacts(run: Run, dir?: string): Promise<ArtifactEntry[]> {
    return listLocal(this.artifactRoot(run), dir);
  }

  downloadArtifact(run: Run, artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number> {
    return copyLocal(this.artifactRoot(run), artifactPath, dest, token);
  }
}

export class DvcSource implements ExperimentSource {
  readonly kind = 'dvc';
  readonly id: string;
  readonly label: string;
  readonly problems: FileStoreProblem[] = [];
  private cache: Promise<DvcBaseline[]> | undefined;

  constructor(
    readonly location: string,
    private readonly dvc: Omit<DvcOptions, 'cwd'>,
    label?: string,
  ) {
    this.id = `dvc:${location}`;
    this.label = label ?? `${path.basename(location)} (DVC)`;
  }

  /** Forget the last `dvc exp show`; the next call runs it again. */
  invalidate(): void {
    this.cache = undefined;
  }

  private baselines(token?: CancellationTokenLike): Promise<DvcBaseline[]> {
    if (!this.cache) {
      this.cache = expShow({ ...this.dvc, cwd: this.location, ...(token ? { token } : {}) });
      this.cache.catch(() => (this.cache = undefined));
    }
    return this.cache;
  }

  async experiments(token?: CancellationTokenLike): Promise<Experiment[]> {
    return (await this.baselines(token)).map((b) => ({ id: b.rev, name: b.name, lifecycleStage: 'active', tags: {} }));
  }

  async runs(experimentIds: readonly string[], q: RunQuery = {}): Promise<Run[]> {
    const all = (await this.baselines(q.token)).filter((b) => experimentIds.includes(b.rev)).flatMap((b) => b.runs);
    return queryLocally(all, q);
  }

  /** DVC keeps the latest value of each metric per experiment; there is no step history to read. */
  async metricHistory(run: Run, key: string): Promise<MetricPoint[]> {
    const v = own(run.metrics, key);
    return v === undefined ? [] : [{ step: 0, value: v, timestamp: run.startTime ?? 0 }];
  }

  async artifacts(): Promise<ArtifactEntry[]> {
    return [];
  }

  downloadArtifact(): Promise<number> {
    return Promise.reject(new UserFacingError(t('DVC experiments have no artifact store to download from; their outputs are in the workspace after "Apply".')));
  }

  /** Runs DVC for this repository (exp run/apply/branch) and forgets the cached table. */
  async exec(args: readonly string[], token?: CancellationTokenLike): Promise<string> {
    try {
      return await runDvc(args, { ...this.dvc, cwd: this.location, ...(token ? { token } : {}) });
    } finally {
      this.invalidate();
    }
  }
}
