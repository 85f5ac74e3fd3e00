import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Commands } from '../vscode/ids';

const isFile = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined))?.isFile() ?? false;

/** The folder with the Dockerfile (or the project marker) at or above `start`, within its workspace folder; read asynchronously, off the extension host's hot path. */
async function projectRoot(start: string): Promise<string | undefined> {
  const stop = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start))?.uri.fsPath;
  if (!stop) return undefined;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if ((await isFile(path.join(dir, 'Dockerfile'))) || (await isFile(path.join(dir, '.mlops', 'project.json')))) return dir;
    if (dir === stop || path.dirname(dir) === dir) return undefined;
  }
}

/** "Containerize and Deploy" and "Build Image" above a Dockerfile, and above the app file of a project that has one. */
export class DeployCodeLens implements vscode.CodeLensProvider {
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (doc.uri.scheme !== 'file') return [];
    const dir = path.dirname(doc.uri.fsPath);
    const isDockerfile = doc.languageId === 'dockerfile' || path.basename(doc.uri.fsPath) === 'Dockerfile';
    const root = isDockerfile ? dir : await projectRoot(dir);
    if (!root || !(await isFile(path.join(root, 'Dockerfile')))) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const folder = vscode.Uri.file(root);
    return [
      new vscode.CodeLens(range, { title: `$(rocket) ${vscode.l10n.t('Containerize and Deploy')}`, command: Commands.deployContainerizeAndDeploy, arguments: [folder] }),
      new vscode.CodeLens(range, { title: `$(package) ${vscode.l10n.t('Build Image')}`, command: Commands.dockerBuild, arguments: [folder] }),
    ];
  }
}
