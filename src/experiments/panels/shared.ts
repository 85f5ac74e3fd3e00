// What the experiments panels share: the run a panel is about, a run as the webviews see it,
// the panel shell, and finding a restored panel's runs again.
import * as vscode from 'vscode';
import type { RestoreRef, ViewRun } from '../../webview/contract/experiments';
import type { ComponentLogger } from '../../vscode/logger';
import { openPanel } from '../../vscode/webviewHost';
import type { Experiment, Run } from '../core/model';
import type { ExperimentSource } from '../core/sources';
import type { ExperimentSources } from '../service';
import type { Feature } from '../../scaffold/core/model';

export interface RunRef {
  readonly source: ExperimentSource;
  readonly run: Run;
}

export function viewRun(r: Run, experimentName: string): ViewRun {
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
export function panel(type: string, title: string, extensionUri: vscode.Uri, script: string, existing?: vscode.WebviewPanel): vscode.WebviewPanel {
  return openPanel(type, extensionUri, { title, script, styles: ['base', 'experiments'] }, existing);
}

export interface PanelHooks {
  readonly compare: (refs: RunRef[]) => void;
  readonly scaffold: (modelUri: string, runName: string, features?: readonly Feature[]) => void;
  readonly storage: vscode.Uri;
  readonly log: ComponentLogger;
}

/** Finds a restored panel's source and runs again; undefined when they are gone. */
export async function resolveRestore(sources: ExperimentSources, restore: RestoreRef | undefined): Promise<{ source: ExperimentSource; experiments: Experiment[]; runs: Run[] } | undefined> {
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

