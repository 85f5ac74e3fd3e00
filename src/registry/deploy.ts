// From a registered version to serving: Deploy This Version… (pick or scaffold the model
// API project, bring the version into its model/ folder, then the one-click deploy), and
// the redeploy offered when an alias moves. Thin glue over core/download.ts and the deploy
// command; the cluster is read through the Kubernetes service.
import * as vscode from 'vscode';
import path from 'node:path';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { UserFacingError } from '../common/errors';
import type { DeployResult } from '../deploy/core/deploy';
import { summarizeDeployment, type WorkloadSummary } from '../kube/core/model';
import type { KubeService } from '../kube/service';
import type { ModelApiProject } from '../scaffold/core/projects';
import type { ModelApiIndex } from '../scaffold/index';
import type { CommandRegistry } from '../vscode/commands';
import { Commands } from '../vscode/ids';
import type { ComponentLogger } from '../vscode/logger';
import { insideWorkspace } from '../vscode/workspacePaths';
import type { ModelEntry } from './core/mlflowRegistry';
import type { ModelVersion, ServedVersion } from './core/model';
import { servedText, versionLabel } from './core/model';
import { missingModelPackages, projectsServing, recordedAlias } from './core/serving';
import type { RegistrySource, RegistryService } from './service';
import type { VersionNode } from './tree';

const label = versionLabel;

export interface RegistryDeploy {
  /** After an alias was set on `v`: offers to redeploy what serves the alias with another version. */
  offerRedeploy(source: RegistrySource, entry: ModelEntry, alias: string, v: ModelVersion): Promise<void>;
}

export function registerRegistryDeploy(commands: CommandRegistry, registry: RegistryService, modelApis: ModelApiIndex, kube: KubeService, log: ComponentLogger): RegistryDeploy {
  /** Brings `v` into the project's model/ folder (asking before replacing files that did not come from the registry), then deploys the project. */
  const deployInto = async (dir: string, node: VersionNode, project: ModelApiProject | undefined): Promise<DeployResult | undefined> => {
    const { source, version: v } = node;
    if (source.kind === 'gto') throw new UserFacingError(vscode.l10n.t('{0} is a GTO version: deploy its project from the commit it was registered on (git checkout {1}, then Containerize and Deploy). Deploying GTO versions in one click is not there yet.', label(v), v.tags.commit?.slice(0, 12) ?? '?'));
    if (!vscode.workspace.isTrusted) throw new UserFacingError(vscode.l10n.t('Deploying builds and runs the project: trust this workspace first (Manage Workspace Trust).'));
    const { copyModelFolder, downloadVersion, installVersion, modelFolderState } = await import('./core/download');
    // A file store's version: its model folder in the store itself (runs:/, models:/m-…, or a path inside it).
    const storeFolder = source.kind === 'files' ? await source.runs.modelFolder(v.source ?? '', v.runId) : undefined;
    if (source.kind === 'files' && !storeFolder) {
      throw new UserFacingError(vscode.l10n.t('The files of {0} ({1}) are not in the file store {2}: deploy it through a server that has them, or run the project’s fetch_model.py.', label(v), v.source ?? '?', source.runs.location));
    }
    const alias = project ? recordedAlias(project, v) : v.aliases[0];
    const served: ServedVersion & { runId?: string } = { name: v.name, version: v.version, ...(alias ? { alias } : {}), ...(v.runId ? { runId: v.runId } : {}) };
    const state = await modelFolderState(dir);
    if (state.kind === 'other') {
      const replace = vscode.l10n.t('Replace model/');
      const ok = await vscode.window.showWarningMessage(
        vscode.l10n.t('Replace the model/ folder of {0} with {1}?', path.basename(dir), label(v)),
        { modal: true, detail: vscode.l10n.t('Its files did not come from the registry (it has no registered.json). They are replaced only once the new version is fully downloaded.') },
        replace,
      );
      if (ok !== replace) return undefined;
    }
    if (state.kind === 'registered' && state.served.name === v.name && state.served.version === v.version && state.served.alias === served.alias) {
      log.info(`${dir}: model/ already holds ${servedText(served)}`);
    } else {
      const got = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0} into {1}', label(v), path.join(path.basename(dir), 'model')), cancellable: true },
        (progress, token) =>
          installVersion(dir, served, async (dest) => {
            const onProgress = (p: { files: number; bytes: number; file?: string }): void => progress.report({ message: vscode.l10n.t('{0} files, {1} KB · {2}', p.files, Math.round(p.bytes / 1024), p.file ?? '') });
            if (storeFolder) return { uri: storeFolder, ...(await copyModelFolder(storeFolder, dest, { name: v.name, version: v.version, token, onProgress })) };
            if (source.kind !== 'server') throw new UserFacingError(vscode.l10n.t('This registry cannot be changed from here.'));
            return downloadVersion(source.runs.client, v.name, v.version, dest, { ...(source.storeDir ? { storeDir: source.storeDir } : {}), token, onProgress });
          }),
      );
      log.info(`${dir}: model/ ← ${servedText(served)} from ${got.uri} (${got.files} files, ${got.bytes} bytes)`);
    }
    if (!(await requirementsCover(dir, v))) return undefined;
    return vscode.commands.executeCommand<DeployResult | undefined>(Commands.deployContainerizeAndDeploy, vscode.Uri.file(dir));
  };

  /**
   * What fetch_model.py says after a download: the model needs a library the project does not
   * install (its image would not load it). requirements.txt is the user's: added to only when asked.
   */
  const requirementsCover = async (dir: string, v: ModelVersion): Promise<boolean> => {
    const [modelReq, projectReq] = await Promise.all([readFile(path.join(dir, 'model', 'requirements.txt'), 'utf8').catch(() => ''), readFile(path.join(dir, 'requirements.txt'), 'utf8').catch(() => undefined)]);
    if (projectReq === undefined) return true;
    const missing = missingModelPackages(modelReq, projectReq);
    if (missing.length === 0) return true;
    const add = vscode.l10n.t('Add to requirements.txt');
    const anyway = vscode.l10n.t('Deploy Anyway');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} needs {1}, which {2}/requirements.txt does not install: the image would not load it.', label(v), missing.join(', '), path.basename(dir)),
      { modal: true, detail: vscode.l10n.t('MLflow lists what the model was saved with in model/requirements.txt. Add the missing lines to the project’s requirements.txt (nothing else in it changes), or deploy as it is.') },
      add,
      anyway,
    );
    if (choice === add) {
      const file = path.join(dir, 'requirements.txt');
      await appendFile(file, `${projectReq.endsWith('\n') || projectReq === '' ? '' : '\n'}# What ${v.name} v${v.version} was saved with (model/requirements.txt):\n${missing.join('\n')}\n`, 'utf8');
      log.info(`${file}: added ${missing.join(', ')}`);
    }
    return choice !== undefined;
  };

  commands.register(Commands.registryDeployVersion, async (node?: unknown, dirArg?: unknown) => {
    if ((node as VersionNode | undefined)?.kind !== 'version') throw new UserFacingError(vscode.l10n.t('Choose a model version in the Models view first.'));
    const n = node as VersionNode;
    const v = n.version;
    const projects = projectsServing(await modelApis.list(), v.name);
    let dir = typeof dirArg === 'string' ? insideWorkspace(dirArg) : undefined;
    if (!dir) {
      if (projects.length === 0) {
        const create = vscode.l10n.t('New Model API…');
        const choice = await vscode.window.showInformationMessage(
          vscode.l10n.t('No model API in this workspace serves {0}. Create one from {1}, then deploy it?', v.name, label(v)),
          { modal: true, detail: vscode.l10n.t('The form opens pre-filled from the version (its URI and logged signature); once the project is written, the version is downloaded into it and deployed.') },
          create,
        );
        if (choice === create) await vscode.commands.executeCommand(Commands.registryScaffoldFromVersion, n, (created: string) => vscode.commands.executeCommand(Commands.registryDeployVersion, n, created));
        return undefined;
      }
      const pick =
        projects.length === 1
          ? projects[0]
          : await vscode.window.showQuickPick(
              projects.map((p) => ({ label: p.name, description: p.modelSource?.uri, detail: vscode.workspace.asRelativePath(p.dir), p })),
              { title: vscode.l10n.t('Deploy {0} with which model API?', label(v)) },
            ).then((x) => x?.p);
      if (!pick) return undefined;
      dir = pick.dir;
    }
    return deployInto(dir, n, projects.find((p) => p.dir === dir) ?? (await modelApis.list()).find((p) => p.dir === dir));
  });

  /** The managed workloads serving `name` through `alias` with another version than `version`. */
  const servingAlias = async (name: string, alias: string, version: string): Promise<WorkloadSummary[]> => {
    let client;
    try {
      client = await kube.client();
    } catch (err) {
      // No cluster configured: nothing can be serving from one.
      log.info(`redeploy offer skipped: ${String(err)}`);
      return [];
    }
    try {
      const all = (await client.managedDeploymentsEverywhere(kube.namespaceFor(client))).map(summarizeDeployment);
      return all.filter((w) => w.served?.name === name && w.served.alias === alias && w.served.version !== version);
    } catch (err) {
      log.warn(`redeploy offer: the cluster could not be read: ${String(err)}`);
      return [];
    }
  };

  // After a rollback to a revision that served `served` (an alias then): the alias may point elsewhere now.
  commands.register(Commands.registryOfferAliasBack, async (arg?: unknown) => {
    const served = arg as ServedVersion | undefined;
    if (!served?.name || !served.version || !served.alias) return;
    for (const source of await registry.serverSources()) {
      if (source.readOnly) continue;
      const entry = (await registry.listing(source).catch(() => undefined))?.entries.find((e) => e.model.name === served.name);
      if (!entry) continue;
      const now = entry.model.aliases[served.alias];
      if (now === served.version || !entry.versions.some((x) => x.version === served.version)) return;
      const move = vscode.l10n.t('Move @{0} to v{1}', served.alias, served.version);
      const choice = await vscode.window.showInformationMessage(
        now ? vscode.l10n.t('Rolled back to {0} v{1}, but @{2} still points at v{3} in {4}.', served.name, served.version, served.alias, now, source.label) : vscode.l10n.t('Rolled back to {0} v{1}, which served @{2}; the alias is not set in {3}.', served.name, served.version, served.alias, source.label),
        move,
      );
      if (choice === move) await registry.act(source, `set @${served.alias} on ${served.name} v${served.version} (rollback)`, (r) => r.setAlias(served.name, served.alias!, served.version));
      return;
    }
  });

  return {
    offerRedeploy: async (source, entry, alias, v) => {
      const stale = await servingAlias(v.name, alias, v.version);
      if (stale.length === 0) return;
      // Only what a deploy from here would replace: its project is in this workspace.
      const projects = await modelApis.list();
      const redeployable: Array<{ w: WorkloadSummary; dir: string }> = [];
      for (const w of stale) {
        const dir = insideWorkspace(w.project);
        if (dir && (await stat(dir).catch(() => undefined))?.isDirectory() && projects.some((p) => p.dir === dir)) redeployable.push({ w, dir });
        else log.info(`redeploy offer: ${w.namespace}/${w.name} serves @${alias} from ${w.project ?? 'an unknown folder'}, not a model API of this workspace`);
      }
      const names = stale.map((w) => `${w.namespace}/${w.name} (v${w.served!.version})`).join(', ');
      const redeploy = vscode.l10n.t('Redeploy with v{0}', v.version);
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('@{0} now points at {1}. Still serving the version it pointed at before: {2}.', alias, label(v), names),
        ...(redeployable.length ? [redeploy] : []),
      );
      if (choice !== redeploy) return;
      const latest = (await registry.listing(source)).entries.find((e) => e.model.name === v.name) ?? entry;
      const now = latest.versions.find((x) => x.version === v.version) ?? v;
      for (const { dir } of redeployable) {
        const project = projects.find((p) => p.dir === dir);
        const result = await deployInto(dir, { kind: 'version', source, entry: latest, version: now }, project);
        if (!result) break;
      }
    },
  };
}
