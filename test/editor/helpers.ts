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

/**
 * Replaces `window.show*` methods with answers, in order: each entry answers one call (a
 * value, or a function of the call's arguments). A call with no answer left fails the test.
 * Every question asked is recorded. `restore()` puts the editor's methods back.
 */
export function answer(answers: { [K in keyof Window]?: Array<Answer<K> | unknown> }): { asked: Asked[]; restore: () => void } {
  const asked: Asked[] = [];
  const originals = new Map<string, unknown>();
  const w = vscode.window as unknown as Record<string, unknown>;
  // An error toast nobody expected is recorded (and dismissed), so a failing assertion can say what went wrong.
  const queues = { showErrorMessage: [] as unknown[], ...answers } as Record<string, unknown[]>;
  const unexpectedErrors = !('showErrorMessage' in answers);
  for (const [method, queue] of Object.entries(queues)) {
    originals.set(method, w[method]);
    w[method] = (...args: unknown[]) => {
      asked.push(describe(method, args));
      if (method === 'showErrorMessage' && unexpectedErrors) return Promise.resolve(undefined);
      if (queue.length === 0) return Promise.reject(new Error(`unexpected ${method}: ${asked.at(-1)!.text}`));
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

function describe(method: string, args: unknown[]): Asked {
  const label = (x: unknown): string => (typeof x === 'string' ? x : x && typeof x === 'object' && 'label' in x ? String((x as { label: unknown }).label) : x && typeof x === 'object' && 'title' in x ? String((x as { title: unknown }).title) : '');
  if (method === 'showQuickPick') {
    const items = Array.isArray(args[0]) ? (args[0] as unknown[]) : [];
    const opts = (args[1] ?? {}) as { title?: string; placeHolder?: string };
    return { method, text: opts.title ?? opts.placeHolder ?? '', options: items.map(label) };
  }
  if (method === 'showInputBox') {
    const opts = (args[0] ?? {}) as { title?: string; prompt?: string; placeHolder?: string };
    return { method, text: opts.prompt ?? opts.title ?? opts.placeHolder ?? '', options: [] };
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
