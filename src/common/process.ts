// The one way the extension starts a child process. Every spawn goes through here so
// each gets the same guarantees: stdin closed unless a stream is handed in (a tool that
// prompts for a password gets EOF instead of hanging), a timeout, cancellation, output
// kept within a bound, and on POSIX the whole process group killed (a tool's own
// children, such as gunicorn's workers or dvc's stage commands, go with it). No editor API.
import type { ChildProcess, StdioNull, StdioPipe } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CancellationTokenLike } from './cancellation';
import { CancelledError } from './cancellation';
import { t } from './l10n';

/** The executable could not be started because it does not exist (ENOENT). */
export class ToolNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command} was not found`);
    this.name = 'ToolNotFoundError';
  }
}

/** The process ran longer than its timeout and was killed. */
export class ProcessTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    readonly stderr: string,
  ) {
    super(`${command} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'ProcessTimeoutError';
  }
}

/** stdout grew past its bound; the process was killed rather than its output cut silently. */
export class OutputTooLargeError extends Error {
  constructor(
    readonly command: string,
    readonly limit: number,
  ) {
    super(`${command} wrote more than ${Math.round(limit / (1024 * 1024))} MiB`);
    this.name = 'OutputTooLargeError';
  }
}

export interface RunOptions {
  readonly cwd?: string;
  /** The whole environment of the child (defaults to this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly token?: CancellationTokenLike;
  /** Killed after this long; 0 for none (long-running servers only). Default 2 minutes. */
  readonly timeoutMs?: number;
  /** stdin: closed by default, or a stream piped in through this process (an engine's tar stream). */
  readonly stdin?: Readable;
  /**
   * stdin straight from another process's stdout (`docker save | ctr import`): the two share
   * the pipe, so no byte passes through this process. That process must be started with
   * `stdoutPiped`.
   */
  readonly stdinFrom?: RunningProcess;
  /** stdout and stderr: kept in memory (default) or written to a file descriptor (a log). */
  readonly output?: 'pipe' | number;
  /** stdout beyond this many bytes kills the process with OutputTooLargeError. Default 16 MiB. */
  readonly maxStdoutBytes?: number;
  /** How much of stderr's end is kept. Default 64 KiB. */
  readonly maxStderrBytes?: number;
  /** Keep stdout unread: the caller pipes `child.stdout` elsewhere (`docker save | ctr import`). */
  readonly stdoutPiped?: boolean;
  /**
   * A long-lived process (a local server) that must not outlive this one: a small watchdog
   * stops its process group if this process dies without stopping it (a crashed extension
   * host, a killed editor). POSIX only.
   */
  readonly reapWithParent?: boolean;
}

export interface RunResult {
  /** The exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last part of stderr (see maxStderrBytes). */
  readonly stderr: string;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly command: string;
  /** Settles when the process has exited: rejects with ToolNotFoundError, CancelledError, ProcessTimeoutError or OutputTooLargeError. */
  readonly done: Promise<RunResult>;
  /** Whether the process has exited. */
  readonly exited: boolean;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const isPosix = process.platform !== 'win32';

/** Sends a signal to the process's whole group (POSIX), or to the process itself. */
export function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (isPosix) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** Whether any process of the group led by `pid` is still alive. */
export function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(isPosix ? -pid : pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The watchdog (run by this process's own Node, as node -e): every second, it exits when the
 * group is gone, and stops the group (SIGTERM, then SIGKILL) when the parent is gone.
 */
const WATCHDOG = `
const [ppid, pgid] = process.argv.slice(-2).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (!alive(-pgid)) process.exit(0);
  if (alive(ppid)) return;
  clearInterval(timer);
  try { process.kill(-pgid, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(-pgid, 'SIGKILL'); } catch {} process.exit(0); }, 5000);
}, 1000);
`;

function watchOver(child: ChildProcess): void {
  if (!isPosix || child.pid === undefined) return;
  try {
    // ELECTRON_RUN_AS_NODE: in desktop VS Code the extension host's executable is Electron's.
    spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(child.pid)], { detached: true, stdio: 'ignore', env: { ELECTRON_RUN_AS_NODE: '1' } }).unref();
  } catch {
    // no watchdog: the server is still stopped on dispose
  }
}

/** Starts a process; see RunOptions for the defaults. */
export function start(command: string, args: readonly string[], opts: RunOptions = {}): RunningProcess {
  const maxStdout = opts.maxStdoutBytes ?? 16 * 1024 * 1024;
  const maxStderr = opts.maxStderrBytes ?? 64 * 1024;
  const out: StdioPipe | StdioNull | number = opts.output ?? 'pipe';
  const child = spawn(command, [...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.stdinFrom?.child.stdout ?? (opts.stdin ? 'pipe' : 'ignore'), out, out],
    // Its own process group, so a kill reaches the tool's children too.
    detached: isPosix,
    windowsHide: true,
  });
  // The reader holds its own copy of the pipe; ours would keep the writer going if the reader died.
  opts.stdinFrom?.child.stdout?.destroy();
  if (opts.reapWithParent) watchOver(child);
  let exited = false;
  let failure: Error | undefined;
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';

  const fail = (err: Error): void => {
    if (failure) return;
    failure = err;
    signalTree(child, 'SIGTERM');
    setTimeout(() => signalTree(child, 'SIGKILL'), 3000).unref();
  };

  if (opts.stdin && child.stdin) {
    child.stdin.on('error', () => undefined); // the child closed its stdin early: its exit says why
    opts.stdin.on('error', (e) => fail(e));
    opts.stdin.pipe(child.stdin);
  }
  if (!opts.stdoutPiped) {
    child.stdout?.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
      if (stdoutBytes > maxStdout) return fail(new OutputTooLargeError(command, maxStdout));
      stdout.push(d);
    });
  }
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    if (stderr.length > maxStderr * 2) stderr = stderr.slice(-maxStderr);
  });

  const timeoutMs = opts.timeoutMs ?? 120_000;
  const timer = timeoutMs > 0 ? setTimeout(() => fail(new ProcessTimeoutError(command, timeoutMs, stderr.slice(-maxStderr))), timeoutMs) : undefined;
  timer?.unref();
  const cancel = opts.token?.onCancellationRequested(() => fail(new CancelledError()));
  if (opts.token?.isCancellationRequested) fail(new CancelledError());

  // Exited as soon as the process has (its pipes may close a moment later).
  child.once('exit', () => (exited = true));
  const done = new Promise<RunResult>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      exited = true;
      if (timer) clearTimeout(timer);
      cancel?.dispose();
      reject(e.code === 'ENOENT' ? new ToolNotFoundError(command) : e);
    });
    child.once('close', (code, signal) => {
      exited = true;
      if (timer) clearTimeout(timer);
      cancel?.dispose();
      if (failure) return reject(failure);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.slice(-maxStderr) });
    });
  });
  // A caller that only awaits stop() must not see an unhandled rejection.
  done.catch(() => undefined);

  return {
    child,
    command,
    done,
    get exited() {
      return exited;
    },
    async stop(graceMs = 5000) {
      // After the leader has exited its group id may be reused: nothing is signalled then.
      if (exited || child.pid === undefined) return;
      const gone = done.then(
        () => undefined,
        () => undefined,
      );
      signalTree(child, 'SIGTERM');
      const kill = setTimeout(() => signalTree(child, 'SIGKILL'), graceMs);
      await gone;
      clearTimeout(kill);
      // The group's other members (a server's workers) may outlive the leader by a moment.
      signalTree(child, 'SIGKILL');
      for (let i = 0; i < 50 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
}

/** Runs a process to its end. A non-zero exit is a result, not an error; see RunningProcess.done. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return start(command, args, opts).done;
}

/** The last `n` non-empty lines of a tool's output, for a message. */
export function lastLines(text: string, n = 3): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-n)
      .join(' ') || t('no output')
  );
}
