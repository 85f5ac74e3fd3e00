// The webview's side of every panel (see src/webview/contract/host.ts): one
// acquireVsCodeApi, the `ready` handshake, numbered requests whose stale answers are
// dropped before the page sees them, and the page's saved state.
import type { Numbered } from '../../src/webview/contract/host';
import { RequestNumbers } from '../../src/webview/contract/host';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface Host<From extends { readonly type: string }, To extends { readonly type: string }, S> {
  /** A message that expects no answer (a click). */
  post(m: From): void;
  /**
   * A request whose answer is drawn only if no newer request went out on the same channel
   * meanwhile (by default the request's type: a newer filter supersedes an older one).
   */
  request(m: From, channel?: string): void;
  /** Starts listening and says `ready`; `handle` sees only current answers. */
  start(handle: (m: To) => void): void;
  getState(): S | undefined;
  setState(state: S): void;
}

export function connect<From extends { readonly type: string }, To extends { readonly type: string }, S>(): Host<From, To, S> {
  const api = acquireVsCodeApi<S>();
  const numbers = new RequestNumbers();
  return {
    post: (m) => api.postMessage(m),
    request: (m, channel = m.type) => api.postMessage({ ...m, seq: numbers.next(channel) }),
    start: (handle) => {
      window.addEventListener('message', (e: MessageEvent<To & Numbered>) => {
        const m = e.data;
        if (typeof m !== 'object' || m === null || typeof m.type !== 'string') return;
        if (!numbers.isCurrent(m.seq)) return;
        handle(m);
      });
      api.postMessage({ type: 'ready' });
    },
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
