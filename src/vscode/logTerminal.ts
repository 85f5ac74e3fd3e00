import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import { TerminalSanitizer } from '../common/terminalText';

/** A log being followed: stopped when its terminal closes; `done` when the source ends it. */
export interface FollowedLog {
  stop(): void;
  readonly done?: Promise<void>;
}

/**
 * The terminals that follow logs (a container's, a pod's): one per source, shown again when
 * asked twice, the log's newlines made terminal newlines and its escape sequences other than
 * colours dropped, an error in red, a closing line when the source ends, and nothing
 * written once the terminal is closed.
 */
/** The most log text shown per FLUSH_MS (a fast log is still readable; a flood is bounded). */
const BURST = 256 * 1024;
const FLUSH_MS = 250;

export class LogTerminals implements vscode.Disposable {
  private readonly open = new Map<string, vscode.Terminal>();

  show(key: string, name: string, follow: (write: (text: string) => void) => Promise<FollowedLog>, endLine?: string): void {
    const existing = this.open.get(key);
    if (existing) return existing.show();
    const emitter = new vscode.EventEmitter<string>();
    let closed = false;
    let followed: FollowedLog | undefined;
    const clean = new TerminalSanitizer();
    // A terminal cannot slow its source down: a workload that logs without end would queue
    // without bound. At most BURST characters go out per FLUSH_MS; the rest is dropped, and
    // the terminal says how much.
    let budget = BURST;
    let dropped = 0;
    const refill = setInterval(() => {
      if (dropped > 0 && !closed) emitter.fire(`\x1b[2m… ${dropped} characters of log dropped (too fast to show)\x1b[0m\r\n`);
      dropped = 0;
      budget = BURST;
    }, FLUSH_MS);
    const log = (text: string): void => {
      if (closed) return;
      const out = clean.push(text);
      if (out.length > budget) {
        dropped += out.length - budget;
        if (budget > 0) emitter.fire(out.slice(0, budget).replace(/\r?\n/g, '\r\n'));
        budget = 0;
        return;
      }
      budget -= out.length;
      emitter.fire(out.replace(/\r?\n/g, '\r\n'));
    };
    // The extension's own lines (an error, the closing line) keep their colours as written.
    const write = (text: string): void => {
      if (!closed) emitter.fire(text.replace(/\r?\n/g, '\r\n'));
    };
    const terminal = vscode.window.createTerminal({
      name,
      iconPath: new vscode.ThemeIcon('output'),
      pty: {
        onDidWrite: emitter.event,
        open: () => {
          follow(log).then(
            (f) => {
              followed = f;
              if (closed) return f.stop();
              if (endLine) void f.done?.then(() => write(`\n\x1b[2m${endLine}\x1b[0m\n`));
            },
            (err: unknown) => write(`\x1b[31m${errorMessage(err)}\x1b[0m\n`),
          );
        },
        close: () => {
          closed = true;
          clearInterval(refill);
          followed?.stop();
          this.open.delete(key);
          emitter.dispose();
        },
      },
    });
    this.open.set(key, terminal);
    terminal.show();
  }

  /** Closes the terminal of `key` (its source is going away). */
  close(key: string): void {
    this.open.get(key)?.dispose();
  }

  dispose(): void {
    for (const t of this.open.values()) t.dispose();
    this.open.clear();
  }
}
