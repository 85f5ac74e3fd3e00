import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import type { CompareState, FromCompare, Series, ToCompare } from '../../webview/contract/experiments';
import { isFromCompare, keysOf } from '../../webview/contract/experiments';
import { Commands, WebviewPanels } from '../../vscode/ids';
import { guarded } from '../../vscode/errors';
import type { ExperimentSources } from '../service';

import type { PanelHooks, RunRef } from './shared';
import { panel, viewRun } from './shared';

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

