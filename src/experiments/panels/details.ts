import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { errorMessage } from '../../common/errors';
import type { DetailsState, FromDetails, ToDetails } from '../../webview/contract/experiments';
import { isFromDetails } from '../../webview/contract/experiments';
import { Commands, WebviewPanels } from '../../vscode/ids';
import { WebviewHost } from '../../vscode/webviewHost';
import type { Numbered } from '../../webview/contract/host';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';
import { artifactDestination } from '../core/artifacts';
import type { RunModel } from '../core/runModel';
import { findRunModel } from '../core/runModel';
import { featuresFromSignature } from '../../scaffold/core/model';
import type { ExperimentSources } from '../service';

import type { PanelHooks, RunRef } from './shared';
import { panel, viewRun } from './shared';

const TEXT_EXT = /\.(txt|md|json|ya?ml|csv|tsv|log|py|ipynb|html|xml|ini|cfg|toml|sh|MLmodel)$|(^|\/)MLmodel$/i;
const IMAGE_EXT = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;

/** What a failed artifact listing means, with the package to install when the server's words name one. */
export function artifactsProblem(message: string): string {
  const pkg = /No module named '(boto3|google\.cloud|azure\.storage\.blob|pyarrow)/.exec(message)?.[1];
  const install = pkg ? { boto3: 'boto3', 'google.cloud': 'google-cloud-storage', 'azure.storage.blob': 'azure-storage-blob', pyarrow: 'pyarrow' }[pkg] : undefined;
  return install
    ? vscode.l10n.t('The artifacts could not be listed: the MLflow server needs the {0} package to read this store ({1}). Install it into the Python the server runs in.', install, message.slice(0, 300))
    : vscode.l10n.t('The artifacts could not be listed: {0}', message.slice(0, 300));
}

/** One run: params, metrics with sparklines, tags, artifacts, the model's signature. */
export async function showDetails(extensionUri: vscode.Uri, sources: ExperimentSources, ref: RunRef, hooks: PanelHooks, restored?: vscode.WebviewPanel): Promise<void> {
  const { log, storage } = hooks;
  const p = panel(WebviewPanels.runDetails, ref.run.name, extensionUri, 'run-details', restored);
  let found: RunModel | undefined;
  // The artifacts the source listed: the only paths the page may ask to open (its messages are untrusted).
  const listed = new Set<string>();
  const remember = (entries: readonly { path: string; isDir: boolean }[]): void => {
    for (const e of entries) if (!e.isDir) listed.add(e.path);
  };
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
    // A listing that fails (an S3 store whose server lacks boto3) says why, not "No artifacts.".
    let artifactsError: string | undefined;
    const [artifacts, model] = await Promise.all([
      ref.source.artifacts(ref.run).catch((err: unknown) => {
        artifactsError = artifactsProblem(errorMessage(err));
        log.warn(`artifacts of ${ref.run.id}: ${errorMessage(err)}`);
        return [];
      }),
      findRunModel(ref.source, ref.run).catch(() => undefined),
    ]);
    remember(artifacts);
    found = model;
    return {
      run: viewRun(ref.run, sources.experimentName(ref.source, ref.run.experimentId)),
      sourceLabel: ref.source.label,
      histories,
      artifacts,
      ...(artifactsError ? { artifactsError } : {}),
      ...(model ? { signature: { modelUri: model.uri, ...model.signature } } : {}),
      canScaffold: !!model,
      canRegister: !!model && ref.source.kind === 'mlflow-server',
      restore: { sourceId: ref.source.id, experimentIds: [ref.run.experimentId], runIds: [ref.run.id] },
      strings: {
        copyId: vscode.l10n.t('Copy Run Id'),
        scaffold: vscode.l10n.t('Scaffold a Model API from This Run'),
        register: vscode.l10n.t('Register Model…'),
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
  const host: WebviewHost<FromDetails, ToDetails> = new WebviewHost(p, {
    name: `run details of ${ref.run.id}`,
    log,
    accepts: isFromDetails,
    onMessage: async (msg: FromDetails & Numbered) => {
      switch (msg.type) {
        case 'ready':
          host.post({ type: 'state', state: await build() });
          return;
        case 'listArtifacts':
          try {
            const entries = await ref.source.artifacts(ref.run, msg.dir);
            remember(entries);
            host.answer(msg, { type: 'artifacts', dir: msg.dir, entries });
          } catch (err) {
            host.answer(msg, { type: 'artifacts', dir: msg.dir, entries: [], error: errorMessage(err) });
          }
          return;
        case 'openArtifact':
          if (!listed.has(msg.path)) {
            log.warn(`run details: refused to open ${JSON.stringify(msg.path.slice(0, 200))}, which the source did not list`);
            return;
          }
          await openArtifact(ref, msg.path, storage);
          return;
        case 'copy':
          if (msg.text !== ref.run.id) return;
          await vscode.env.clipboard.writeText(msg.text);
          void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', msg.text), 3000);
          return;
        case 'scaffold':
          if (found) hooks.scaffold(found.uri, ref.run.name, featuresFromSignature(found.inputs));
          return;
        case 'register':
          if (found) void vscode.commands.executeCommand(Commands.registryRegisterRunModel, ref);
          return;
      }
    },
  });
}

/** Text and images open in the editor; anything else is downloaded (streamed) where the user says. */
async function openArtifact(ref: RunRef, artifactPath: string, storage: vscode.Uri): Promise<void> {
  const name = artifactPath.split('/').pop() ?? artifactPath;
  if (TEXT_EXT.test(artifactPath) || IMAGE_EXT.test(artifactPath)) {
    const dir = createHash('sha256').update(`${ref.source.id}|${ref.run.id}`).digest('hex').slice(0, 16);
    // Under this run's cache folder, whatever the path says.
    const dest = artifactDestination(path.join(storage.fsPath, 'artifacts', dir), artifactPath);
    if (!dest) throw new UserFacingError(t('"{0}" is outside the run\'s artifacts.', artifactPath));
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
