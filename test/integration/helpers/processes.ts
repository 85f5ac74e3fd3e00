// Real processes for the integration tier: the cached Python venv, free ports on
// loopback, servers started and always stopped.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '..', '..', '..');

let python: string | undefined;
/** The venv's python (test/env/python.sh installs it into the cache the first time). */
export function venvPython(): string {
  python ??= execFileSync('bash', [path.join(root, 'test', 'env', 'python.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  return python;
}

export function venvBin(tool: string): string {
  return path.join(path.dirname(venvPython()), tool);
}

import { freePort } from '../../../src/common/net';
export { freePort };

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<Server>();

/**
 * A real `mlflow server` on a SQLite store in `dir` (mlflow.db, artifacts/, server.log), one
 * worker, on a free loopback port. `python`: another venv's interpreter (an older release),
 * else the tools venv's mlflow.
 */
/**
 * `mlflow server` on `dir`/mlflow.db. Artifacts in `dir`/artifacts, recorded as paths on this
 * machine; `proxied`: served by the server itself (mlflow-artifacts:/ URIs, its default setup).
 * One worker process unless `workers` says (`mlflow server` itself starts 4).
 */
/**
 * The tests' Python sends no usage data home (MLflow 3's telemetry thread also races the
 * environment: "KeyError: '_MLFLOW_TELEMETRY_SESSION_ID'" fails a run now and then).
 */
const QUIET: NodeJS.ProcessEnv = { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };

export async function startMlflowServer(dir: string, python?: string, opts: { proxied?: boolean; workers?: number } = {}): Promise<Server> {
  const port = await freePort();
  const artifacts = opts.proxied ? ['--artifacts-destination', `${dir}/artifacts`] : ['--default-artifact-root', `${dir}/artifacts`];
  const args = ['server', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, ...artifacts, '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers ?? 1)];
  return startServer({ cmd: python ?? venvBin('mlflow'), args: python ? ['-m', 'mlflow', ...args] : args, cwd: dir, port, readyPath: '/health', logFile: path.join(dir, 'server.log'), timeoutMs: 120_000 });
}

/** Starts a server and waits until `readyPath` answers 200; its output goes to `logFile`. */
export async function startServer(opts: { cmd: string; args: string[]; cwd: string; env?: NodeJS.ProcessEnv; port: number; readyPath: string; logFile: string; timeoutMs?: number }): Promise<Server> {
  // The log file is the child's own stdout/stderr, not a pipe through this process:
  // a pipe stalls a chatty server whenever this event loop is busy (say, under load).
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(opts.cmd, opts.args, { cwd: opts.cwd, env: { ...QUIET, ...process.env, ...opts.env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${opts.port}`;
  const server: Server = {
    url,
    child,
    stop: async () => {
      running.delete(server);
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, 10_000);
      await gone;
      clearTimeout(t);
    },
  };
  running.add(server);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${opts.cmd} exited before it was ready; see ${opts.logFile}`);
    try {
      const r = await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${opts.cmd} was not ready within ${(opts.timeoutMs ?? 60_000) / 1000} s; see ${opts.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops whatever a test left running (after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...QUIET, ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}
