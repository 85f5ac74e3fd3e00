// What every webview and its host share beyond their own messages: the handshake and
// numbered requests. A webview numbers each request it sends; the answer carries the
// number back, and the webview keeps only the answer to its newest request on a channel
// (an older, slower answer arriving late is dropped, not drawn over the newer one). Both
// sides import this file. No editor or DOM API.

/** A request or an answer may carry the number of the request it is or answers. */
export interface Numbered {
  readonly seq?: number;
}

/** Every webview says this first, and again whenever its page is rebuilt (hidden and shown). */
export interface Ready {
  readonly type: 'ready';
}

/**
 * The request number a message carries: undefined when it has none, null when what it
 * carries is not a request number (a webview that sends one sends a safe, non-negative integer).
 */
export function seqOf(v: unknown): number | undefined | null {
  if (typeof v !== 'object' || v === null || !('seq' in v)) return undefined;
  const seq = (v as { seq: unknown }).seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

/**
 * The webview's side of numbered requests: `next(channel)` numbers a request, and
 * `isCurrent(seq)` says whether an answer is to the newest request on its channel (the
 * channel a request was numbered on). Answers without a number (state the host pushes on
 * its own) are always current; a number never handed out, or superseded, is not.
 */
export class RequestNumbers {
  private last = 0;
  private readonly newest = new Map<string, number>();
  private readonly pending = new Map<number, string>();

  next(channel: string): number {
    const seq = ++this.last;
    const before = this.newest.get(channel);
    if (before !== undefined) this.pending.delete(before);
    this.newest.set(channel, seq);
    this.pending.set(seq, channel);
    return seq;
  }

  /** True for an answer to show: to the newest request on its channel, or not numbered. */
  isCurrent(seq: number | undefined): boolean {
    if (seq === undefined) return true;
    const channel = this.pending.get(seq);
    return channel !== undefined && this.newest.get(channel) === seq;
  }
}
