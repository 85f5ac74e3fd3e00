import * as vscode from 'vscode';
import type { Outcome } from '../common/latest';
import { LatestOnly } from '../common/latest';
import type { CancellationTokenLike } from '../common/cancellation';
import type { Numbered } from '../webview/contract/host';
import { seqOf } from '../webview/contract/host';
import { showError } from './errors';
import type { ComponentLogger } from './logger';
import { webviewHtml, webviewResourceRoots } from './webview';

export interface PanelPage {
  readonly title: string;
  /** The bundle under dist/webviews, without `.js`. */
  readonly script: string;
  /** Style sheets under media/webviews, without `.css`. */
  readonly styles: readonly string[];
}

/**
 * A new panel, or one VS Code restored after a reload (`restored`), set up with its page:
 * scripts on, only the extension's dist/ and media/ loadable, the extension's icon.
 */
export function openPanel(viewType: string, extensionUri: vscode.Uri, page: PanelPage, restored?: vscode.WebviewPanel, opts: { retainContextWhenHidden?: boolean } = {}): vscode.WebviewPanel {
  const roots = webviewResourceRoots(extensionUri);
  const p = restored ?? vscode.window.createWebviewPanel(viewType, page.title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: roots, ...opts });
  p.webview.options = { enableScripts: true, localResourceRoots: roots };
  p.title = page.title;
  p.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'mlops.svg');
  p.webview.html = webviewHtml(p.webview, extensionUri, {
    title: page.title,
    script: `dist/webviews/${page.script}.js`,
    styles: page.styles.map((s) => `media/webviews/${s}.css`),
  });
  return p;
}

export interface WebviewHostOptions<From extends { readonly type: string }> {
  /** The panel's name in log lines and error contexts ("runs table"). */
  readonly name: string;
  readonly log: ComponentLogger;
  /** The contract's guard: anything else the webview sends is logged and dropped. */
  readonly accepts: (v: unknown) => v is From;
  /** Each accepted message, `ready` included (the page asks for its state). */
  readonly onMessage: (m: From & Numbered) => unknown;
  /** Where a handler's error goes instead of a toast (a form shows it in place). */
  readonly onError?: (err: unknown, m: From) => void;
}

/**
 * The extension's side of every webview panel: the webview's messages checked against the
 * contract (and their request numbers), its handlers' errors shown through showError, what
 * is posted before the page said `ready` (or while a hidden page is gone) kept, newest of
 * each type, and sent when it does; answers carry their request's number back, and
 * `latest(channel)` cancels a channel's older work when a newer request comes.
 */
export class WebviewHost<From extends { readonly type: string }, To extends { readonly type: string }> implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private readonly queued = new Map<string, To & Numbered>();
  private readonly channels = new Map<string, LatestOnly>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly closers: Array<() => void> = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly opts: WebviewHostOptions<From>,
  ) {
    this.subs.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // A hidden page without retained context is torn down; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible && !panel.options.retainContextWhenHidden) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Ties a subscription (a service's change event) to the panel's life. */
  register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.subs.push(d);
    return d;
  }

  /** Runs when the panel closes (after the host stopped its work and subscriptions). */
  onDidClose(fn: () => void): void {
    this.closers.push(fn);
  }

  post(m: To & Numbered): void {
    if (this.disposed) return;
    if (!this.ready) {
      this.queued.delete(m.type);
      this.queued.set(m.type, m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  /** Posts the answer to a request, with the request's number so the webview can drop it when stale. */
  answer(request: Numbered, m: To): void {
    this.post(request.seq === undefined ? m : { ...m, seq: request.seq });
  }

  /** Runs a channel's work, cancelling the channel's work in flight; a superseded run resolves `{ current: false }`. */
  latest<T>(channel: string, work: (token: CancellationTokenLike) => Promise<T>): Promise<Outcome<T>> {
    let l = this.channels.get(channel);
    if (!l) this.channels.set(channel, (l = new LatestOnly()));
    return l.run(work);
  }

  private async receive(raw: unknown): Promise<void> {
    if (this.disposed) return;
    if (seqOf(raw) === null || !this.opts.accepts(raw)) {
      this.opts.log.warn(`${this.opts.name}: ignored a message outside its contract: ${safeJson(raw)}`);
      return;
    }
    const m = raw;
    if (m.type === 'ready') {
      this.ready = true;
      const queued = [...this.queued.values()];
      this.queued.clear();
      for (const q of queued) void this.panel.webview.postMessage(q);
    }
    try {
      await this.opts.onMessage(m);
    } catch (err) {
      if (this.opts.onError) this.opts.onError(err, m);
      else void showError(err, this.opts.log, { context: `${this.opts.name}: ${m.type}` });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.channels.values()) l.cancel();
    this.queued.clear();
    this.subs.splice(0).forEach((s) => s.dispose());
    for (const fn of this.closers.splice(0)) fn();
  }
}

function safeJson(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 200);
  } catch {
    return typeof v;
  }
}
