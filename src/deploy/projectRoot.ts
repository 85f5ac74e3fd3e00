import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';

const isFile = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined))?.isFile() ?? false;

/** Whether `dir` has a Dockerfile. */
export const hasDockerfile = (dir: string): Promise<boolean> => isFile(path.join(dir, 'Dockerfile'));

/** The folder with the Dockerfile (or the project marker) at or above `start`, within its workspace folder; read asynchronously, off the extension host's hot path. */
export async function projectRootOf(start: string): Promise<string | undefined> {
  const stop = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start))?.uri.fsPath;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if ((await hasDockerfile(dir)) || (await isFile(path.join(dir, '.mlops', 'project.json')))) return dir;
    // Outside any workspace folder only `start` itself is looked at.
    if (!stop || dir === stop || path.dirname(dir) === dir) return undefined;
  }
}
