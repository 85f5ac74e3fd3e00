// Helpers of the editor tier, inside the extension host: the running extension's own
// object (its services), and stubbed answers to its questions. The `vscode` here is the
// MLOps extension's API object (see run.ts), so a stub on `vscode.window` is what the
// extension's commands call.
import * as vscode from 'vscode';
import type { Extension } from '../../src/extension';
import { EXTENSION_ID } from '../../src/vscode/ids';

export async function extension(): Promise<Extension> {
  const ext = vscode.extensions.getExtension<Extension>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.activate();
}

/** The workspace folder the window opened (a copy of the sample workspace). */
export function workspaceFolder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder is open');
  return f.uri;
}

type Window = typeof vscode.window;
type Answer<K extends keyof Window> = Window[K] extends (...args: infer A) => unknown ? (...args: A) => unknown : never;

export interface Asked {
  readonly method: string;
  /** The message, title or placeholder the user was shown. */
  readonly text: string;
  /** Buttons or items offered. */
  readonly options: string[];
}

/** Every question the extension can ask. None of them may reach the real UI in a test: it would wait for a click forever. */
const PROMPTS = ['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showQuickPick', 'showInputBox', 'showOpenDialog', 'showSaveDialog'] as const;

/**
 * Replaces the `window.show*` prompts with answers, in order: each entry answers one call (a
 * value, or a function of the call's arguments). A prompt with no answer left (or none
 * given) is dismissed, as Escape would, and recorded in `asked`. An error toast fails the
 * test unless `showErrorMessage` answers were given (the test expects errors).
 * `restore()` puts back what was there before.
 */
export function answer(answers: { [K in keyof Window]?: Array<Answer<K> | unknown> }): { asked: Asked[]; restore: () => void } {
  const asked: Asked[] = [];
  const originals = new Map<string, unknown>();
  const w = vscode.window as unknown as Record<string, unknown>;
  const given = answers as Record<string, unknown[] | undefined>;
  for (const method of PROMPTS) {
    const queue = [...(given[method] ?? [])];
    const expected = method !== 'showErrorMessage' || given[method] !== undefined;
    originals.set(method, w[method]);
    w[method] = (...args: unknown[]) => {
      asked.push(describe(method, args));
      if (!expected) unexpectedErrors.push(asked.at(-1)!.text);
      const next = queue.shift();
      return Promise.resolve(typeof next === 'function' ? (next as (...a: unknown[]) => unknown)(...args) : next);
    };
  }
  return {
    asked,
    restore: () => {
      for (const [m, f] of originals) w[m] = f;
    },
  };
}

/** Error toasts no test asked for: a command that failed behind the wrapper (which turns every error into a toast). */
const unexpectedErrors: string[] = [];

// Between and around the tests' own answers, every prompt is dismissed, never shown.
let guard: { restore: () => void } | undefined;
beforeEach(() => {
  guard ??= answer({});
});
// A test passes only if no command it ran showed an error it did not expect (pass showErrorMessage answers to expect one).
afterEach(() => {
  const errors = unexpectedErrors.splice(0);
  if (errors.length) throw new Error(`unexpected error toasts: ${errors.join(' | ')}`);
});
after(() => {
  guard?.restore();
  guard = undefined;
});

function describe(method: string, args: unknown[]): Asked {
  const label = (x: unknown): string => (typeof x === 'string' ? x : x && typeof x === 'object' && 'label' in x ? String((x as { label: unknown }).label) : x && typeof x === 'object' && 'title' in x ? String((x as { title: unknown }).title) : '');
  if (method === 'showQuickPick') {
    const items = Array.isArray(args[0]) ? (args[0] as unknown[]) : [];
    const opts = (args[1] ?? {}) as { title?: string; placeHolder?: string };
    return { method, text: opts.title ?? opts.placeHolder ?? '', options: items.map(label) };
  }
  if (method === 'showInputBox') {
    const opts = (args[0] ?? {}) as { title?: string; prompt?: string; placeHolder?: string };
    return { method, text: opts.title ?? opts.prompt ?? opts.placeHolder ?? '', options: [] };
  }
  const [message, ...rest] = args;
  return { method, text: String(message), options: rest.filter((r) => typeof r === 'string' || (r && typeof r === 'object' && 'title' in r)).map(label) };
}

/** Picks the item whose label includes `text` (for showQuickPick answers). */
export function pick(text: string): (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => Promise<vscode.QuickPickItem | undefined> {
  return async (items) => {
    const list = await items;
    const found = list.find((i) => i.label.includes(text));
    if (!found) throw new Error(`no item "${text}" among ${list.map((i) => i.label).join(' | ')}`);
    return found;
  };
}

/** Waits until `check` holds (the extension refreshes on events, not at once). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a command, failing (instead of waiting forever) if it does not finish in time. */
export async function within<T>(ms: number, what: string, work: () => Thenable<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([Promise.resolve(work()), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A panel the extension opened, seen from outside: what it posted to its page, and a way to speak as the page. */
export interface CapturedPanel {
  readonly panel: vscode.WebviewPanel;
  readonly posted: Array<{ type: string; seq?: number; [k: string]: unknown }>;
  /** Delivers a message to the panel's host as if its page had sent it (the page's own messages still arrive too). */
  send(message: unknown): Promise<void>;
}

/**
 * Records every webview panel opened while `open` runs: its posts, and its message
 * listeners so a test can send what a page (or a hostile page) would. The panels are real:
 * their pages load and talk to their hosts as usual.
 */
export async function capturePanels(open: () => unknown): Promise<CapturedPanel[]> {
  const w = vscode.window as unknown as { createWebviewPanel: typeof vscode.window.createWebviewPanel };
  const original = w.createWebviewPanel;
  const captured: CapturedPanel[] = [];
  w.createWebviewPanel = ((...args: Parameters<typeof vscode.window.createWebviewPanel>) => {
    const panel = original.apply(vscode.window, args);
    const posted: CapturedPanel['posted'] = [];
    const listeners: Array<(m: unknown) => unknown> = [];
    const webview = panel.webview;
    const post = webview.postMessage.bind(webview);
    const on = webview.onDidReceiveMessage.bind(webview);
    Object.defineProperty(webview, 'postMessage', { configurable: true, value: (m: CapturedPanel['posted'][number]) => (posted.push(m), post(m)) });
    Object.defineProperty(webview, 'onDidReceiveMessage', {
      configurable: true,
      value: (listener: (m: unknown) => unknown, thisArg?: unknown, subs?: vscode.Disposable[]) => {
        listeners.push((m) => listener.call(thisArg, m));
        return on(listener, thisArg, subs);
      },
    });
    captured.push({ panel, posted, send: async (m) => void (await Promise.all(listeners.map((l) => l(m)))) });
    return panel;
  }) as typeof vscode.window.createWebviewPanel;
  try {
    await open();
  } finally {
    w.createWebviewPanel = original;
  }
  return captured;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
