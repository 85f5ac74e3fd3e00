import * as vscode from 'vscode';
import { UserFacingError, errorMessage } from '../common/errors';
import { Settings, StorageKeys, ContextKeys } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { BuiltinSyllabus } from './core/catalog';
import { BUILTIN_SYLLABI, DEFAULT_SYLLABUS_ID, findBuiltin } from './core/catalog';
import { SyllabusModel } from './core/model';
import { parseSyllabus } from './core/parser';
import type { ProgressMap } from './core/progress';

/** Where the syllabus comes from: one of ours, or the user's own file. */
export type SyllabusSource =
  | { readonly kind: 'builtin'; readonly builtin: BuiltinSyllabus; readonly uri: vscode.Uri }
  | { readonly kind: 'file'; readonly uri: vscode.Uri };

const RELOAD_DEBOUNCE_MS = 200;

/**
 * Loads the current syllabus, keeps its progress in extension storage and tells
 * the tree and the overview when anything changes. Built-in syllabi keep progress
 * in globalState (synced across machines); a user's own file, in workspaceState.
 */
/** The largest syllabus file read, and the most problems shown for one. */
export const MAX_SYLLABUS_BYTES = 4 * 1024 * 1024;
export const MAX_PROBLEMS = 200;

export class SyllabusService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  private current: { source: SyllabusSource; model: SyllabusModel } | undefined;
  private loading: Promise<void> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('mlops-syllabus'));

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: ComponentLogger,
  ) {
    super();
    context.globalState.setKeysForSync(BUILTIN_SYLLABI.map((b) => this.storageKey({ kind: 'builtin', builtin: b, uri: context.extensionUri })));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.syllabusPath)) this.scheduleReload();
      }),
    );
    this.register({ dispose: () => this.reloadTimer && clearTimeout(this.reloadTimer) });
    this.register({ dispose: () => this.watcher?.dispose() });
  }

  /** The loaded syllabus, loading it on first use. */
  async get(): Promise<{ source: SyllabusSource; model: SyllabusModel }> {
    if (!this.current) await this.reload();
    return this.current!;
  }

  peek(): { source: SyllabusSource; model: SyllabusModel } | undefined {
    return this.current;
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }

  private async load(): Promise<void> {
    const source = this.resolveSource();
    let text: string;
    try {
      // A syllabus is a few kilobytes; a file of many megabytes (a log set by mistake, or planted) is not parsed on every save.
      if (source.kind === 'file' && (await vscode.workspace.fs.stat(source.uri)).size > MAX_SYLLABUS_BYTES) {
        throw new UserFacingError(vscode.l10n.t('it is larger than {0} MB', MAX_SYLLABUS_BYTES / 1024 / 1024));
      }
      text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(source.uri));
    } catch (err) {
      if (source.kind === 'file') {
        this.log.warn(`cannot read ${source.uri.fsPath}: ${errorMessage(err)}`);
        const open = vscode.l10n.t('Open Settings');
        void vscode.window
          .showWarningMessage(
            vscode.l10n.t('Cannot read the syllabus file "{0}" set in {1} ({2}); showing the built-in course syllabus instead.', source.uri.fsPath, Settings.syllabusPath, errorMessage(err)),
            open,
          )
          .then((c) => c === open && vscode.commands.executeCommand('workbench.action.openSettings', Settings.syllabusPath));
        await this.loadBuiltin(findBuiltin(this.context.globalState.get<string>(StorageKeys.selectedSyllabus)));
        return;
      }
      throw err;
    }
    this.install(source, text);
  }

  private async loadBuiltin(builtin: BuiltinSyllabus): Promise<void> {
    const source: SyllabusSource = { kind: 'builtin', builtin, uri: this.builtinUri(builtin) };
    const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(source.uri));
    this.install(source, text);
  }

  private install(source: SyllabusSource, text: string): void {
    const syllabus = parseSyllabus(text);
    const stored = this.storage(source).get<ProgressMap>(this.storageKey(source)) ?? {};
    const fallbackTitle = source.kind === 'file' ? source.uri.path.split('/').pop()! : source.builtin.id;
    const model = new SyllabusModel(syllabus, stored, fallbackTitle);
    if (model.migrated) void this.storage(source).update(this.storageKey(source), model.progress);
    this.current = { source, model };
    this.watch(source);
    this.publishProblems(source, model);
    this.log.info(
      `loaded "${model.title}" (${source.kind === 'file' ? source.uri.fsPath : source.builtin.id}): ${syllabus.modules.length} modules, ${model.totals().total} topics, ${syllabus.problems.length} problems`,
    );
    this.changed.fire();
  }

  private publishProblems(source: SyllabusSource, model: SyllabusModel): void {
    this.diagnostics.clear();
    // A file of many thousand bad lines shows the first MAX_PROBLEMS (the log says how many more).
    const all = model.syllabus.problems;
    const problems = all.slice(0, MAX_PROBLEMS);
    void vscode.commands.executeCommand('setContext', ContextKeys.syllabusHasProblems, problems.length > 0);
    if (problems.length === 0) return;
    for (const p of problems) this.log.warn(`${source.uri.fsPath}:${p.line}: ${p.message}`);
    if (all.length > problems.length) this.log.warn(`${source.uri.fsPath}: and ${all.length - problems.length} more lines that could not be read`);
    if (source.kind === 'file') {
      this.diagnostics.set(
        source.uri,
        problems.map((p) => {
          const line = Math.max(0, p.line - 1);
          const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), p.message, vscode.DiagnosticSeverity.Warning);
          d.source = 'MLOps syllabus';
          return d;
        }),
      );
    }
  }

  private watch(source: SyllabusSource): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    if (source.kind !== 'file') return;
    const dir = vscode.Uri.joinPath(source.uri, '..');
    const name = source.uri.path.split('/').pop()!;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, name));
    this.watcher.onDidChange(() => this.scheduleReload());
    this.watcher.onDidCreate(() => this.scheduleReload());
    this.watcher.onDidDelete(() => this.scheduleReload());
  }

  private resolveSource(): SyllabusSource {
    const configured = vscode.workspace.getConfiguration().get<string>(Settings.syllabusPath, '').trim();
    if (configured) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const isAbsolute = configured.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(configured);
      const uri = isAbsolute || !folder ? vscode.Uri.file(configured) : vscode.Uri.joinPath(folder.uri, configured);
      return { kind: 'file', uri };
    }
    const builtin = findBuiltin(this.context.globalState.get<string>(StorageKeys.selectedSyllabus) ?? DEFAULT_SYLLABUS_ID);
    return { kind: 'builtin', builtin, uri: this.builtinUri(builtin) };
  }

  private builtinUri(b: BuiltinSyllabus): vscode.Uri {
    return vscode.Uri.joinPath(this.context.extensionUri, 'media', 'syllabi', b.file);
  }

  private storage(source: SyllabusSource): vscode.Memento {
    return source.kind === 'builtin' ? this.context.globalState : this.context.workspaceState;
  }

  private storageKey(source: SyllabusSource): string {
    return source.kind === 'builtin' ? `${StorageKeys.progressPrefix}builtin:${source.builtin.id}` : `${StorageKeys.progressPrefix}file:${source.uri.toString()}`;
  }

  /** Sets topics done or not; saves and notifies once. */
  async setDone(changes: ReadonlyArray<{ key: string; done: boolean }>): Promise<void> {
    const { source, model } = await this.get();
    let any = false;
    for (const c of changes) any = model.setDone(c.key, c.done) || any;
    if (!any) return;
    await this.storage(source).update(this.storageKey(source), model.progress);
    this.changed.fire();
  }

  async resetProgress(): Promise<void> {
    const { source } = await this.get();
    await this.storage(source).update(this.storageKey(source), undefined);
    await this.reload();
  }

  async selectBuiltin(id: string): Promise<void> {
    await this.context.globalState.update(StorageKeys.selectedSyllabus, id);
    await this.reload();
  }
}
