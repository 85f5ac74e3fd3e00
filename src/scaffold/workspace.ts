// Editor-side facts the scaffold's two front ends (the form and the step-by-step
// flow) share: which Python to use, where to search, where a project goes.
import * as vscode from 'vscode';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Settings } from '../vscode/ids';

/** Folders no search for models, CSVs or projects should enter. */
export const SEARCH_EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**}';

export function pythonPath(): string {
  return vscode.workspace.getConfiguration().get<string>(Settings.pythonPath, '').trim() || 'python3';
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
