// Keeps one connection to the engine open and says when what it holds changed: the
// `docker events` stream, debounced; when the stream ends (the engine stopped or
// restarted), reconnects with a growing back-off. No polling while connected.
// No editor API: the Images & Containers tree and the integration tests share it.
import { UserFacingError, errorMessage } from '../../common/errors';
import type { DockerClient, EngineVersion } from './client';
import { t } from '../../common/l10n';

export type EngineState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected'; readonly client: DockerClient; readonly version: EngineVersion }
  | { readonly kind: 'down'; readonly error: UserFacingError; readonly retryInMs: number };

export interface WatcherOptions {
  readonly connect: () => Promise<DockerClient>;
  /** Something on the engine changed (debounced), or the connection state did. */
  readonly onChange: () => void;
  readonly onState?: (s: EngineState) => void;
  readonly debounceMs?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
}

export class EngineWatcher {
  private state: EngineState = { kind: 'connecting' };
  private disposed = false;
  private stopStream: (() => void) | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private retryMs: number;
  private loop: Promise<void> | undefined;
  private waiters: Array<(s: EngineState) => void> = [];
  private restarting = false;

  constructor(private readonly opts: WatcherOptions) {
    this.retryMs = opts.minRetryMs ?? 500;
  }

  get current(): EngineState {
    return this.state;
  }

  /** Starts watching; idempotent. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Drops the connection and opens a new one (the engine's address changed). */
  restart(): void {
    if (this.stopStream) {
      this.restarting = true;
      this.stopStream();
    }
    this.wake?.();
  }

  /** Skips the back-off and tries to connect now (a Refresh while the engine is down). */
  reconnectNow(): void {
    this.wake?.();
  }

  /** Resolves once connected, or with the failure when the first attempt fails. */
  async ready(): Promise<EngineState> {
    this.start();
    if (this.state.kind !== 'connecting' || this.disposed) return this.state;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.stopStream?.();
    clearTimeout(this.debounce);
    clearTimeout(this.retry);
    this.wake?.();
  }

  private setState(s: EngineState): void {
    this.state = s;
    for (const w of this.waiters.splice(0)) w(s);
    this.opts.onState?.(s);
    this.opts.onChange();
  }

  private changedSoon(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => !this.disposed && this.opts.onChange(), this.opts.debounceMs ?? 250);
  }

  private async run(): Promise<void> {
    while (!this.disposed) {
      let ended: Promise<void>;
      try {
        const client = await this.opts.connect();
        const version = await client.version();
        const stream = await client.events(() => this.changedSoon());
        if (this.disposed) {
          stream.stop();
          return;
        }
        this.stopStream = () => stream.stop();
        this.retryMs = this.opts.minRetryMs ?? 500;
        this.setState({ kind: 'connected', client, version });
        ended = stream.ended;
      } catch (err) {
        if (this.disposed) return;
        const error = err instanceof UserFacingError ? err : new UserFacingError(t('The Docker engine cannot be reached: {0}', errorMessage(err)));
        this.setState({ kind: 'down', error, retryInMs: this.retryMs });
        await this.sleep(this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, this.opts.maxRetryMs ?? 15_000);
        continue;
      }
      await ended;
      this.stopStream = undefined;
      if (this.disposed) return;
      if (this.restarting) {
        this.restarting = false;
        this.setState({ kind: 'connecting' });
        continue;
      }
      // The stream ended: the engine stopped or restarted. Say so, then reconnect.
      this.setState({ kind: 'down', error: new UserFacingError(t('The Docker engine stopped answering; reconnecting…')), retryInMs: this.retryMs });
      await this.sleep(this.retryMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.retry);
        resolve();
      };
      this.retry = setTimeout(resolve, ms);
    });
  }
}
