import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import { own } from '../../common/objects';
import type { CompareState, FromCompare, Series, ToCompare } from '../../webview/contract/experiments';
import { isFromCompare, keysOf } from '../../webview/contract/experiments';
import type { Numbered } from '../../webview/contract/host';
import { Commands, WebviewPanels } from '../../vscode/ids';
import { WebviewHost } from '../../vscode/webviewHost';
import type { ExperimentSources } from '../service';

import type { PanelHooks, RunRef } from './shared';
import { panel, viewRun } from './shared';

/** The most runs whose metric history one chart reads, and the most points kept of each. */
export const MAX_HISTORY_RUNS = 200;
export const MAX_POINTS = 20_000;

/** Every k-th point of a long history (the first and last kept), so a chart draws at most MAX_POINTS. */
function thin(points: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  if (points.length <= MAX_POINTS) return [...points];
  const step = Math.ceil(points.length / MAX_POINTS);
  const out = points.filter((_, i) => i % step === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
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
      noParamDiffers: vscode.l10n.t('No param differs between these runs: only the metric is drawn.'),
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
  const host: WebviewHost<FromCompare, ToCompare> = new WebviewHost(p, { name: 'compare', log, accepts: isFromCompare, onMessage: (m) => onMessage(m) });
  const onMessage = async (msg: FromCompare & Numbered): Promise<void> => {
    if (msg.type === 'ready') host.post({ type: 'state', state });
    else if (msg.type === 'history') {
      const errors: string[] = [];
      // Another metric picked meanwhile stops this one's reads (and its answer is not posted).
      const outcome = await host.latest('history', async (token) => {
        const series: Record<string, Series> = {};
        // A few requests at a time: hundreds of runs must not open hundreds of sockets.
        let next = 0;
        // The chart of hundreds of lines is unreadable, and each history may be long: a bounded read.
        const having = refs.filter((r) => own(r.run.metrics, msg.metric) !== undefined);
        const wanted = having.slice(0, MAX_HISTORY_RUNS);
        if (having.length > wanted.length) errors.push(vscode.l10n.t('the history is drawn for the first {0} runs', MAX_HISTORY_RUNS));
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < wanted.length && !token.isCancellationRequested) {
              const ref = wanted[next++]!;
              try {
                series[ref.run.id] = thin((await ref.source.metricHistory(ref.run, msg.metric)).map((pt) => [pt.step, pt.value] as const));
              } catch (err) {
                errors.push(`${ref.run.name}: ${errorMessage(err)}`);
              }
            }
          }),
        );
        return series;
      });
      if (!outcome.current) return;
      if (errors.length) log.warn(`metric history: ${errors.join('; ')}`);
      host.answer(msg, { type: 'history', metric: msg.metric, series: outcome.value, ...(errors.length ? { error: errors[0] } : {}) });
    } else if (msg.type === 'details') {
      const ref = refs.find((r) => r.run.id === msg.runId);
      if (ref) await vscode.commands.executeCommand(Commands.experimentsRunDetails, ref);
    }
  };
}

