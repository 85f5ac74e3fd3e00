// What a container does in its first seconds: an app that exits at once (a missing module, a
// wrong command) is said to have exited, with its exit code and last log lines, not to be
// "running on" a port nobody answers on. No editor API.
import type { CancellationTokenLike } from '../../common/cancellation';
import type { DockerClient } from './client';

export type StartOutcome =
  | { readonly state: 'answering'; readonly afterMs: number }
  | { readonly state: 'running'; readonly afterMs: number }
  | { readonly state: 'exited'; readonly exitCode: number; readonly logs: string; readonly oomKilled: boolean };

/** Whether an HTTP server answers on the port (any status): docker's port proxy alone accepts connections and then drops them. */
async function answers(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1500) });
    await r.body?.cancel().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * Watches a just-started container for `graceMs` (default 8 s): it answers on `hostPort`
 * (an HTTP answer, whatever its status), keeps running without answering yet, or exits.
 */
export async function watchStart(client: DockerClient, id: string, hostPort: number | undefined, opts: { graceMs?: number; token?: CancellationTokenLike } = {}): Promise<StartOutcome> {
  const start = Date.now();
  const grace = opts.graceMs ?? 8000;
  for (;;) {
    const info = await client.inspectContainer(id);
    if (!info.State.Running && (info.State.Status === 'exited' || info.State.Status === 'dead')) {
      const logs = await client.logs(id, 20).catch(() => '');
      return { state: 'exited', exitCode: info.State.ExitCode, logs: logs.trim(), oomKilled: info.State.OOMKilled };
    }
    if (hostPort !== undefined && (await answers(hostPort))) return { state: 'answering', afterMs: Date.now() - start };
    if (Date.now() - start > grace || opts.token?.isCancellationRequested) return { state: 'running', afterMs: Date.now() - start };
    await new Promise((r) => setTimeout(r, 400));
  }
}
