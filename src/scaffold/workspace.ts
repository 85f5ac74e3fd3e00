// Editor-side facts the scaffold's two front ends (the form and the step-by-step
// flow) share: which Python to use, where to search, where a project goes.
import * as vscode from 'vscode';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../common/cancellation';
import { pythonWith } from '../vscode/python';
import type { ModelFormat } from './core/formats';
import { MODEL_FORMATS, MODEL_GLOB, SNIFF_BYTES, modelFormatOf, needsSniff } from './core/formats';
import type { ModelInfo } from './core/inspect';
import { inspectModel } from './core/inspect';

/** Folders no search for models, CSVs or projects should enter. */
export const SEARCH_EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**}';

/** The Python for work on `resource` (a model file, a project): see vscode/python.ts for the order. */
export async function pythonPath(resource: vscode.Uri | undefined, needs: string): Promise<string> {
  return (await pythonWith(resource, needs)).python;
}

/** A model file's format: from its name, or for a `.json`/`.txt` file from its first bytes. */
export async function formatOfFile(file: string): Promise<ModelFormat | undefined> {
  if (!needsSniff(file)) return modelFormatOf(file);
  try {
    const fh = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
      return modelFormatOf(file, buffer.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** The workspace's model files: every model extension, and JSON/text files that are XGBoost or LightGBM models. */
export async function findModelFiles(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(MODEL_GLOB, SEARCH_EXCLUDE, 200);
  const formats = await Promise.all(found.map((u) => formatOfFile(u.fsPath)));
  return found.filter((_, i) => formats[i] !== undefined);
}

/** What a model file takes, read by a Python that has the format's library (the project's when it has it). */
export async function inspectModelFile(file: string, format: ModelFormat, token?: CancellationTokenLike): Promise<ModelInfo> {
  return inspectModel(await pythonPath(vscode.Uri.file(file), MODEL_FORMATS[format].module), file, token, format);
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
