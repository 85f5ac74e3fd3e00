import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { dockerfileIn } from '../docker/core/project';

const isFile = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined))?.isFile() ?? false;

/** Whether `dir` has a Dockerfile (of any of the names users give it: see dockerfileIn). */
export const hasDockerfile = async (dir: string): Promise<boolean> => (await dockerfileIn(dir)) !== undefined;

/** The folder with the Dockerfile (or the project marker) at or above `start`, within its workspace folder; read asynchronously, off the extension host's hot path. */
export async function projectRootOf(start: string): Promise<string | undefined> {
  const stop = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start))?.uri.fsPath;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if ((await hasDockerfile(dir)) || (await isFile(path.join(dir, '.mlops', 'project.json')))) return dir;
    // Outside any workspace folder only `start` itself is looked at.
    if (!stop || dir === stop || path.dirname(dir) === dir) return undefined;
  }
}
