import * as vscode from 'vscode';
import { UserFacingError } from '../common/errors';
import type { Run } from '../experiments/core/model';
import type { RunModel } from '../experiments/core/runModel';
import { findRunModel, loggedModel } from '../experiments/core/runModel';
import { featuresFromSignature } from '../scaffold/core/model';
import type { ScaffoldWizard } from '../scaffold/wizard';
import type { ExperimentSource } from '../experiments/core/sources';
import { MlflowFilesSource, MlflowServerSource } from '../experiments/core/sources';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, Views } from '../vscode/ids';
import type { ComponentLogger } from '../vscode/logger';
import type { ModelVersion } from './core/model';
import { aliasProblem, modelUri, versionLabel } from './core/model';
import type { RegistryDeploy } from './deploy';
import type { RegistrySource, RegistryService } from './service';
import type { ModelNode, ModelsNode, ModelsTree, VersionNode } from './tree';
import { stageOf } from './tree';

const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

function versionOf(node: unknown): VersionNode {
  if ((node as ModelsNode | undefined)?.kind !== 'version') throw new UserFacingError(vscode.l10n.t('Choose a model version in the Models view first.'));
  return node as VersionNode;
}

function modelOrVersion(node: unknown): ModelNode | VersionNode {
  const kind = (node as ModelsNode | undefined)?.kind;
  if (kind !== 'model' && kind !== 'version') throw new UserFacingError(vscode.l10n.t('Choose a registered model or a version in the Models view first.'));
  return node as ModelNode | VersionNode;
}

const label = versionLabel;

export function registerRegistryCommands(commands: CommandRegistry, registry: RegistryService, tree: ModelsTree, wizard: ScaffoldWizard, deploy: RegistryDeploy, log: ComponentLogger): void {
  commands.register(Commands.registryShow, () => vscode.commands.executeCommand(`${Views.models}.focus`));
  commands.register(Commands.registryRefresh, () => registry.refresh());

  commands.register(Commands.registryFilter, async () => {
    const text = await vscode.window.showInputBox({ title: vscode.l10n.t('Filter Models'), prompt: vscode.l10n.t('Part of a model’s name, description, tag or alias (empty: show all)'), value: tree.filter });
    if (text !== undefined) tree.setFilter(text);
  });
  commands.register(Commands.registryClearFilter, () => tree.setFilter(''));

  commands.register(Commands.registryCopyUri, async (node?: unknown) => {
    const { source, version: v } = versionOf(node);
    // GTO names a version by its tags (`name@v1.2.0`, `name#prod`); MLflow by its model URIs.
    const uris = source.kind === 'gto' ? [`${v.name}@${v.version}`, ...v.aliases.map((stage) => `${v.name}#${stage}`)] : [modelUri(v.name, { version: v.version }), ...v.aliases.map((alias) => modelUri(v.name, { alias }))];
    const uri = uris.length === 1 ? uris[0] : (await vscode.window.showQuickPick(uris.map((label) => ({ label })), { title: vscode.l10n.t('Copy which model URI?') }))?.label;
    if (!uri) return;
    await vscode.env.clipboard.writeText(uri);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', uri), 3000);
  });

  // ---- registering -----------------------------------------------------------------
  commands.register(Commands.registryRegisterRunModel, async (node?: unknown) => {
    const ref = node as { source?: ExperimentSource; run?: Run } | undefined;
    if (!ref?.source || !ref.run) throw new UserFacingError(vscode.l10n.t('Choose an MLflow run in the Experiments view first.'));
    const { source: runs, run } = ref;
    if (runs instanceof MlflowFilesSource) throw new UserFacingError(vscode.l10n.t('Runs of a file store are registered by MLflow itself (mlflow.register_model), or through a server: serve the store with mlflow server and set mlops.mlflow.trackingUri to it.'));
    if (!(runs instanceof MlflowServerSource)) throw new UserFacingError(vscode.l10n.t('Only MLflow runs have models to register.'));
    const source = (await registry.serverSources()).find((s) => s.id === runs.id);
    if (!source) throw new UserFacingError(vscode.l10n.t('The registry of {0} is not available; refresh the Models view.', runs.label));
    registry.writable(source);
    const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking for the model of {0}', run.name) }, () => findRunModel(runs, run));
    if (!found) throw new UserFacingError(vscode.l10n.t('Run {0} logged no MLflow model (no LoggedModel, and no folder with an MLmodel file among its artifacts).', run.name));
    const { entries } = await registry.listing(source);
    const NEW = vscode.l10n.t('New registered model…');
    const picked = await vscode.window.showQuickPick([{ label: `$(add) ${NEW}`, name: '' }, ...entries.map((e) => ({ label: e.model.name, description: e.versions[0] ? vscode.l10n.t('latest v{0}', e.versions[0].version) : '', name: e.model.name }))], {
      title: vscode.l10n.t('Register the model of {0} as a version of…', run.name),
    });
    if (!picked) return;
    let name = picked.name;
    if (!name) {
      const suggested = (ref as { experimentName?: string }).experimentName ?? run.name;
      name =
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('Name of the new registered model'),
          value: suggested.replace(/[/:]+/g, '-').trim(),
          validateInput: (v) => (!v.trim() ? vscode.l10n.t('A name, please') : /[/:]/.test(v) ? vscode.l10n.t('MLflow model names cannot hold "/" or ":"') : entries.some((e) => e.model.name === v.trim()) ? vscode.l10n.t('{0} exists: pick it from the list instead', v.trim()) : undefined),
        }))?.trim() ?? '';
      if (!name) return;
    }
    const modelId = /^models:\/(m-[\w-]+)$/.exec(found.uri)?.[1];
    const version = await registry.act(source, `register ${found.uri} as ${name}`, (r) => r.register(name, found.uri, run.id, modelId));
    const setAlias = vscode.l10n.t('Set Alias…');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Registered {0} as {1} v{2}.', run.name, name, version.version), setAlias);
    if (choice === setAlias) {
      const entry = (await registry.listing(source)).entries.find((e) => e.model.name === name);
      const v = entry?.versions.find((x) => x.version === version.version);
      if (entry && v) await vscode.commands.executeCommand(Commands.registrySetAlias, { kind: 'version', source, entry, version: v } satisfies VersionNode);
    }
  });

  // ---- aliases -----------------------------------------------------------------------
  // `preset`: the alias to set without asking (a stage's alias equivalent).
  commands.register(Commands.registrySetAlias, async (node?: unknown, preset?: unknown) => {
    const { source, entry, version: v } = versionOf(node);
    registry.writable(source);
    const alias = (
      typeof preset === 'string' && !aliasProblem(preset) ? preset : await vscode.window.showInputBox({
        title: vscode.l10n.t('Alias for {0}', label(v)),
        prompt: vscode.l10n.t('e.g. champion, challenger, production; deploy it as models:/{0}@<alias>', v.name),
        value: v.aliases.length ? '' : 'champion',
        validateInput: (a) => {
          const problem = a.trim() ? aliasProblem(a.trim()) : vscode.l10n.t('An alias, please');
          return problem ? vscode.l10n.t('Not an alias MLflow accepts: {0}', problem) : undefined;
        },
      })
    )?.trim();
    if (!alias) return;
    const current = entry.model.aliases[alias];
    if (current === v.version) return void vscode.window.showInformationMessage(vscode.l10n.t('{0} already has @{1}.', label(v), alias));
    if (current !== undefined) {
      const move = vscode.l10n.t('Move @{0}', alias);
      const ok = await vscode.window.showWarningMessage(vscode.l10n.t('@{0} points at v{1} of {2}. Move it to v{3}?', alias, current, v.name, v.version), { modal: true, detail: vscode.l10n.t('Whatever loads models:/{0}@{1} gets v{2} from its next load.', v.name, alias, v.version) }, move);
      if (ok !== move) return;
    }
    await registry.act(source, `set @${alias} on ${label(v)}`, (r) => r.setAlias(v.name, alias, v.version));
    void vscode.window.setStatusBarMessage(vscode.l10n.t('@{0} → {1}', alias, label(v)), 5000);
    // What serves the alias from a cluster still serves the version it pointed at: offered a redeploy.
    void deploy.offerRedeploy(source, entry, alias, { ...v, aliases: [...v.aliases, alias] }).catch((err: unknown) => log.warn(`redeploy offer: ${String(err)}`));
  });

  commands.register(Commands.registryRemoveAlias, async (node?: unknown) => {
    const { source, version: v } = versionOf(node);
    registry.writable(source);
    if (v.aliases.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no alias.', label(v)));
    const alias = v.aliases.length === 1 ? v.aliases[0] : await vscode.window.showQuickPick([...v.aliases], { title: vscode.l10n.t('Remove which alias of {0}?', label(v)) });
    if (!alias) return;
    const remove = vscode.l10n.t('Remove @{0}', alias);
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Remove @{0} from {1}?', alias, label(v)), { modal: true, detail: vscode.l10n.t('models:/{0}@{1} will no longer load until the alias is set again.', v.name, alias) }, remove);
    if (ok !== remove) return;
    await registry.act(source, `remove @${alias} from ${label(v)}`, (r) => r.deleteAlias(v.name, alias));
  });

  // ---- tags and descriptions -----------------------------------------------------------
  commands.register(Commands.registrySetTag, async (node?: unknown) => {
    const n = modelOrVersion(node);
    registry.writable(n.source);
    const what = n.kind === 'version' ? label(n.version) : n.entry.model.name;
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Tag {0}', what),
      prompt: vscode.l10n.t('key=value'),
      validateInput: (t) => (/^[^=]+=/.test(t) && t.split('=')[0]!.trim() ? undefined : vscode.l10n.t('key=value, e.g. team=fraud')),
    });
    if (!text) return;
    const key = text.slice(0, text.indexOf('=')).trim();
    const value = text.slice(text.indexOf('=') + 1).trim();
    await registry.act(n.source, `tag ${what} ${key}`, (r) => (n.kind === 'version' ? r.setVersionTag(n.version.name, n.version.version, key, value) : r.setModelTag(n.entry.model.name, key, value)));
  });

  commands.register(Commands.registryRemoveTag, async (node?: unknown) => {
    const n = modelOrVersion(node);
    registry.writable(n.source);
    const tags = n.kind === 'version' ? n.version.tags : n.entry.model.tags;
    const keys = Object.keys(tags).filter((k) => !k.startsWith('mlflow.'));
    if (keys.length === 0) throw new UserFacingError(vscode.l10n.t('No tags to remove.'));
    const key = await vscode.window.showQuickPick(
      keys.map((k) => ({ label: k, description: tags[k] })),
      { title: vscode.l10n.t('Remove which tag?') },
    );
    if (!key) return;
    await registry.act(n.source, `untag ${key.label}`, (r) => (n.kind === 'version' ? r.deleteVersionTag(n.version.name, n.version.version, key.label) : r.deleteModelTag(n.entry.model.name, key.label)));
  });

  commands.register(Commands.registryEditDescription, async (node?: unknown) => {
    const n = modelOrVersion(node);
    registry.writable(n.source);
    const current = (n.kind === 'version' ? n.version.description : n.entry.model.description) ?? '';
    const text = await vscode.window.showInputBox({ title: vscode.l10n.t('Description of {0}', n.kind === 'version' ? label(n.version) : n.entry.model.name), value: current });
    if (text === undefined || text === current) return;
    await registry.act(n.source, 'describe', (r) => (n.kind === 'version' ? r.describeVersion(n.version.name, n.version.version, text) : r.describeModel(n.entry.model.name, text)));
  });

  // ---- stages (MLflow 2.x), with the alias that replaces each -------------------------
  commands.register(Commands.registryTransitionStage, async (node?: unknown) => {
    const { source, entry, version: v } = versionOf(node);
    registry.writable(source);
    const current = stageOf(v) ?? 'None';
    type Item = vscode.QuickPickItem & { stage?: string; alias?: string };
    const items: Item[] = [
      ...STAGES.filter((s) => s !== current).map((stage) => ({ label: stage, description: vscode.l10n.t('stage'), stage })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      ...(['Staging', 'Production'] as const).map((s) => ({ label: `@${s.toLowerCase()}`, description: vscode.l10n.t('set the alias instead (MLflow 3 replaces stages with aliases)'), alias: s.toLowerCase() })),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('{0} is in stage {1}. Move it to…', label(v), current) });
    if (!pick) return;
    if (pick.alias) return void (await vscode.commands.executeCommand(Commands.registrySetAlias, { kind: 'version', source, entry, version: v } satisfies VersionNode, pick.alias));
    const stage = pick.stage!;
    let archive = false;
    const others = entry.versions.filter((x) => x.version !== v.version && stageOf(x) === stage);
    if ((stage === 'Staging' || stage === 'Production') && others.length) {
      const yes = vscode.l10n.t('Archive them');
      const no = vscode.l10n.t('Keep them in {0}', stage);
      const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} also has {1} in {2}. Archive those?', v.name, others.map((x) => `v${x.version}`).join(', '), stage), { modal: true }, yes, no);
      if (!answer) return;
      archive = answer === yes;
    }
    await registry.act(source, `stage ${label(v)} → ${stage}`, (r) => r.transitionStage(v.name, v.version, stage, archive));
  });

  // ---- deleting (confirmed, naming what goes) ---------------------------------------------
  commands.register(Commands.registryDeleteVersion, async (node?: unknown) => {
    const { source, version: v } = versionOf(node);
    registry.writable(source);
    const del = vscode.l10n.t('Delete v{0}', v.version);
    const detail = [v.aliases.length ? vscode.l10n.t('Its aliases go with it: {0}.', v.aliases.map((a) => `@${a}`).join(', ')) : '', vscode.l10n.t('The source run and its files stay. This cannot be undone.')].filter(Boolean).join(' ');
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0} from the registry?', label(v)), { modal: true, detail }, del);
    if (ok !== del) return;
    await registry.act(source, `delete ${label(v)}`, (r) => r.deleteVersion(v.name, v.version));
  });

  commands.register(Commands.registryDeleteModel, async (node?: unknown) => {
    const n = modelOrVersion(node);
    registry.writable(n.source);
    const { model, versions } = n.entry;
    const del = vscode.l10n.t('Delete {0}', model.name);
    const aliases = Object.keys(model.aliases);
    const detail = [
      versions.length ? vscode.l10n.t('Its versions go with it: {0}.', versions.map((v) => `v${v.version}`).slice(0, 12).join(', ') + (versions.length > 12 ? vscode.l10n.t(' and {0} more', versions.length - 12) : '')) : '',
      aliases.length ? vscode.l10n.t('And its aliases: {0}.', aliases.map((a) => `@${a}`).join(', ')) : '',
      vscode.l10n.t('The source runs and their files stay. This cannot be undone.'),
    ]
      .filter(Boolean)
      .join(' ');
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the registered model {0}?', model.name), { modal: true, detail }, del);
    if (ok !== del) return;
    await registry.act(n.source, `delete model ${model.name}`, (r) => r.deleteModel(model.name));
  });

  // ---- serving a version -------------------------------------------------------------------
  // `afterCreate`: what runs once the project is written (Deploy This Version… passes its deploy).
  commands.register(Commands.registryScaffoldFromVersion, async (node?: unknown, afterCreate?: unknown) => {
    const { source, version: v } = versionOf(node);
    if (source.kind === 'gto') throw new UserFacingError(vscode.l10n.t('{0} is a GTO version: New Model API… takes its model file ({1}) from the Explorer once the commit is checked out.', label(v), v.source ?? '?'));
    // A version with aliases is usually served by one: the image then gets whatever it points at when built.
    let uri = modelUri(v.name, { version: v.version });
    if (v.aliases.length) {
      const picked = await vscode.window.showQuickPick(
        [
          ...v.aliases.map((alias) => ({ label: modelUri(v.name, { alias }), description: vscode.l10n.t('follows @{0}: a rebuild serves the version it points at then', alias) })),
          { label: uri, description: vscode.l10n.t('this version only') },
        ],
        { title: vscode.l10n.t('Serve {0} as…', label(v)) },
      );
      if (!picked) return;
      uri = picked.label;
    }
    // The logged signature fills the form's features: the version's logged model (MLflow 3), else its run's model.
    const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading the signature of {0}', label(v)) }, async (): Promise<RunModel | undefined> => {
      try {
        if (v.modelId && source.kind === 'server') return await loggedModel(source.runs, v.modelId);
        if (v.runId) {
          const { run } = await runOf(source, v);
          return await findRunModel(source.runs, run);
        }
      } catch (err) {
        log.warn(`signature of ${label(v)}: ${String(err)}`);
      }
      return undefined;
    });
    const features = featuresFromSignature(found?.inputs);
    if (!features) log.info(`${label(v)}: no usable signature; the form starts from the sample's features`);
    const slug = v.name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40);
    wizard.show({ mlflowUri: uri, projectName: /^[a-z]/.test(slug) ? `${slug}-api` : 'model-api', ...(features ? { features } : {}), ...(typeof afterCreate === 'function' ? { afterCreate: afterCreate as (dir: string) => unknown } : {}) });
  });

  // ---- runs ------------------------------------------------------------------------------
  const runOf = async (source: RegistrySource, v: ModelVersion): Promise<{ source: ExperimentSource; run: Run }> => {
    if (source.kind === 'gto') throw new UserFacingError(vscode.l10n.t('{0} is a GTO version: it records a commit ({1}), not an MLflow run.', label(v), v.tags.commit?.slice(0, 12) ?? '?'));
    if (!v.runId) throw new UserFacingError(vscode.l10n.t('{0} records no source run (it was registered from {1}).', label(v), v.source ?? '?'));
    let run: Run | undefined;
    try {
      run = source.kind === 'server' ? await source.runs.client.run(v.runId) : await source.runs.run(v.runId);
    } catch (err) {
      log.warn(`run ${v.runId} of ${label(v)}: ${String(err)}`);
    }
    if (!run) throw new UserFacingError(vscode.l10n.t('The source run {0} of {1} is no longer in the store (deleted, or in a store this editor does not show).', v.runId, label(v)));
    return { source: source.runs, run };
  };

  commands.register(Commands.registryOpenRun, async (node?: unknown) => {
    const { source, version } = versionOf(node);
    await vscode.commands.executeCommand(Commands.experimentsRunDetails, await runOf(source, version));
  });

  commands.register(Commands.registryCompareVersions, async (node?: unknown, nodes?: unknown) => {
    const picked = (Array.isArray(nodes) && nodes.length ? nodes : node ? [node] : tree.view.selection).filter((n): n is VersionNode => (n as ModelsNode).kind === 'version');
    if (picked.length < 2) throw new UserFacingError(vscode.l10n.t('Select two or more versions to compare (Ctrl/Cmd+click in the Models view).'));
    if (new Set(picked.map((p) => p.source.id)).size > 1) throw new UserFacingError(vscode.l10n.t('Compare versions of one registry at a time.'));
    const refs = await Promise.all(picked.map((p) => runOf(p.source, p.version)));
    await vscode.commands.executeCommand(Commands.experimentsCompare, refs[0], refs);
  });
}
