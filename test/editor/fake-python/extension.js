// The environments part of the Python extension's API (ms-python.python), as
// @vscode/python-extension types it: the selected interpreter, resolving it, and the event
// when the selection changes. `mlopsTestPython.select <path>` selects one ('' selects none).
const vscode = require('vscode');

exports.activate = function activate(context) {
  let active = { id: '', path: '' };
  const changed = new vscode.EventEmitter();
  context.subscriptions.push(
    changed,
    vscode.commands.registerCommand('mlopsTestPython.select', (p) => {
      active = { id: String(p ?? ''), path: String(p ?? '') };
      changed.fire({ id: active.id, path: active.path, resource: undefined });
    }),
  );
  return {
    ready: Promise.resolve(),
    environments: {
      getActiveEnvironmentPath: () => active,
      resolveEnvironment: async (env) => {
        const p = typeof env === 'string' ? env : env && env.path;
        return p ? { id: p, path: p, executable: { uri: vscode.Uri.file(p), bitness: '64-bit', sysPrefix: '' }, environment: undefined, version: undefined, tools: [] } : undefined;
      },
      onDidChangeActiveEnvironmentPath: changed.event,
      known: [],
      onDidChangeEnvironments: new vscode.EventEmitter().event,
      refreshEnvironments: async () => undefined,
      updateActiveEnvironmentPath: async (p) => vscode.commands.executeCommand('mlopsTestPython.select', typeof p === 'string' ? p : p.path),
    },
  };
};
exports.deactivate = function deactivate() {};
