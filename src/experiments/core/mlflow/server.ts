// A local `mlflow server` the extension starts on a workspace's own store (mlflow.db
// or mlruns/), on a free loopback port, with its output in a log file; stopped with its
// whole process group (MLflow's web workers included) when the extension lets go of it.
// No editor API.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CancellationTokenLike } from '../../../common/cancellation';
import { CancelledError } from '../../../common/cancellation';
import { ErrorCode, hasCode, UserFacingError } from '../../../common/errors';
import { freePort } from '../../../common/net';
import type { RunningProcess } from '../../../common/process';
import { start, ToolNotFoundError } from '../../../common/process';
import { toolEnv } from '../../../common/tools';
import { MlflowFileStore } from './fileStore';
import { t } from '../../../common/l10n';

export interface LocalStore {
  readonly kind: 'sqlite' | 'files';
  /** mlflow.db or the mlruns folder. */
  readonly path: string;
}

/**
 * The local store a tracking URI names: sqlite:///relative.db (relative to `base`, as MLflow
 * reads it from its working folder), sqlite:////absolute.db, file:///…/mlruns or a plain
 * path. Undefined for anything else (a server's http(s) address).
 */
export function storeFromUri(uri: string, base: string): LocalStore | undefined {
  const sqlite = /^sqlite:\/\/\/(.+)$/.exec(uri);
  if (sqlite) {
    const p = decodeURIComponent(sqlite[1]!);
    return { kind: 'sqlite', path: path.isAbsolute(p) ? p : path.resolve(base, p) };
  }
  if (/^file:/.test(uri)) {
    try {
      return { kind: 'files', path: fileURLToPath(uri) };
    } catch {
      return undefined;
    }
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri) && uri.trim()) return { kind: 'files', path: path.resolve(base, uri) };
  return undefined;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', 'env', '__pycache__', '.dvc', 'site-packages', 'mlartifacts', '.tox', '.mypy_cache']);

/** Whether a SQLite file holds MLflow's tables: its schema (in its first megabyte) names alembic_version and experiments. */
export async function isMlflowDatabase(file: string): Promise<boolean> {
  const fd = await open(file, 'r').catch(() => undefined);
  if (!fd) return false;
  try {
    // The schema table grows with the migrations MLflow runs when it makes the file: in its first pages.
    const buf = Buffer.alloc(1024 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('latin1');
    return head.startsWith('SQLite format 3\0') && head.includes('alembic_version') && /CREATE TABLE "?experiments"?/.test(head);
  } finally {
    await fd.close();
  }
}

/**
 * The MLflow stores a workspace folder holds, at its root and down to `depth` folders
 * (a project in a subfolder, notebooks/mlflow.db): every mlflow.db, every other .db or
 * .sqlite file with MLflow's tables, and every mlruns/ file store. Virtual environments,
 * node_modules and .git are not entered; links are not followed; at most 5,000 folders.
 */
export async function findLocalStores(folder: string, depth = 3): Promise<LocalStore[]> {
  const out: LocalStore[] = [];
  let budget = 5000;
  const walk = async (dir: string, level: number): Promise<void> => {
    if (budget-- <= 0) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const subdirs: string[] = [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isFile() && (e.name === 'mlflow.db' || (/\.(?:db|sqlite3?)$/i.test(e.name) && (await isMlflowDatabase(p))))) out.push({ kind: 'sqlite', path: p });
      else if (e.isDirectory() && e.name === 'mlruns') {
        if (await MlflowFileStore.isFileStore(p)) out.push({ kind: 'files', path: p });
      } else if (e.isDirectory() && level < depth && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) subdirs.push(p);
    }
    for (const d of subdirs) await walk(d, level + 1);
  };
  await walk(folder, 0);
  return out;
}

function tail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface StartOptions {
  /** How to run MLflow: ["mlflow"], or [python, "-m", "mlflow"]. */
  readonly command: readonly string[];
  readonly store: LocalStore;
  /**
   * A copy of the store's database to serve instead (see schema.ts: an older schema the
   * server would upgrade in place). The server then runs in the copy's folder, and
   * artifacts it receives go there too, not into the workspace.
   */
  readonly copy?: { readonly db: string; readonly reason: string };
  readonly logFile: string;
  readonly port?: number;
  readonly timeoutMs?: number;
  /** Web workers (MLflow's default is 4; one per core is plenty on a workstation). */
  readonly workers?: number;
  /**
   * The web server: gunicorn's sync workers (the default off Windows) take one request
   * each, so the pages the extension asks for in parallel spread over all workers; MLflow 3's
   * default uvicorn workers accept while busy, and two pages on one worker run in turn.
   * `mlflow` is MLflow's own default (also used when gunicorn is missing).
   */
  readonly webServer?: 'gunicorn' | 'mlflow';
  readonly token?: CancellationTokenLike;
}

export class LocalMlflowServer {
  private readonly exitListeners: Array<(code: number | null) => void> = [];

  private constructor(
    readonly url: string,
    readonly store: LocalStore,
    readonly logFile: string,
    private readonly process: RunningProcess,
    /** Which web server serves it (see StartOptions.webServer). */
    readonly webServer: 'gunicorn' | 'mlflow',
    /** Set when a copy of the store's database is served (StartOptions.copy). */
    readonly copy?: { readonly db: string; readonly reason: string },
  ) {
    process.child.once('exit', (code) => {
      for (const l of this.exitListeners) l(code);
    });
  }

  private get exited(): boolean {
    return this.process.exited;
  }

  get pid(): number | undefined {
    return this.process.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  onExit(listener: (code: number | null) => void): void {
    this.exitListeners.push(listener);
  }

  /** Starts the server and resolves once /health answers; rejects with the log's last lines if it exits first. */
  static async start(opts: StartOptions): Promise<LocalMlflowServer> {
    const webServer = opts.webServer ?? (process.platform === 'win32' ? 'mlflow' : 'gunicorn');
    if (webServer === 'mlflow') return LocalMlflowServer.startWith(opts, []);
    try {
      // No worker timeout: a large page or artifact download must not be cut off at gunicorn's 30 s.
      return await LocalMlflowServer.startWith(opts, ['--gunicorn-opts', '--timeout 0']);
    } catch (err) {
      // gunicorn missing or unusable in that Python: MLflow's own default server instead.
      // (A server that did not answer in time, or a cancel, is not retried.)
      if (!hasCode(err, ErrorCode.processExited)) throw err;
      return LocalMlflowServer.startWith(opts, []);
    }
  }

  private static async startWith(opts: StartOptions, serverArgs: readonly string[]): Promise<LocalMlflowServer> {
    const port = opts.port ?? (await freePort());
    const folder = path.dirname(opts.copy?.db ?? opts.store.path);
    const backend = opts.store.kind === 'sqlite' ? `sqlite:///${opts.copy?.db ?? opts.store.path}` : opts.store.path;
    const [cmd, ...pre] = opts.command;
    const args = [...pre, 'server', '--backend-store-uri', backend, '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers ?? 2), ...serverArgs];
    // Artifacts the server itself receives go beside the store, as `mlflow server` does in that folder.
    if (opts.store.kind === 'sqlite') args.push('--default-artifact-root', path.join(folder, 'mlartifacts'));
    // Runs logged through a server in the store's folder keep mlflow-artifacts:/ URIs, served from its mlartifacts/
    // (also when a copy of the database is served from elsewhere).
    if (opts.store.kind === 'sqlite') args.push('--artifacts-destination', path.join(path.dirname(opts.store.path), 'mlartifacts'));
    const fd = openSync(opts.logFile, 'a');
    let proc: RunningProcess;
    try {
      // A server: no timeout of the runner's; readiness has its own deadline below.
      // Started from an interpreter ([python, -m, mlflow]), it finds that environment's gunicorn.
      // In the original's folder even when a copy is served: MLflow 1.x recorded artifact URIs relative
      // to where it ran (./mlruns/1/<run>/artifacts), and the server resolves them against its own folder.
      proc = start(cmd, args, { cwd: path.dirname(opts.store.path), env: { ...toolEnv(opts.command), MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONUNBUFFERED: '1' }, output: fd, timeoutMs: 0, reapWithParent: true });
    } finally {
      closeSync(fd);
    }
    const server = new LocalMlflowServer(`http://127.0.0.1:${port}`, opts.store, opts.logFile, proc, serverArgs.length ? 'gunicorn' : 'mlflow', opts.copy);
    const spawnError = proc.done.then(
      () => new Promise<never>(() => undefined), // an exit is seen by waitReady, with the log
      (e: unknown) => {
        throw e instanceof ToolNotFoundError ? new UserFacingError(t('MLflow was not found ({0}). Install it (pip install mlflow) or set mlops.python.path to a Python that has it.', cmd), undefined, { code: ErrorCode.toolMissing }) : e;
      },
    );
    try {
      await Promise.race([spawnError, server.waitReady(opts.timeoutMs ?? 90_000, opts.token)]);
    } catch (err) {
      await server.stop();
      throw err;
    }
    if (!opts.token?.isCancellationRequested) await server.warmUp(opts.workers ?? 2);
    return server;
  }

  /**
   * Each worker's first run search costs it 3–4 s (MLflow sets up its search code then), which
   * the first expansion of the tree would wait for: one read-only search per worker, at the same
   * time so that each worker takes one, while the start's progress still shows. Failures are the
   * tree's to report, not the start's.
   */
  private async warmUp(workers: number): Promise<void> {
    const search = (): Promise<unknown> =>
      fetch(`${this.url}/api/2.0/mlflow/runs/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ experiment_ids: ['0'], max_results: 1 }),
        signal: AbortSignal.timeout(20_000),
      }).then((r) => r.arrayBuffer(), () => undefined);
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, 8)) }, search));
  }

  private async waitReady(timeoutMs: number, token?: CancellationTokenLike): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (token?.isCancellationRequested) throw new CancelledError();
      if (this.exited) {
        const log = tail(this.logFile);
        if (/No module named mlflow/.test(log)) throw new UserFacingError(t('MLflow is not installed in that Python. Install it (pip install mlflow) or set mlops.python.path to a Python that has it.'), log, { code: ErrorCode.toolMissing });
        throw new UserFacingError(t('mlflow server stopped while starting: {0}', log.split('\n').slice(-2).join(' ')), log, { code: ErrorCode.processExited });
      }
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new UserFacingError(t('mlflow server did not answer within {0} s; its log: {1}', Math.round(timeoutMs / 1000), this.logFile));
  }

  /** SIGTERM to the whole process group, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    await this.process.stop(5000);
  }
}
