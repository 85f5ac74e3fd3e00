// A stand-in for the `vscode` module that records every call made through it,
// so a unit test can run activate() in plain Node and see what was registered.
// Every property is another recorder; calling one records the call.
import Module from 'node:module';

export interface RecordedCall {
  readonly path: string;
  readonly args: unknown[];
}

/** The parts of the editor API the extension may touch at activation. */
const VSCODE_EXPORTS = [
  'window', 'commands', 'workspace', 'languages', 'l10n', 'env', 'extensions', 'tasks', 'debug',
  'Uri', 'EventEmitter', 'Disposable', 'TreeItem', 'ThemeIcon', 'ThemeColor', 'TreeItemCollapsibleState', 'TreeItemCheckboxState',
  'MarkdownString', 'RelativePattern', 'Diagnostic', 'DiagnosticSeverity', 'Range', 'Position', 'ViewColumn', 'CancellationError',
  'CancellationTokenSource', 'ConfigurationTarget', 'QuickPickItemKind', 'ProgressLocation', 'StatusBarAlignment', 'CodeLens',
];

export function createRecorder(): { api: unknown; calls: RecordedCall[]; make: (path: string) => unknown } {
  const calls: RecordedCall[] = [];
  const make = (path: string): unknown =>
    new Proxy(function recorder() {}, {
      get(_t, prop) {
        if (prop === 'then') return undefined; // not a thenable
        if (prop === Symbol.toPrimitive) return () => path;
        if (typeof prop === 'symbol') return undefined;
        return make(`${path}.${prop}`);
      },
      // Assignments (item.name = …, item.text = …) are accepted and forgotten.
      set() {
        return true;
      },
      apply(_t, _this, args: unknown[]) {
        calls.push({ path, args });
        return make(`${path}()`);
      },
      construct(_t, args: unknown[]) {
        calls.push({ path: `new ${path}`, args });
        return make(`new ${path}`) as object;
      },
    });
  // The top level is a plain object: bundlers' ESM interop copies own properties only.
  const api: Record<string, unknown> = {};
  for (const name of VSCODE_EXPORTS) api[name] = make(`vscode.${name}`);
  return { api, calls, make };
}

/** Makes `require('vscode')` return `api` until the returned function is called. */
export function installVscode(api: unknown): () => void {
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return api;
    return original.call(this, request, ...rest);
  };
  return () => {
    mod._load = original;
  };
}
