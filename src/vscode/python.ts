// The Python a project runs in (see common/python.ts for the order): the interpreter the
// user selected in the Python extension (ms-python.python, through its environments API,
// when it is installed), else the project's .venv, else mlops.python.path, else the PATH.
import * as vscode from 'vscode';
import type { PythonEnv } from '../common/python';
import { choosePython, hasModule } from '../common/python';
import path from 'node:path';
import { Settings } from './ids';

const PYTHON_EXTENSION = 'ms-python.python';

/** The Python extension's selected interpreter for `resource`, when the extension is installed and answers within 5 s. */
async function selectedInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION)) return undefined;
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const ask = async (): Promise<string | undefined> => {
      const api = await PythonExtension.api();
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active);
      return resolved?.executable.uri?.fsPath ?? active.path;
    };
    return await Promise.race([ask(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
  } catch {
    // Not activated, or an older API: the next choice.
    return undefined;
  }
}

/** The Python for a project folder (or a file in it). */
export async function pythonEnvFor(resource: vscode.Uri | undefined): Promise<PythonEnv> {
  const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
  const selected = await selectedInterpreter(resource ?? folder?.uri);
  const setting = vscode.workspace.getConfiguration(undefined, resource).get<string>(Settings.pythonPath, '');
  const dir = resource?.fsPath;
  return choosePython({ ...(selected ? { selected } : {}), ...(dir ? { dir } : {}), ...(folder ? { workspaceRoot: folder.uri.fsPath } : {}), setting });
}

/**
 * The project's Python when it has `module` (sklearn to read a model, pytest to run tests);
 * else mlops.python.path's, else the PATH's: a project .venv without it is passed over.
 */
export async function pythonWith(resource: vscode.Uri | undefined, module: string): Promise<PythonEnv> {
  const env = await pythonEnvFor(resource);
  if ((env.source === 'python-extension' || env.source === 'project-venv') && path.isAbsolute(env.python) && !hasModule(env.python, module)) {
    return choosePython({ setting: vscode.workspace.getConfiguration(undefined, resource).get<string>(Settings.pythonPath, '') });
  }
  return env;
}

/** Fires when the Python extension's selected interpreter changes (when it is installed). */
export async function onDidChangeSelectedPython(listener: () => void): Promise<vscode.Disposable | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION)) return undefined;
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    return (await PythonExtension.api()).environments.onDidChangeActiveEnvironmentPath(() => listener());
  } catch {
    return undefined;
  }
}
