// "Latest request wins": a view that reloads on every keystroke of a filter must show the
// answer to the newest query, not whichever query answered last. Each run cancels the one
// before it (its token fires, so a server request or process stops) and an older answer
// that still arrives is dropped. No editor API.
import type { CancellationTokenLike } from './cancellation';

class Token implements CancellationTokenLike {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => unknown>();
  onCancellationRequested(listener: () => unknown): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
}

export type Outcome<T> = { readonly current: true; readonly value: T } | { readonly current: false };

export class LatestOnly {
  private token: Token | undefined;
  private generation = 0;

  /** Runs `work`; resolves `{ current: false }` when a newer run started meanwhile (its error too is dropped then). */
  async run<T>(work: (token: CancellationTokenLike) => Promise<T>): Promise<Outcome<T>> {
    this.token?.cancel();
    const token = (this.token = new Token());
    const mine = ++this.generation;
    try {
      const value = await work(token);
      return mine === this.generation ? { current: true, value } : { current: false };
    } catch (err) {
      if (mine !== this.generation) return { current: false };
      throw err;
    }
  }

  /** Cancels the run in flight (a closed view). */
  cancel(): void {
    this.token?.cancel();
    this.generation++;
  }
}
