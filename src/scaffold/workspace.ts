// Editor-side facts the scaffold's two front ends (the form and the step-by-step
// flow) share: which Python to use, where to search, where a project goes.
import * as vscode from 'vscode';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pythonWith } from '../vscode/python';

/** Folders no search for models, CSVs or projects should enter. */
export const SEARCH_EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**}';

/** The Python for work on `resource` (a model file, a project): see vscode/python.ts for the order. */
export async function pythonPath(resource: vscode.Uri | undefined, needs: 'sklearn' | 'pytest'): Promise<string> {
  return (await pythonWith(resource, needs)).python;
}

/**
 * Where a project started from `uri` goes: a folder is used as it is; beside a model
 * file, the workspace folder that holds the file (or the file's own folder outside any).
 */
export function projectParentFor(uri: vscode.Uri, isFile: boolean): string {
  if (!isFile) return uri.fsPath;
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
}

export async function folderHasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}
