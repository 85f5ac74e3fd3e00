// DVC experiments through `dvc exp show --json`, read into the same Run model as
// MLflow runs: each baseline commit is an "experiment", its DVC experiments are runs.
// Params and metrics are flattened to dotted keys (`train.lr`), prefixed with their file
// only when two files share a key. No editor API.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../../../common/cancellation';
import { UserFacingError } from '../../../common/errors';
import { lastLines, ProcessTimeoutError, run, ToolNotFoundError } from '../../../common/process';
import { activatedEnv, toolEnv } from '../../../common/tools';
import type { Run, RunStatus } from '../model';
import { t } from '../../../common/l10n';

interface ExpData {
  rev?: string;
  timestamp?: string | null;
  params?: Record<string, { data?: Record<string, unknown>; error?: unknown }> | null;
  metrics?: Record<string, { data?: Record<string, unknown>; error?: unknown }> | null;
}

interface ExpRev {
  rev: string;
  name?: string | null;
  data?: ExpData | null;
  error?: { type?: string; msg?: string } | null;
  experiments?: Array<{ revs: ExpRev[]; executor?: { state?: string } | null; name?: string | null }> | null;
}

export interface DvcBaseline {
  /** The commit's sha, or "workspace". */
  readonly rev: string;
  /** The branch or tag, when dvc names one. */
  readonly name: string;
  readonly runs: Run[];
}

/** Nested objects to dotted keys; arrays and scalars are values. Below 32 levels an object is one value (a params file nested without end). */
export function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}, depth = 0): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 32) flatten(v as Record<string, unknown>, key, out, depth + 1);
    else out[key] = v;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fromFiles(files: ExpData['params']): Record<string, unknown> {
  const perFile = Object.entries(isRecord(files) ? files : {}).map(([file, f]) => [file, flatten(isRecord(f) && isRecord(f.data) ? f.data : {})] as const);
  const counts = new Map<string, number>();
  for (const [, flat] of perFile) for (const k of Object.keys(flat)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out: Record<string, unknown> = {};
  for (const [file, flat] of perFile) for (const [k, v] of Object.entries(flat)) out[(counts.get(k) ?? 0) > 1 ? `${file}:${k}` : k] = v;
  return out;
}

function fileError(e: unknown): string {
  const o = e as { msg?: unknown; type?: unknown } | null;
  return typeof o?.msg === 'string' ? o.msg : typeof o?.type === 'string' ? o.type : String(e);
}

const EXECUTOR_STATUS: Record<string, RunStatus> = { running: 'RUNNING', queued: 'QUEUED', failed: 'FAILED', success: 'FINISHED' };

function toRun(r: ExpRev, baseline: string, status: RunStatus): Run {
  const params = Object.fromEntries(Object.entries(fromFiles(r.data?.params)).map(([k, v]) => [k, typeof v === 'string' ? v : String(safeJson(v))]));
  const metrics = Object.fromEntries(
    Object.entries(fromFiles(r.data?.metrics))
      .filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))))
      .map(([k, v]) => [k, Number(v)]),
  );
  const ts = typeof r.data?.timestamp === 'string' ? Date.parse(`${r.data.timestamp}Z`) : undefined;
  // A file DVC could not read (a metrics output whose cache was never pulled, say) is said, not dropped.
  const errors = [
    ...(typeof r.error?.msg === 'string' ? [r.error.msg] : []),
    ...Object.entries({ ...(isRecord(r.data?.params) ? r.data.params : {}), ...(isRecord(r.data?.metrics) ? r.data.metrics : {}) }).flatMap(([file, f]) => (isRecord(f) && f.error ? [`${file}: ${fileError(f.error)}`] : [])),
  ];
  return {
    id: r.rev,
    name: typeof r.name === 'string' ? r.name : r.rev === 'workspace' ? 'workspace' : r.rev.slice(0, 7),
    experimentId: baseline,
    status: r.error ? 'FAILED' : status,
    ...(ts !== undefined && !Number.isNaN(ts) ? { startTime: ts } : {}),
    params,
    metrics,
    ...(errors.length ? { tags: { 'dvc.error': errors.join('; ') } } : { tags: {} }),
    ...(r.rev !== 'workspace' && r.rev !== baseline ? { parentId: baseline } : {}),
    ...(r.rev !== 'workspace' ? { gitCommit: r.rev } : {}),
  };
}

/** `dvc exp show --json` to baselines with their runs (the baseline commit itself first). */
export function parseExpShow(json: string): DvcBaseline[] {
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    throw new UserFacingError(t('DVC answered "exp show" with something other than JSON: {0}', json.trim().slice(0, 200)));
  }
  if (!Array.isArray(rows)) throw new UserFacingError(t('DVC answered "exp show" with something other than a list of commits: is this a DVC release MLOps Workbench reads (3.x)?'));
  // Whatever DVC (or a plugin, or a broken cache) put there: rows without a revision are skipped.
  const hasRev = (r: unknown): r is ExpRev => isRecord(r) && typeof r.rev === 'string';
  return rows.filter(hasRev).map((row) => {
    const runs = [toRun(row, row.rev, 'FINISHED')];
    for (const exp of Array.isArray(row.experiments) ? row.experiments : []) {
      if (!isRecord(exp) || !Array.isArray(exp.revs)) continue;
      const state = isRecord(exp.executor) && typeof exp.executor.state === 'string' ? exp.executor.state : 'success';
      const status = Object.prototype.hasOwnProperty.call(EXECUTOR_STATUS, state) ? EXECUTOR_STATUS[state]! : 'UNKNOWN';
      for (const r of exp.revs.filter(hasRev)) runs.push(toRun({ ...r, name: typeof r.name === 'string' ? r.name : typeof exp.name === 'string' ? exp.name : null }, row.rev, status));
    }
    return { rev: row.rev, name: typeof row.name === 'string' ? row.name : row.rev === 'workspace' ? 'workspace' : row.rev.slice(0, 7), runs };
  });
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * DVC repositories in a folder: the folder itself and its immediate subfolders holding a
 * `.dvc` directory (a project in a subfolder of a monorepo, or the sample's iris-dvc).
 */
export async function findDvcRepos(folder: string): Promise<string[]> {
  const isRepo = async (dir: string): Promise<boolean> => (await stat(path.join(dir, '.dvc')).catch(() => undefined))?.isDirectory() ?? false;
  const out = (await isRepo(folder)) ? [folder] : [];
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
    if (await isRepo(path.join(folder, e.name))) out.push(path.join(folder, e.name));
  }
  return out;
}

export interface DvcOptions {
  /** How to run DVC: ["dvc"] from the PATH, or [python, "-m", "dvc"]. */
  readonly command: readonly string[];
  readonly cwd: string;
  /**
   * The project's own interpreter when DVC comes from elsewhere: its environment is
   * activated (its bin first on the PATH), so the pipeline's `python train.py` runs there.
   */
  readonly activate?: string;
  /** For messages: the environment the project runs in ("…/.venv/bin/python (the project's .venv)"). */
  readonly envLabel?: string;
  readonly token?: CancellationTokenLike;
}

/** Runs dvc; a missing DVC, a folder that is not a DVC repository, or a failure are said plainly (with DVC's stderr). */
export async function runDvc(args: readonly string[], opts: DvcOptions): Promise<string> {
  const [cmd, ...pre] = opts.command;
  // DVC started from an interpreter ([python, -m, dvc]) runs its stages in that interpreter's environment.
  const env = { ...(opts.activate ? activatedEnv(opts.activate) : toolEnv(opts.command)), DVC_NO_ANALYTICS: '1', DVC_NO_UPDATE_CHECK: '1' };
  // An experiment runs the user's whole pipeline: no timeout of ours, only their Cancel.
  const long = args[0] === 'exp' && (args[1] === 'run' || args[1] === 'apply' || args[1] === 'branch');
  let r;
  try {
    r = await run(cmd, [...pre, ...args], { cwd: opts.cwd, env, token: opts.token, timeoutMs: long ? 0 : 120_000, maxStdoutBytes: 64 * 1024 * 1024 });
  } catch (err) {
    if (err instanceof ToolNotFoundError) throw new UserFacingError(t('DVC is not installed ({0} was not found). Install it (pip install dvc), or set mlops.python.path to a Python that has it.', cmd));
    if (err instanceof ProcessTimeoutError) throw new UserFacingError(t('dvc {0} did not finish within {1} s and was stopped.', args.join(' '), Math.round(err.timeoutMs / 1000)), err.stderr);
    throw err;
  }
  if (r.code === 0) return r.stdout;
  const stderr = r.stderr.trim();
  if (/No module named dvc/.test(stderr)) throw new UserFacingError(t('DVC is not installed in {0}. Install it (pip install dvc), or set mlops.python.path to a Python that has it.', cmd), stderr);
  if (/not inside of a DVC repository/i.test(stderr)) throw new UserFacingError(t('{0} is not a DVC repository: run "dvc init" there first.', opts.cwd), stderr);
  // A remote whose plugin is missing: which package, into which environment.
  const plugin = /requires '(dvc-[a-z0-9]+)' to be installed/i.exec(stderr)?.[1];
  if (plugin) {
    const python = opts.command[1] === '-m' ? opts.command[0]! : (opts.activate ?? 'python3');
    throw new UserFacingError(t('This DVC remote needs the {0} package, which the Python DVC runs in does not have. Install it there: {1} -m pip install {0}', plugin, python), stderr);
  }
  // A stage that needs a package the environment lacks: say which environment ran it.
  const missing = /ModuleNotFoundError: No module named '([\w.]+)'/.exec(stderr)?.[1];
  if (missing && opts.envLabel) throw new UserFacingError(t('dvc {0} failed: the pipeline needs the module {1}, which {2} does not have. Install it there, or select the project\'s environment in the Python extension or in mlops.python.path.', args.join(' '), missing, opts.envLabel), stderr);
  throw new UserFacingError(t('dvc {0} failed (exit {1}): {2}', args.join(' '), r.code, lastLines(stderr)), stderr);
}

export async function expShow(opts: DvcOptions): Promise<DvcBaseline[]> {
  const out = await runDvc(['exp', 'show', '--json'], opts);
  const start = out.indexOf('[');
  return parseExpShow(start < 0 ? '[]' : out.slice(start));
}
