import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContextKeys } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { ModelApiProject } from './core/projects';
import { APP_FILES, DEPENDENCY_FILES, detectFramework, parseProjectMarker } from './core/projects';
import { DOCKERFILE_GLOB, isDockerfileName } from '../docker/core/project';
import { SEARCH_EXCLUDE } from './workspace';

/** Folders no project is searched in (SEARCH_EXCLUDE's), and caches that churn. */
function ignoredPath(p: string): boolean {
  return /[\\/](node_modules|\.git|\.venv|venv|__pycache__|\.pytest_cache|\.mypy_cache|\.dvc|mlruns)([\\/]|$)/.test(p);
}

/**
 * The Model APIs of the workspace: projects this extension scaffolded (they carry
 * .mlops/project.json) and plain FastAPI/Flask apps with a Dockerfile. Found on first use,
 * kept fresh by file watchers (debounced). The Model APIs view, the Docker and Kubernetes
 * commands, the deploy and the status bar ask it; none of them asks the tree.
 */
export class ModelApiIndex extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<undefined>());
  /** The list may have changed: read it again with list(). */
  readonly onDidChange = this.changed.event;
  private projects: Promise<ModelApiProject[]> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly log: ComponentLogger) {
    super();
    for (const glob of ['**/.mlops/project.json', `**/${DOCKERFILE_GLOB}`]) {
      const w = this.register(vscode.workspace.createFileSystemWatcher(glob));
      w.onDidCreate(() => this.refreshSoon());
      w.onDidChange(() => this.refreshSoon());
      w.onDidDelete(() => this.refreshSoon());
    }
    // A folder copied, cloned or moved into the workspace whole reaches the watchers as the
    // folder alone (no event for the Dockerfile inside it), and one deleted whole likewise.
    const folders = this.register(vscode.workspace.createFileSystemWatcher('**/*', false, true, false));
    folders.onDidCreate((uri) => void this.folderCreated(uri));
    folders.onDidDelete((uri) => void this.folderDeleted(uri));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
    this.register({ dispose: () => this.timer && clearTimeout(this.timer) });
  }

  refresh(): void {
    this.projects = undefined;
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 300);
  }

  private async folderCreated(uri: vscode.Uri): Promise<void> {
    // Files have their own watchers; a name with an extension is almost always a file.
    if (uri.scheme !== 'file' || path.extname(uri.fsPath) !== '' || isDockerfileName(path.basename(uri.fsPath)) || ignoredPath(uri.fsPath)) return;
    try {
      if ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) this.refreshSoon();
    } catch {
      // Gone again already.
    }
  }

  private async folderDeleted(uri: vscode.Uri): Promise<void> {
    if (!this.projects || ignoredPath(uri.fsPath)) return;
    const gone = uri.fsPath + path.sep;
    const list = await this.projects.catch(() => []);
    if (list.some((p) => p.dir === uri.fsPath || p.dir.startsWith(gone))) this.refreshSoon();
  }

  list(): Promise<ModelApiProject[]> {
    if (!this.projects) {
      this.projects = this.discover();
      // The Explorer's "Containerize and Deploy" shows on these folders only.
      void this.projects.then(
        (list) => vscode.commands.executeCommand('setContext', ContextKeys.modelApiFolders, list.map((p) => p.dir)),
        () => undefined,
      );
    }
    return this.projects;
  }

  private async discover(): Promise<ModelApiProject[]> {
    const found = new Map<string, ModelApiProject>();
    for (const uri of await vscode.workspace.findFiles('**/.mlops/project.json', SEARCH_EXCLUDE, 500)) {
      const dir = path.dirname(path.dirname(uri.fsPath));
      try {
        found.set(dir, parseProjectMarker(dir, await readFile(uri.fsPath, 'utf8')));
      } catch (err) {
        this.log.warn(`cannot read ${uri.fsPath}: ${(err as Error).message}`);
      }
    }
    for (const uri of await vscode.workspace.findFiles(`**/${DOCKERFILE_GLOB}`, SEARCH_EXCLUDE, 500)) {
      const dir = path.dirname(uri.fsPath);
      if (found.has(dir) || !isDockerfileName(path.basename(uri.fsPath))) continue;
      const read = (f: string): Promise<string> => readFile(path.join(dir, f), 'utf8').catch(() => '');
      const requirements = (await Promise.all(DEPENDENCY_FILES.map(read))).join('\n');
      const sources = await Promise.all(APP_FILES.map(read));
      const framework = detectFramework(requirements, sources);
      if (framework) found.set(dir, { dir, name: path.basename(dir), framework, scaffolded: false });
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

}
