// MLflow's legacy file store (`mlruns/`) read directly, without a server: experiments'
// and runs' meta.yaml, params, metric files (`<timestamp> <value> <step>` per line) and
// tags. Keys with "/" are nested folders, as MLflow writes them. A run whose meta.yaml is
// missing or unreadable is reported as a problem, never fatal. No editor API.
import { readFile, readdir, stat } from 'node:fs/promises';
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

async function parseYaml(file: string): Promise<Record<string, unknown>> {
  const { parse } = await import('yaml');
  const v = parse(await readFile(file, 'utf8')) as unknown;
  if (typeof v !== 'object' || v === null) throw new Error('not a YAML mapping');
  return v as Record<string, unknown>;
}

/** Every file under `dir`, as "/"-joined keys (params/a/b → "a/b"). */
async function keyFiles(dir: string, prefix = ''): Promise<Array<{ key: string; file: string }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: Array<{ key: string; file: string }> = [];
  for (const e of entries) {
    const key = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await keyFiles(path.join(dir, e.name), key)));
    else out.push({ key, file: path.join(dir, e.name) });
  }
  return out;
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

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

export class MlflowFileStore {
  constructor(readonly root: string) {}

  async experiments(): Promise<{ experiments: Experiment[]; problems: FileStoreProblem[] }> {
    const experiments: Experiment[] = [];
    const problems: FileStoreProblem[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.trash' || e.name === 'models') continue;
      const meta = path.join(this.root, e.name, 'meta.yaml');
      try {
        const m = await parseYaml(meta);
        if (m.lifecycle_stage === 'deleted') continue;
        experiments.push({
          id: String(m.experiment_id ?? e.name),
          name: String(m.name ?? e.name),
          lifecycleStage: String(m.lifecycle_stage ?? 'active'),
          ...(m.artifact_location ? { artifactLocation: String(m.artifact_location) } : {}),
          ...(m.last_update_time ? { lastUpdateTime: Number(m.last_update_time) } : {}),
          tags: Object.fromEntries(await this.values(path.join(this.root, e.name, 'tags'))),
        });
      } catch (err) {
        problems.push({ path: meta, message: (err as Error).message });
      }
    }
    return { experiments, problems };
  }

  private async values(dir: string): Promise<Array<[string, string]>> {
    return Promise.all((await keyFiles(dir)).map(async ({ key, file }) => [key, await readFile(file, 'utf8')] as [string, string]));
  }

  async runs(experimentId: string): Promise<FileStoreRuns> {
    const expDir = path.join(this.root, experimentId);
    const problems: FileStoreProblem[] = [];
    const dirs = (await readdir(expDir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== 'tags' && e.name !== 'datasets' && e.name !== 'models').map((e) => e.name);
    const runs = await mapLimit(dirs, 32, async (id): Promise<Run | undefined> => {
      const runDir = path.join(expDir, id);
      const metaFile = path.join(runDir, 'meta.yaml');
      let m: Record<string, unknown>;
      try {
        m = await parseYaml(metaFile);
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        problems.push({ path: metaFile, message: missing ? 'meta.yaml is missing' : `meta.yaml cannot be read: ${(err as Error).message}` });
        return undefined;
      }
      if (m.lifecycle_stage === 'deleted') return undefined;
      const [params, tags, metricFiles] = await Promise.all([this.values(path.join(runDir, 'params')), this.values(path.join(runDir, 'tags')), keyFiles(path.join(runDir, 'metrics'))]);
      const metrics: Record<string, number> = {};
      for (const { key, file } of metricFiles) {
        const points = metricLines(await readFile(file, 'utf8'));
        // The latest value: highest step, then latest timestamp, as MLflow reports it.
        const last = points.reduce<MetricPoint | undefined>((a, p) => (!a || p.step > a.step || (p.step === a.step && p.timestamp >= a.timestamp) ? p : a), undefined);
        if (last) metrics[key] = last.value;
      }
      const tagMap = Object.fromEntries(tags);
      const runId = String(m.run_id ?? m.run_uuid ?? id);
      return {
        id: runId,
        name: String(m.run_name ?? tagMap['mlflow.runName'] ?? runId),
        experimentId: String(m.experiment_id ?? experimentId),
        status: STATUS_BY_NUMBER[Number(m.status)] ?? 'UNKNOWN',
        ...(m.start_time ? { startTime: Number(m.start_time) } : {}),
        ...(m.end_time ? { endTime: Number(m.end_time) } : {}),
        params: Object.fromEntries(params),
        metrics,
        tags: tagMap,
        ...(tagMap['mlflow.parentRunId'] ? { parentId: tagMap['mlflow.parentRunId'] } : {}),
        ...(tagMap['mlflow.source.git.commit'] ? { gitCommit: tagMap['mlflow.source.git.commit'] } : {}),
        ...(m.artifact_uri ? { artifactUri: String(m.artifact_uri) } : {}),
      };
    });
    return { runs: runs.filter((r): r is Run => r !== undefined), problems };
  }

  async metricHistory(experimentId: string, runId: string, key: string): Promise<MetricPoint[]> {
    const file = path.join(this.root, experimentId, runId, 'metrics', ...key.split('/'));
    return metricLines(await readFile(file, 'utf8')).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
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
