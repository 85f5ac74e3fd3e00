import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import type { FromTable, TableState, ToTable } from '../../webview/contract/experiments';
import { isFromTable, keysOf, tableWire } from '../../webview/contract/experiments';
import { Commands, WebviewPanels } from '../../vscode/ids';
import { WebviewHost } from '../../vscode/webviewHost';
import type { Numbered } from '../../webview/contract/host';
import type { Experiment, Run } from '../core/model';
import type { ExperimentSource } from '../core/sources';
import type { ExperimentSources } from '../service';

import type { RunRef } from './shared';
import { panel, viewRun } from './shared';

/** Runs of one or more experiments of a source, in a table; one panel per experiment. */
export class RunsTable {
  private static readonly open = new Map<string, RunsTable>();
  private filter = '';
  private runs: Run[] = [];
  private readonly host: WebviewHost<FromTable, ToTable>;

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
    this.host = new WebviewHost(panel, { name: 'runs table', log: sources.log, accepts: isFromTable, onMessage: (m) => this.onMessage(m) });
    this.host.register(
      sources.onDidChangeSource((s) => {
        if (s.id === source.id) void this.load({});
      }),
    );
    this.host.onDidClose(onClose);
  }

  private async onMessage(m: FromTable & Numbered): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'refresh':
        await this.load(m);
        return;
      case 'filter':
        this.filter = m.filter;
        await this.load(m);
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

  /** Loads the runs for the request (a filter, a refresh) or for a change of the source (`{}`). */
  private async load(request: Numbered): Promise<void> {
    this.host.post({ type: 'loading', loading: true });
    const started = performance.now();
    let error: string | undefined;
    // A newer filter or refresh cancels this load; its answer, if it still comes, is dropped.
    try {
      const outcome = await this.host.latest('runs', (token) =>
        this.source.runs(this.experiments.map((e) => e.id), {
          filter: this.filter,
          token,
          // A large experiment's first rows at once; the rest replace them when read (still "loading").
          onFirstPage: (first) => {
            if (token.isCancellationRequested) return;
            this.runs = first;
            this.answer(request, started, undefined, true);
          },
        }),
      );
      if (!outcome.current) return;
      this.runs = outcome.value;
    } catch (err) {
      error = errorMessage(err);
      this.runs = [];
    }
    this.answer(request, started, error, false);
  }

  private answer(request: Numbered, started: number, error: string | undefined, more: boolean): void {
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
    this.host.answer(request, { type: 'state', state: tableWire(state) });
    if (!more) this.host.post({ type: 'loading', loading: false });
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

