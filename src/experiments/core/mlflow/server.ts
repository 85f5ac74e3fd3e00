// A local `mlflow server` the extension starts on a workspace's own store (mlflow.db
// or mlruns/), on a free loopback port, with its output in a log file; stopped with its
// whole process group (MLflow's web workers included) when the extension lets go of it.
// No editor API.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../../../common/cancellation';
import { CancelledError } from '../../../common/cancellation';
import { UserFacingError } from '../../../common/errors';
import { freePort, processGroupAlive } from '../../../common/net';
import { MlflowFileStore } from './fileStore';

export interface LocalStore {
  readonly kind: 'sqlite' | 'files';
  /** mlflow.db or the mlruns folder. */
  readonly path: string;
}

/** The MLflow stores a workspace folder holds at its root: mlflow.db (SQLite) and a legacy mlruns/ file store. */
export async function findLocalStores(folder: string): Promise<LocalStore[]> {
  const out: LocalStore[] = [];
  const db = path.join(folder, 'mlflow.db');
  if ((await stat(db).catch(() => undefined))?.isFile()) out.push({ kind: 'sqlite', path: db });
  const mlruns = path.join(folder, 'mlruns');
  if (await MlflowFileStore.isFileStore(mlruns)) out.push({ kind: 'files', path: mlruns });
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
  private exited = false;
  private readonly exitListeners: Array<(code: number | null) => void> = [];

  private constructor(
    readonly url: string,
    readonly store: LocalStore,
    readonly logFile: string,
    private readonly child: ChildProcess,
    /** Which web server serves it (see StartOptions.webServer). */
    readonly webServer: 'gunicorn' | 'mlflow',
  ) {
    child.once('exit', (code) => {
      this.exited = true;
      for (const l of this.exitListeners) l(code);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
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
      if (!(err instanceof UserFacingError) || !/gunicorn/i.test(err.detail ?? '')) throw err;
      return LocalMlflowServer.startWith(opts, []);
    }
  }

  private static async startWith(opts: StartOptions, serverArgs: readonly string[]): Promise<LocalMlflowServer> {
    const port = opts.port ?? (await freePort());
    const folder = path.dirname(opts.store.path);
    const backend = opts.store.kind === 'sqlite' ? `sqlite:///${opts.store.path}` : opts.store.path;
    const [cmd, ...pre] = opts.command;
    const args = [...pre, 'server', '--backend-store-uri', backend, '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers ?? 2), ...serverArgs];
    // Artifacts the server itself receives go beside the store, as `mlflow server` does in that folder.
    if (opts.store.kind === 'sqlite') args.push('--default-artifact-root', path.join(folder, 'mlartifacts'));
    const fd = openSync(opts.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd: folder, env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONUNBUFFERED: '1' }, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const server = new LocalMlflowServer(`http://127.0.0.1:${port}`, opts.store, opts.logFile, child, serverArgs.length ? 'gunicorn' : 'mlflow');
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'ENOENT' ? new UserFacingError(`MLflow was not found (${cmd}). Install it (pip install mlflow) or set mlops.python.path to a Python that has it.`) : e),
      ),
    );
    try {
      await Promise.race([spawnError, server.waitReady(opts.timeoutMs ?? 90_000, opts.token)]);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async waitReady(timeoutMs: number, token?: CancellationTokenLike): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (token?.isCancellationRequested) throw new CancelledError();
      if (this.exited) {
        const log = tail(this.logFile);
        if (/No module named mlflow/.test(log)) throw new UserFacingError('MLflow is not installed in that Python. Install it (pip install mlflow) or set mlops.python.path to a Python that has it.', log);
        throw new UserFacingError(`mlflow server stopped while starting: ${log.split('\n').slice(-2).join(' ')}`, log);
      }
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new UserFacingError(`mlflow server did not answer within ${Math.round(timeoutMs / 1000)} s; its log: ${this.logFile}`);
  }

  /** SIGTERM to the whole process group, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const gone = new Promise<void>((r) => this.onExit(() => r()));
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(-this.child.pid!, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    // The group's workers may outlive the leader by a moment: kill and wait until none is left.
    signal('SIGKILL');
    for (let i = 0; i < 50 && processGroupAlive(this.child.pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
}
