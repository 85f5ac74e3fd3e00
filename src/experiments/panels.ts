import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { errorMessage } from '../common/errors';
import type { CompareState, DetailsState, FromCompare, FromDetails, FromTable, RestoreRef, Series, TableState, ToCompare, ToDetails, ToTable, ViewRun } from '../webview/contract/experiments';
import { isFromCompare, isFromDetails, isFromTable, keysOf, tableWire } from '../webview/contract/experiments';
import { Commands, WebviewPanels } from '../vscode/ids';
import { LatestOnly } from '../common/latest';
import { guarded, showError } from '../vscode/errors';
import type { ComponentLogger } from '../vscode/logger';
import { webviewHtml, webviewResourceRoots } from '../vscode/webview';
import type { Experiment, Run } from './core/model';
import { findRunModel } from './core/runModel';
import type { ExperimentSource } from './core/sources';
import type { ExperimentSources } from './service';

export interface RunRef {
  readonly source: ExperimentSource;
  readonly run: Run;
}

function viewRun(r: Run, experimentName: string): ViewRun {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    experimentId: r.experimentId,
    experimentName,
    ...(r.startTime !== undefined ? { startTime: r.startTime } : {}),
    ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
    ...(r.parentId ? { parentId: r.parentId } : {}),
    ...(r.gitCommit ? { gitCommit: r.gitCommit } : {}),
    params: r.params,
    metrics: r.metrics,
    tags: r.tags,
  };
}

/** A new panel, or one VS Code restored after a reload (`existing`), set up with its page. */
function panel(type: string, title: string, extensionUri: vscode.Uri, script: string, existing?: vscode.WebviewPanel): vscode.WebviewPanel {
  const p = existing ?? vscode.window.createWebviewPanel(type, title, vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: webviewResourceRoots(extensionUri) });
  p.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
  p.title = title;
  p.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'mlops.svg');
  p.webview.html = webviewHtml(p.webview, extensionUri, { title, script: `dist/webviews/${script}.js`, styles: ['media/webviews/base.css', 'media/webviews/experiments.css'] });
  return p;
}

export interface PanelHooks {
  readonly compare: (refs: RunRef[]) => void;
  readonly scaffold: (modelUri: string, runName: string) => void;
  readonly storage: vscode.Uri;
  readonly log: ComponentLogger;
}

/** Finds a restored panel's source and runs again; undefined when they are gone. */
async function resolveRestore(sources: ExperimentSources, restore: RestoreRef | undefined): Promise<{ source: ExperimentSource; experiments: Experiment[]; runs: Run[] } | undefined> {
  if (!restore) return undefined;
  const source = (await sources.allSources()).find((s) => s.id === restore.sourceId);
  if (!source) return undefined;
  const experiments = (await source.experiments()).filter((e) => restore.experimentIds.includes(e.id));
  if (experiments.length === 0) return undefined;
  let runs: Run[] = [];
  if (restore.runIds) {
    const all = await source.runs(experiments.map((e) => e.id));
    const byId = new Map(all.map((r) => [r.id, r]));
    runs = restore.runIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }
  return { source, experiments, runs };
}

/** After a window reload, the runs tables, compare views and run details come back with their runs. */
export function registerExperimentSerializers(extensionUri: vscode.Uri, sources: ExperimentSources, hooks: PanelHooks): vscode.Disposable[] {
  const gone = (p: vscode.WebviewPanel): void => {
    hooks.log.info(`${p.viewType}: its source or runs are gone; closing the restored panel`);
    p.dispose();
  };
  return [
    vscode.window.registerWebviewPanelSerializer(WebviewPanels.runsTable, {
      deserializeWebviewPanel: async (p, state: { restore?: RestoreRef } | undefined) => {
        const r = await resolveRestore(sources, state?.restore).catch(() => undefined);
        if (!r) return gone(p);
        RunsTable.show(extensionUri, sources, r.source, r.experiments, hooks.compare, p);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(WebviewPanels.compare, {
      deserializeWebviewPanel: async (p, state: { restore?: RestoreRef } | undefined) => {
        const r = await resolveRestore(sources, state?.restore).catch(() => undefined);
        if (!r || r.runs.length === 0) return gone(p);
        showCompare(extensionUri, sources, r.runs.map((run) => ({ source: r.source, run })), hooks, p);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(WebviewPanels.runDetails, {
      deserializeWebviewPanel: async (p, state: { restore?: RestoreRef } | undefined) => {
        const r = await resolveRestore(sources, state?.restore).catch(() => undefined);
        if (!r || r.runs.length === 0) return gone(p);
        await showDetails(extensionUri, sources, { source: r.source, run: r.runs[0] }, hooks, p);
      },
    }),
  ];
}

/** Runs of one or more experiments of a source, in a table; one panel per experiment. */
export class RunsTable {
  private static readonly open = new Map<string, RunsTable>();
  private filter = '';
  private runs: Run[] = [];
  private readonly loads = new LatestOnly();
  private readonly subs: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, sources: ExperimentSources, source: ExperimentSource, experiments: readonly Experiment[], onCompare: (refs: RunRef[]) => void, restored?: vscode.WebviewPanel): void {
    const key = `${source.id}|${experiments.map((e) => e.id).join(',')}`;
    const existing = RunsTable.open.get(key);
    if (existing) {
      restored?.dispose();
      existing.panel.reveal();
      return;
    }
    const title = experiments.length === 1 ? experiments[0].name : vscode.l10n.t('{0} experiments', experiments.length);
    const p = panel(WebviewPanels.runsTable, vscode.l10n.t('Runs: {0}', title), extensionUri, 'runs', restored);
    RunsTable.open.set(key, new RunsTable(p, sources, source, experiments, title, onCompare, () => RunsTable.open.delete(key)));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    sources: ExperimentSources,
    private readonly source: ExperimentSource,
    private readonly experiments: readonly Experiment[],
    private readonly title: string,
    private readonly onCompare: (refs: RunRef[]) => void,
    onClose: () => void,
  ) {
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromTable(m)) void this.onMessage(m);
      }),
      sources.onDidChangeSource((s) => {
        if (s.id === source.id) void this.load();
      }),
      panel.onDidDispose(() => {
        this.loads.cancel();
        onClose();
        this.subs.forEach((s) => s.dispose());
      }),
    );
  }

  private post(m: ToTable): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: FromTable): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'refresh':
        await this.load();
        return;
      case 'filter':
        this.filter = m.filter;
        await this.load();
        return;
      case 'details': {
        const run = this.runs.find((r) => r.id === m.runId);
        if (run) await vscode.commands.executeCommand(Commands.experimentsRunDetails, { source: this.source, run });
        return;
      }
      case 'compare': {
        const byId = new Map(this.runs.map((r) => [r.id, r]));
        this.onCompare(m.runIds.flatMap((id) => (byId.has(id) ? [{ source: this.source, run: byId.get(id)! }] : [])));
        return;
      }
    }
  }

  private async load(): Promise<void> {
    this.post({ type: 'loading', loading: true });
    const started = performance.now();
    let error: string | undefined;
    // A newer filter or refresh cancels this load; its answer, if it still comes, is dropped.
    try {
      const outcome = await this.loads.run((token) => this.source.runs(this.experiments.map((e) => e.id), { filter: this.filter, token }));
      if (!outcome.current) return;
      this.runs = outcome.value;
    } catch (err) {
      error = errorMessage(err);
      this.runs = [];
    }
    // The table knows its experiments' names, however it was opened.
    const names = new Map(this.experiments.map((e) => [e.id, e.name]));
    const runs = this.runs.map((r) => viewRun(r, names.get(r.experimentId) ?? r.experimentId));
    const state: TableState = {
      title: this.title,
      sourceLabel: this.source.label,
      serverFilter: this.source.kind === 'mlflow-server',
      filter: this.filter,
      runs,
      paramKeys: keysOf(runs, 'params'),
      metricKeys: keysOf(runs, 'metrics'),
      tagKeys: keysOf(runs, 'tags'),
      ...(error ? { error } : {}),
      elapsedMs: performance.now() - started,
      restore: { sourceId: this.source.id, experimentIds: this.experiments.map((e) => e.id) },
      strings: tableStrings(),
    };
    this.post({ type: 'state', state: tableWire(state) });
    this.post({ type: 'loading', loading: false });
  }
}

function tableStrings(): Record<string, string> {
  return {
    name: vscode.l10n.t('Run'),
    status: vscode.l10n.t('Status'),
    start: vscode.l10n.t('Started'),
    experiment: vscode.l10n.t('Experiment'),
    run: vscode.l10n.t('Run'),
    metrics: vscode.l10n.t('Metrics'),
    params: vscode.l10n.t('Params'),
    tags: vscode.l10n.t('Tags'),
    runs: vscode.l10n.t('runs'),
    apply: vscode.l10n.t('Filter'),
    columns: vscode.l10n.t('Columns'),
    refresh: vscode.l10n.t('Refresh'),
    compare: vscode.l10n.t('Compare'),
    selectAll: vscode.l10n.t('Select all'),
    filterPlaceholder: vscode.l10n.t("MLflow filter, e.g. metrics.accuracy > 0.9 and params.C = '1.0'"),
    filteredByServer: vscode.l10n.t('filtered by the server'),
    filteredLocally: vscode.l10n.t('filtered here'),
  };
}

/** Charts and a diff for the chosen runs; any number of them. */
export function showCompare(extensionUri: vscode.Uri, sources: ExperimentSources, refs: readonly RunRef[], hooks: PanelHooks, restored?: vscode.WebviewPanel): void {
  const log = hooks.log;
  const title = vscode.l10n.t('Compare {0} runs', refs.length);
  const p = panel(WebviewPanels.compare, title, extensionUri, 'compare', restored);
  const runs = refs.map((r) => viewRun(r.run, sources.experimentName(r.source, r.run.experimentId)));
  const state: CompareState = {
    title,
    runs,
    paramKeys: keysOf(runs, 'params'),
    metricKeys: keysOf(runs, 'metrics'),
    // Restorable when the runs share a source (as when compared from one table).
    restore: { sourceId: refs[0]?.source.id ?? '', experimentIds: [...new Set(refs.filter((r) => r.source === refs[0]?.source).map((r) => r.run.experimentId))], runIds: refs.filter((r) => r.source === refs[0]?.source).map((r) => r.run.id) },
    strings: {
      history: vscode.l10n.t('Metric by step'),
      parallel: vscode.l10n.t('Params → metric'),
      scatter: vscode.l10n.t('Param vs metric'),
      diff: vscode.l10n.t('Params and metrics side by side'),
      onlyDiffs: vscode.l10n.t('Only differences'),
      params: vscode.l10n.t('Params'),
      metrics: vscode.l10n.t('Metrics'),
      step: vscode.l10n.t('step'),
      nothing: vscode.l10n.t('These runs have no metrics to compare.'),
    },
  };
  const post = (m: ToCompare): Thenable<boolean> => p.webview.postMessage(m);
  const sub = p.webview.onDidReceiveMessage(guarded(log, 'compare', async (m: unknown) => {
    if (!isFromCompare(m)) return;
    const msg: FromCompare = m;
    if (msg.type === 'ready') await post({ type: 'state', state });
    else if (msg.type === 'history') {
      const series: Record<string, Series> = {};
      const errors: string[] = [];
      // A few requests at a time: hundreds of runs must not open hundreds of sockets.
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < refs.length) {
            const ref = refs[next++];
            if (!(msg.metric in ref.run.metrics)) continue;
            try {
              series[ref.run.id] = (await ref.source.metricHistory(ref.run, msg.metric)).map((pt) => [pt.step, pt.value] as const);
            } catch (err) {
              errors.push(`${ref.run.name}: ${errorMessage(err)}`);
            }
          }
        }),
      );
      if (errors.length) log.warn(`metric history: ${errors.join('; ')}`);
      await post({ type: 'history', metric: msg.metric, series, ...(errors.length ? { error: errors[0] } : {}) });
    } else if (msg.type === 'details') {
      const ref = refs.find((r) => r.run.id === msg.runId);
      if (ref) await vscode.commands.executeCommand(Commands.experimentsRunDetails, ref);
    }
  }));
  p.onDidDispose(() => sub.dispose());
}

const TEXT_EXT = /\.(txt|md|json|ya?ml|csv|tsv|log|py|ipynb|html|xml|ini|cfg|toml|sh|MLmodel)$|(^|\/)MLmodel$/i;
const IMAGE_EXT = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;

/** One run: params, metrics with sparklines, tags, artifacts, the model's signature. */
export async function showDetails(extensionUri: vscode.Uri, sources: ExperimentSources, ref: RunRef, hooks: PanelHooks, restored?: vscode.WebviewPanel): Promise<void> {
  const { log, storage } = hooks;
  const p = panel(WebviewPanels.runDetails, ref.run.name, extensionUri, 'run-details', restored);
  const post = (m: ToDetails): Thenable<boolean> => p.webview.postMessage(m);
  let modelUri: string | undefined;
  const build = async (): Promise<DetailsState> => {
    const keys = Object.keys(ref.run.metrics).slice(0, 50);
    const histories: Record<string, number[]> = {};
    await Promise.all(
      keys.map(async (k) => {
        try {
          histories[k] = (await ref.source.metricHistory(ref.run, k)).map((pt) => pt.value);
        } catch (err) {
          log.warn(`history of ${k}: ${errorMessage(err)}`);
        }
      }),
    );
    const [artifacts, model] = await Promise.all([ref.source.artifacts(ref.run).catch(() => []), findRunModel(ref.source, ref.run).catch(() => undefined)]);
    modelUri = model?.uri;
    return {
      run: viewRun(ref.run, sources.experimentName(ref.source, ref.run.experimentId)),
      sourceLabel: ref.source.label,
      histories,
      artifacts,
      ...(model ? { signature: { modelUri: model.uri, ...model.signature } } : {}),
      canScaffold: !!model,
      restore: { sourceId: ref.source.id, experimentIds: [ref.run.experimentId], runIds: [ref.run.id] },
      strings: {
        copyId: vscode.l10n.t('Copy Run Id'),
        scaffold: vscode.l10n.t('Scaffold a Model API from This Run'),
        id: vscode.l10n.t('Run id'),
        experiment: vscode.l10n.t('Experiment'),
        source: vscode.l10n.t('Source'),
        status: vscode.l10n.t('Status'),
        start: vscode.l10n.t('Started'),
        duration: vscode.l10n.t('Duration'),
        commit: vscode.l10n.t('Git commit'),
        parent: vscode.l10n.t('Parent run'),
        metrics: vscode.l10n.t('Metrics'),
        params: vscode.l10n.t('Params'),
        tags: vscode.l10n.t('Tags'),
        signature: vscode.l10n.t('Model signature'),
        inputs: vscode.l10n.t('Inputs'),
        outputs: vscode.l10n.t('Outputs'),
        artifacts: vscode.l10n.t('Artifacts'),
        noArtifacts: vscode.l10n.t('No artifacts.'),
      },
    };
  };
  const sub = p.webview.onDidReceiveMessage(async (m: unknown) => {
    if (!isFromDetails(m)) return;
    const msg: FromDetails = m;
    try {
      switch (msg.type) {
        case 'ready':
          await post({ type: 'state', state: await build() });
          return;
        case 'listArtifacts':
          try {
            await post({ type: 'artifacts', dir: msg.dir, entries: await ref.source.artifacts(ref.run, msg.dir) });
          } catch (err) {
            await post({ type: 'artifacts', dir: msg.dir, entries: [], error: errorMessage(err) });
          }
          return;
        case 'openArtifact':
          await openArtifact(ref, msg.path, storage);
          return;
        case 'copy':
          await vscode.env.clipboard.writeText(msg.text);
          void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', msg.text), 3000);
          return;
        case 'scaffold':
          if (modelUri) hooks.scaffold(modelUri, ref.run.name);
          return;
      }
    } catch (err) {
      void showError(err, log, { context: `run details of ${ref.run.id}: ${msg.type}` });
    }
  });
  p.onDidDispose(() => sub.dispose());
}

/** Text and images open in the editor; anything else is downloaded (streamed) where the user says. */
async function openArtifact(ref: RunRef, artifactPath: string, storage: vscode.Uri): Promise<void> {
  const name = artifactPath.split('/').pop() ?? artifactPath;
  if (TEXT_EXT.test(artifactPath) || IMAGE_EXT.test(artifactPath)) {
    const dir = createHash('sha256').update(`${ref.source.id}|${ref.run.id}`).digest('hex').slice(0, 16);
    const dest = path.join(storage.fsPath, 'artifacts', dir, ...artifactPath.split('/'));
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}', name), cancellable: true }, (_p, token) => ref.source.downloadArtifact(ref.run, artifactPath, dest, token));
    const uri = vscode.Uri.file(dest);
    if (IMAGE_EXT.test(artifactPath)) await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
    else await vscode.window.showTextDocument(uri, { preview: true });
    return;
  }
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', name)), title: vscode.l10n.t('Save artifact {0}', name) });
  if (!target) return;
  const bytes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}', name), cancellable: true }, (_p, token) => ref.source.downloadArtifact(ref.run, artifactPath, target.fsPath, token));
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0} ({1} bytes).', target.fsPath, bytes));
}
