import * as vscode from 'vscode';
import path from 'node:path';
import { isInside } from '../common/files';

/**
 * `p` when it lies in one of the open workspace folders, else undefined. For folder paths
 * that come from outside (a Deployment's annotation, a container's label: anyone who can
 * write to the cluster or the engine can set them), before one is built, deployed or read.
 */
export function insideWorkspace(p: string | undefined): string | undefined {
  if (!p || !path.isAbsolute(p)) return undefined;
  const target = path.resolve(p);
  return (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const rel = path.relative(f.uri.fsPath, target);
    return isInside(rel);
  })
    ? target
    : undefined;
}
