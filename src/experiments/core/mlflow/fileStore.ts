// MLflow's legacy file store (`mlruns/`) read directly, without a server: experiments'
// and runs' meta.yaml, params, metric files (`<timestamp> <value> <step>` per line) and
// tags. Keys with "/" are nested folders, as MLflow writes them. A run whose meta.yaml is
// missing or unreadable is reported as a problem, never fatal. A committed store is
// untrusted: links are not followed (a param linked to /dev/zero or ~/.aws/credentials),
// only regular files of bounded size are read, folders to a bounded depth. No editor API.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Experiment, MetricPoint, Run } from '../model';

/** MLflow's RunStatus enum as the file store writes it. */
const STATUS_BY_NUMBER: Record<number, Run['status']> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

export interface FileStoreProblem {
  readonly path: string;
  readonly message: string;
}

export interface FileStoreRuns {
  readonly runs: Run[];
  readonly problems: FileStoreProblem[];
}

/** Opening never follows a link, and never waits (a FIFO or a device opens at once, then is refused as not a file). */
const READ_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);
/** MLflow caps a param value at 6,000 characters and a tag at 8,000; meta.yaml is a few hundred bytes. */
export const LIMITS = { value: 64 * 1024, meta: 1024 * 1024, metricWhole: 1024 * 1024, metricTail: 64 * 1024, history: 64 * 1024 * 1024, depth: 8, keys: 5000 } as const;

/**
 * A regular file's text, at most `max` bytes (or, with `tail`, its last `tail` bytes when it
 * is longer than `max`). Throws for a link (ELOOP), a missing file (ENOENT), anything that
 * is not a regular file, or a file over `max` without `tail`.
 */
export function readRegularSync(file: string, max: number, tail?: number): string {
  const fd = openSync(file, READ_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    let start = 0;
    let length = st.size;
    if (st.size > max) {
      if (tail === undefined) throw new Error(`larger than ${max} bytes`);
      start = st.size - tail;
      length = tail;
    }
    const buf = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buf, read, length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString('utf8');
    // A tail starts mid-line: drop that partial first line.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

const headBuffer = Buffer.alloc(4096);

/**
 * The first bytes of a small file (a run's meta.yaml, for its start time and state): one open,
 * one read into a buffer it reuses, one close, without the fstat and the allocation of
 * readRegularSync. A scan of 100,000 runs is a third of a million syscalls less. A link in
 * the file's place fails the open (O_NOFOLLOW), a folder the read, a pipe reads nothing (O_NONBLOCK).
 */
export function readHeadSync(file: string): string {
  const fd = openSync(file, READ_FLAGS);
  try {
    const n = readSync(fd, headBuffer, 0, headBuffer.length, 0);
    return headBuffer.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** A YAML file that must hold a mapping (meta.yaml). */
export function readMapping(file: string, parse: (s: string) => unknown): Record<string, unknown> {
  const v = parse(readRegularSync(file, LIMITS.meta));
  if (typeof v !== 'object' || v === null) throw new Error('not a YAML mapping');
  return v as Record<string, unknown>;
}

function metricLines(text: string): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const line of text.split('\n')) {
    const [ts, value, step] = line.trim().split(/\s+/);
    if (ts === undefined || value === undefined) continue;
    out.push({ timestamp: Number(ts), value: Number(value), step: Number(step ?? 0) });
  }
  return out;
}

/** Folders of an experiment that are not runs. */
const NOT_RUNS = new Set(['tags', 'datasets', 'models', 'traces']);

/**
 * Every regular file under `dir`, as "/"-joined keys, read synchronously: links, devices
 * and files over `max` bytes are skipped (metric files keep their tail), folders to
 * LIMITS.depth, at most LIMITS.keys keys.
 */
export function keyValuesSync(dir: string, max: number = LIMITS.value, tail?: number, prefix = '', out: Array<[string, string]> = [], depth = 0): Array<[string, string]> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (out.length >= LIMITS.keys) break;
    const key = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (depth < LIMITS.depth) keyValuesSync(path.join(dir, e.name), max, tail, key, out, depth + 1);
    } else if (e.isFile()) {
      try {
        out.push([key, readRegularSync(path.join(dir, e.name), max, tail)]);
      } catch {
        // swapped for a link or grown past the limit since the listing: skipped
      }
    }
  }
  return out;
}

function readRunSync(runDir: string, id: string, experimentId: string, parse: (s: string) => unknown, problems: FileStoreProblem[]): Run | undefined {
  const metaFile = path.join(runDir, 'meta.yaml');
  let m: Record<string, unknown>;
  try {
    m = readMapping(metaFile, parse);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    problems.push({ path: metaFile, message: missing ? 'meta.yaml is missing' : `meta.yaml cannot be read: ${(err as Error).message}` });
    return undefined;
  }
  if (m.lifecycle_stage === 'deleted') return undefined;
  const metrics: Record<string, number> = {};
  for (const [key, text] of keyValuesSync(path.join(runDir, 'metrics'), LIMITS.metricWhole, LIMITS.metricTail)) {
    // The latest value: highest step, then latest timestamp, as MLflow reports it.
    const last = metricLines(text).reduce<MetricPoint | undefined>((a, p) => (!a || p.step > a.step || (p.step === a.step && p.timestamp >= a.timestamp) ? p : a), undefined);
    if (last) metrics[key] = last.value;
  }
  const tagMap = Object.fromEntries(keyValuesSync(path.join(runDir, 'tags')));
  const runId = String(m.run_id ?? m.run_uuid ?? id);
  return {
    id: runId,
    name: String(m.run_name ?? tagMap['mlflow.runName'] ?? runId),
    experimentId: String(m.experiment_id ?? experimentId),
    status: STATUS_BY_NUMBER[Number(m.status)] ?? 'UNKNOWN',
    ...(m.start_time ? { startTime: Number(m.start_time) } : {}),
    ...(m.end_time ? { endTime: Number(m.end_time) } : {}),
    params: Object.fromEntries(keyValuesSync(path.join(runDir, 'params'))),
    metrics,
    tags: tagMap,
    ...(tagMap['mlflow.parentRunId'] ? { parentId: tagMap['mlflow.parentRunId'] } : {}),
    ...(tagMap['mlflow.source.git.commit'] ? { gitCommit: tagMap['mlflow.source.git.commit'] } : {}),
    ...(m.artifact_uri ? { artifactUri: String(m.artifact_uri) } : {}),
  };
}

/** The run folders of an experiment folder. */
async function runDirs(expDir: string): Promise<string[]> {
  return (await readdir(expDir, { withFileTypes: true })).filter((e) => e.isDirectory() && !NOT_RUNS.has(e.name)).map((e) => e.name);
}

const DELETED = /^lifecycle_stage:[ \t]*deleted[ \t]*$/m;
const START_TIME = /^start_time:[ \t]*(\d+)/m;

/** A run's start time from the head of its meta.yaml: -1 for a deleted run, 0 when unknown or unreadable. */
function startOf(text: string): number {
  return DELETED.test(text) ? -1 : Number(START_TIME.exec(text)?.[1] ?? 0);
}

/**
 * The scan of startTimes in a worker thread: the same reads as readHeadSync and the same
 * patterns as startOf, over a share of the run folders, answering a Float64Array.
 */
const SCAN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const path = require('node:path');
const deleted = new RegExp(${JSON.stringify(DELETED.source)}, 'm');
const start = new RegExp(${JSON.stringify(START_TIME.source)}, 'm');
const buf = Buffer.alloc(4096);
const out = new Float64Array(workerData.names.length);
workerData.names.forEach((name, i) => {
  let text;
  try {
    const fd = openSync(path.join(workerData.dir, name, 'meta.yaml'), workerData.flags);
    try { text = buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0)); } finally { closeSync(fd); }
  } catch { return; }
  out[i] = deleted.test(text) ? -1 : Number((start.exec(text) || [])[1] || 0);
});
parentPort.postMessage(out, [out.buffer]);
`;

/** Below this many runs one thread scans faster than two can start. */
const SCAN_IN_WORKERS_FROM = 20_000;

/**
 * Each run folder's start time (see startOf). Large experiments are scanned by two worker
 * threads, each over half of the folders (the reads are system calls: 100,000 runs take
 * ~0.8 s in one thread, ~0.5 s in two); a failed worker falls back to this thread.
 */
export async function startTimes(expDir: string, dirs: readonly string[], inWorkersFrom = SCAN_IN_WORKERS_FROM): Promise<Float64Array> {
  if (dirs.length >= inWorkersFrom) {
    try {
      const { Worker } = await import('node:worker_threads');
      const half = Math.ceil(dirs.length / 2);
      const workers = [dirs.slice(0, half), dirs.slice(half)].map((names) => new Worker(SCAN_WORKER, { eval: true, workerData: { dir: expDir, names, flags: READ_FLAGS } }));
      const parts = await Promise.all(
        workers.map(
          (w) =>
            new Promise<Float64Array>((resolve, reject) => {
              w.once('message', resolve);
              w.once('error', reject);
              w.once('exit', (code) => reject(new Error(`scan worker exited (${code})`)));
            }),
        ),
      ).finally(() => workers.forEach((w) => void w.terminate()));
      const out = new Float64Array(dirs.length);
      out.set(parts[0]!, 0);
      out.set(parts[1]!, half);
      return out;
    } catch {
      // Worker threads unavailable or failed: the same scan here.
    }
  }
  const out = new Float64Array(dirs.length);
  for (let i = 0; i < dirs.length; i++) {
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    try {
      out[i] = startOf(readHeadSync(path.join(expDir, dirs[i]!, 'meta.yaml')));
    } catch {
      out[i] = 0;
    }
  }
  return out;
}

export class MlflowFileStore {
  constructor(readonly root: string) {}

  async experiments(): Promise<{ experiments: Experiment[]; problems: FileStoreProblem[] }> {
    const { parse: parseYaml } = await import('yaml');
    const parse = (text: string): unknown => parseYaml(text, { logLevel: 'error' });
    const experiments: Experiment[] = [];
    const problems: FileStoreProblem[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.trash' || e.name === 'models') continue;
      const meta = path.join(this.root, e.name, 'meta.yaml');
      try {
        const m = readMapping(meta, parse);
        if (m.lifecycle_stage === 'deleted') continue;
        experiments.push({
          id: String(m.experiment_id ?? e.name),
          name: String(m.name ?? e.name),
          lifecycleStage: String(m.lifecycle_stage ?? 'active'),
          ...(m.artifact_location ? { artifactLocation: String(m.artifact_location) } : {}),
          ...(m.last_update_time ? { lastUpdateTime: Number(m.last_update_time) } : {}),
          tags: Object.fromEntries(keyValuesSync(path.join(this.root, e.name, 'tags'))),
        });
      } catch (err) {
        problems.push({ path: meta, message: (err as Error).message });
      }
    }
    return { experiments, problems };
  }

  /**
   * Every run of an experiment (`known`: runs read moments ago, by folder name, kept as they are).
   * Each run's few dozen small files are read synchronously
   * (promise-based reads cost a thread-pool round trip per file: 10,000 runs are ~350,000
   * files), yielding to the event loop between batches so the editor stays responsive.
   */
  async runs(experimentId: string, known?: ReadonlyMap<string, Run>): Promise<FileStoreRuns> {
    const { parse: parseYaml } = await import('yaml');
    const parse = (text: string): unknown => parseYaml(text, { logLevel: 'error' });
    const expDir = path.join(this.root, experimentId);
    const problems: FileStoreProblem[] = [];
    const dirs = await runDirs(expDir);
    const runs: Run[] = [];
    for (let i = 0; i < dirs.length; i++) {
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      // Read moments ago (the newest runs, shown first): not read again.
      const seen = known?.get(dirs[i]);
      if (seen) {
        runs.push(seen);
        continue;
      }
      const run = readRunSync(path.join(expDir, dirs[i]), dirs[i], experimentId, parse, problems);
      if (run) runs.push(run);
    }
    return { runs, problems };
  }

  /**
   * The `limit` most recent runs (by start time) of an experiment, for a first view of a large
   * store: each run's meta.yaml is read for its start time and state only (no YAML parse, no
   * params or metrics), then only the newest `limit` runs are read whole. `total` counts the
   * live runs seen.
   */
  async recentRuns(experimentId: string, limit: number): Promise<FileStoreRuns & { total: number }> {
    const { parse: parseYaml } = await import('yaml');
    const parse = (text: string): unknown => parseYaml(text, { logLevel: 'error' });
    const expDir = path.join(this.root, experimentId);
    const problems: FileStoreProblem[] = [];
    const dirs = await runDirs(expDir);
    const starts = await startTimes(expDir, dirs);
    const seen: Array<{ dir: string; start: number }> = [];
    for (let i = 0; i < dirs.length; i++) {
      // Deleted runs are left out; an unreadable meta.yaml (0) is read whole below, where its problem is said.
      if (starts[i]! >= 0) seen.push({ dir: dirs[i]!, start: starts[i]! });
    }
    seen.sort((a, b) => b.start - a.start);
    const runs: Run[] = [];
    for (const { dir } of seen.slice(0, limit)) {
      const run = readRunSync(path.join(expDir, dir), dir, experimentId, parse, problems);
      if (run) runs.push(run);
    }
    return { runs, problems, total: seen.length };
  }

  /** One run by its id, in whichever experiment folder holds it (a registered version knows its run, not its experiment); undefined when no live run has it. */
  async run(runId: string): Promise<Run | undefined> {
    if (!/^[\w-]+$/.test(runId)) return undefined;
    const { parse: parseYaml } = await import('yaml');
    const parse = (text: string): unknown => parseYaml(text, { logLevel: 'error' });
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.trash' || e.name === 'models') continue;
      const dir = path.join(this.root, e.name, runId);
      if (!(await stat(path.join(dir, 'meta.yaml')).catch(() => undefined))) continue;
      return readRunSync(dir, runId, e.name, parse, []);
    }
    return undefined;
  }

  async metricHistory(experimentId: string, runId: string, key: string): Promise<MetricPoint[]> {
    if (![experimentId, runId, ...key.split('/')].every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !/[\\/\0]/.test(seg))) throw new Error(`not a metric: ${key}`);
    const file = path.join(this.root, experimentId, runId, 'metrics', ...key.split('/'));
    const handle = await open(file, READ_FLAGS);
    let text: string;
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error(`${key}: not a regular file`);
      if (st.size > LIMITS.history) throw new Error(`${key}: the history is larger than ${LIMITS.history / 1024 / 1024} MB`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    return metricLines(text).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }

  /** True when `dir` looks like an MLflow file store (a folder with experiment meta.yaml files). */
  static async isFileStore(dir: string): Promise<boolean> {
    try {
      if (!(await stat(dir)).isDirectory()) return false;
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (e.isDirectory() && (await stat(path.join(dir, e.name, 'meta.yaml')).catch(() => undefined))) return true;
      }
    } catch {
      return false;
    }
    return false;
  }
}
