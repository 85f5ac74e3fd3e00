import * as vscode from 'vscode';
import type { RestoreRef } from '../../webview/contract/experiments';
import { WebviewPanels } from '../../vscode/ids';
import type { ExperimentSources } from '../service';

import type { PanelHooks } from './shared';
import { resolveRestore } from './shared';
import { RunsTable } from './runsTable';
import { showCompare } from './compare';
import { showDetails } from './details';

export type { PanelHooks, RunRef } from './shared';
export { RunsTable, showCompare, showDetails };

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

