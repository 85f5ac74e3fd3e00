import * as vscode from 'vscode';
import path from 'node:path';
import { Commands } from '../vscode/ids';
import { hasDockerfile, projectRootOf } from './projectRoot';
import { isDockerfileName } from '../docker/core/project';

/** "Containerize and Deploy" and "Build Image" above a Dockerfile, and above the app file of a project that has one. */
export class DeployCodeLens implements vscode.CodeLensProvider {
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (doc.uri.scheme !== 'file') return [];
    const dir = path.dirname(doc.uri.fsPath);
    const isDockerfile = doc.languageId === 'dockerfile' || isDockerfileName(path.basename(doc.uri.fsPath));
    const root = isDockerfile ? dir : await projectRootOf(dir);
    if (!root || !(await hasDockerfile(root))) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const folder = vscode.Uri.file(root);
    return [
      new vscode.CodeLens(range, { title: `$(rocket) ${vscode.l10n.t('Containerize and Deploy')}`, command: Commands.deployContainerizeAndDeploy, arguments: [folder] }),
      new vscode.CodeLens(range, { title: `$(package) ${vscode.l10n.t('Build Image')}`, command: Commands.dockerBuild, arguments: [folder] }),
    ];
  }
}
