import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import { PortInUseError } from '../common/net';
import type { DockerService } from '../docker/service';
import { samplePayloadFrom } from '../scaffold/payload';
import { isModelApiProject } from '../scaffold/core/projects';
import type { ModelApisTree } from '../scaffold/tree';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, Settings } from '../vscode/ids';
import { validatePort } from '../vscode/inputs';
import type { ComponentLogger } from '../vscode/logger';
import type { KubeClient } from './core/client';
import { showError } from '../vscode/errors';
import type { DeployResult } from '../deploy/core/deploy';
import type { KubeObject } from '../deploy/core/manifests';
import { MANAGED_BY, FIELD_MANAGER } from '../deploy/core/manifests';
import { summarizeDeployment, summarizePod } from './core/model';
import type { RegistryCredentials } from './credentials';
import { DeploymentPanel } from './panel';
import type { Forward } from './core/portforward';
import type { KubeService } from './service';
import type { KubeNode } from './tree';

type WorkloadNode = Extract<KubeNode, { kind: 'workload' }>;
type WorkloadRef = { readonly namespace: string; readonly name: string; readonly project?: string };


export function registerKubernetesCommands(
  registry: CommandRegistry,
  service: KubeService,
  docker: DockerService,
  modelApis: ModelApisTree,
  context: vscode.ExtensionContext,
  credentials: RegistryCredentials,
  log: ComponentLogger,
): vscode.Disposable {
  let channel: vscode.OutputChannel | undefined;
  const output = (): vscode.OutputChannel => (channel ??= vscode.window.createOutputChannel(vscode.l10n.t('MLOps Workbench: Deploy')));
  const logTerminals = new Map<string, vscode.Terminal>();
  const changed = (): void => {
    service.fireChanged();
    DeploymentPanel.refreshAll();
  };
  const disposables: vscode.Disposable[] = [];

  disposables.push(DeploymentPanel.serializer(context.extensionUri, service, log));
  disposables.push(vscode.languages.registerCodeLensProvider([{ language: 'dockerfile' }, { pattern: '**/Dockerfile' }, { language: 'python', pattern: '**/{app/main,main,app}.py' }], new DeployCodeLens()));
  disposables.push(deployStatusItem(modelApis));

  registry.register(Commands.deployShowOutput, () => output().show(true));
  // The tree refreshes on the service's change event.
  registry.register(Commands.kubernetesRefresh, () => service.reload());

  registry.register(Commands.deployContainerizeAndDeploy, async (arg?: unknown) => {
    const dir = await projectDirFor(arg, modelApis);
    if (!existsSync(path.join(dir, 'Dockerfile'))) {
      const scaffold = vscode.l10n.t('New Model API Here…');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} has no Dockerfile to containerize.', path.basename(dir)),
        { modal: true, detail: vscode.l10n.t('Scaffold a model API in it: you see every file before anything is written, and nothing of yours is overwritten without asking.') },
        scaffold,
      );
      if (choice === scaffold) await vscode.commands.executeCommand(Commands.scaffoldModelApi, vscode.Uri.file(dir));
      return;
    }
    const [dockerClient, kube] = await Promise.all([docker.client(), service.client()]);
    const settings = service.settings(vscode.Uri.file(dir));
    const out = output();
    out.appendLine('');
    out.appendLine(`# ${new Date().toLocaleString()} · ${vscode.l10n.t('deploying {0} to {1}/{2}', dir, kube.context, settings.namespace || kube.namespace)}`);
    log.info(`deploying ${dir} to ${kube.context}`);
    const { containerizeAndDeploy } = await import('../deploy/core/deploy');
    const started = Date.now();
    let result: DeployResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deploying {0}', path.basename(dir)), cancellable: true },
        (progress, token) =>
          containerizeAndDeploy(dir, {
            docker: dockerClient,
            kube,
            forwards: service.forwards,
            settings,
            templatesDir: vscode.Uri.joinPath(context.extensionUri, 'media', 'templates', 'model-api').fsPath,
            token,
            log: (line) => out.appendLine(line),
            onStep: (_step, message) => progress.report({ message }),
            onBuild: (e) => {
              if (e.kind === 'step') {
                out.appendLine(`Step ${e.step}/${e.of} : ${e.text}`);
                progress.report({ message: vscode.l10n.t('build step {0}/{1}: {2}', e.step, e.of, e.text.slice(0, 50)) });
              } else out.append(e.text);
            },
            onRollout: (p) => progress.report({ message: vscode.l10n.t('{0}/{1} ready · {2}', p.ready, p.desired, p.pods) }),
            createNamespace: async (ns) => {
              const create = vscode.l10n.t('Create Namespace');
              const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Namespace {0} does not exist in context {1}.', ns, kube.context), { modal: true, detail: vscode.l10n.t('Create it and deploy there? Or cancel, and choose another namespace from the status bar.') }, create);
              return choice === create;
            },
            consent: async (target) => {
              const push = vscode.l10n.t('Push to {0}', target);
              const choice = await vscode.window.showWarningMessage(
                vscode.l10n.t('Push the image to {0}?', target),
                { modal: true, detail: vscode.l10n.t('{0} is not a registry on this machine: whoever can pull from it will be able to read the image. MLOps Workbench pushes nowhere else without asking. To keep images local, set mlops.kubernetes.registry to a local registry or mlops.kubernetes.imageDelivery to another route.', target) },
                push,
              );
              return choice === push;
            },
            credentials: (target) => credentials.get(target),
          }),
      );
    } catch (err) {
      if (err instanceof CancelledError || err instanceof vscode.CancellationError) {
        out.appendLine(`# ${vscode.l10n.t('cancelled: the cluster is as it was before this deploy')}`);
        changed();
        throw err;
      }
      out.appendLine(`# ${vscode.l10n.t('failed')}: ${errorMessage(err)}`);
      if (err instanceof UserFacingError && err.detail) out.appendLine(err.detail);
      log.error(`deploy of ${dir} failed: ${errorMessage(err)}`);
      changed();
      // The error's own actions (e.g. Open Settings on mlops.kubernetes.imageDelivery) come with it.
      void showError(err, log, {
        context: `deploy of ${dir}`,
        message: (m) => vscode.l10n.t('Deploy failed: {0}', m),
        actions: [{ label: vscode.l10n.t('Show Deploy Output'), run: () => out.show(true) }],
      });
      return;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out.appendLine(`# ${vscode.l10n.t('done in {0} s', seconds)}: ${result.namespace}/${result.name} revision ${result.revision}${result.forward ? ` · ${result.forward.url}` : ''}`);
    if (result.smoke) out.appendLine(`# smoke test: /predict ${result.smoke.status} in ${result.smoke.predictMs} ms: ${result.smoke.body.slice(0, 200)}`);
    log.info(`deployed ${result.image} as ${result.namespace}/${result.name} revision ${result.revision} in ${seconds} s`);
    changed();
    const docs = vscode.l10n.t('Open API Docs');
    const panel = vscode.l10n.t('Open Deployment');
    const what = result.newRollout
      ? vscode.l10n.t('Deployed {0} revision {1} to {2}/{3} in {4} s.', result.name, result.revision, kube.context, result.namespace, seconds)
      : vscode.l10n.t('{0} is unchanged: revision {1} keeps serving in {2}/{3}.', result.name, result.revision, kube.context, result.namespace);
    const smoke = result.smoke && result.forward ? vscode.l10n.t('Smoke test passed: /predict {0} in {1} ms at {2}.', result.smoke.status, result.smoke.predictMs, result.forward.url) : '';
    const choice = await vscode.window.showInformationMessage(`${what} ${smoke}`.trim(), ...(result.forward ? [docs] : []), panel);
    const node = { kind: 'workload', context: kube.context, workload: { namespace: result.namespace, name: result.name } };
    if (choice === docs && result.forward) await vscode.env.openExternal(vscode.Uri.parse(`${result.forward.url}/docs`));
    if (choice === panel) await vscode.commands.executeCommand(Commands.kubernetesOpenDeployment, node);
  });

  registry.register(Commands.kubernetesSwitchContext, async () => {
    const client = await service.client();
    type Item = vscode.QuickPickItem & { context?: string; namespace?: true };
    const items: Item[] = [
      ...client.contexts().map((c) => ({ label: `${c.current ? '$(check) ' : ''}${c.name}`, description: c.server, detail: vscode.l10n.t('namespace {0} · user {1}', c.namespace, c.user), context: c.name })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: `$(symbol-namespace) ${vscode.l10n.t('Switch Namespace…')}`, description: service.namespaceFor(client), namespace: true },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Kubernetes context to deploy to (sets the current context, as kubectl config use-context does)') });
    if (!pick) return;
    if (pick.namespace) return vscode.commands.executeCommand(Commands.kubernetesSwitchNamespace);
    if (!pick.context || pick.context === client.context) return;
    await client.useContext(pick.context);
    log.info(`current context is now ${pick.context}`);
    service.reload();
  });

  registry.register(Commands.kubernetesSwitchNamespace, async () => {
    const client = await service.client();
    const current = service.namespaceFor(client);
    let name: string | undefined;
    try {
      const list = await client.namespaces();
      const pick = await vscode.window.showQuickPick(
        list.map((n) => ({ label: `${n === current ? '$(check) ' : ''}${n}`, ns: n })),
        { title: vscode.l10n.t('Namespace to deploy to in {0} (saved in the mlops.kubernetes.namespace setting)', client.context) },
      );
      name = pick?.ns;
    } catch (err) {
      // RBAC may hide the list; the name can still be typed.
      log.warn(`cannot list namespaces: ${errorMessage(err)}`);
      name = await vscode.window.showInputBox({ title: vscode.l10n.t('Namespace to deploy to in {0}', client.context), value: current, validateInput: (v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) ? undefined : vscode.l10n.t('Lowercase letters, digits and "-"')) });
    }
    if (!name) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration().update(Settings.kubernetesNamespace, name === client.namespace ? undefined : name, target);
    service.fireChanged();
  });

  registry.register(Commands.kubernetesOpenDeployment, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    DeploymentPanel.show(context.extensionUri, service, { context: client.context, namespace: w.namespace, name: w.name }, log);
  });

  registry.register(Commands.kubernetesFollowLogs, async (node?: KubeNode) => {
    const client = await service.client();
    let namespace: string;
    let pod: string;
    if (node?.kind === 'pod') {
      namespace = node.workload.namespace;
      pod = node.pod.name;
    } else {
      const w = await workloadFor(node, client, service);
      namespace = w.namespace;
      const dep = await client.deployment(w.namespace, w.name);
      const pods = dep ? (await client.pods(w.namespace, dep)).map(summarizePod) : [];
      if (pods.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no pods.', w.name));
      const ready = pods.filter((p) => p.ready);
      if (pods.length === 1 || ready.length === 1) pod = (ready[0] ?? pods[0]!).name;
      else {
        const pick = await vscode.window.showQuickPick(pods.map((p) => ({ label: p.name, description: p.status, pod: p.name })), { title: vscode.l10n.t('Logs of which pod?') });
        if (!pick) return;
        pod = pick.pod;
      }
    }
    const key = `${client.context}/${namespace}/${pod}`;
    const open = logTerminals.get(key);
    if (open) return open.show();
    const write = new vscode.EventEmitter<string>();
    let follow: { stop(): void } | undefined;
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('Logs: {0}', pod),
      iconPath: new vscode.ThemeIcon('output'),
      pty: {
        onDidWrite: write.event,
        open: () => {
          client
            .followLogs(namespace, pod, (text) => write.fire(text.replace(/\r?\n/g, '\r\n')))
            .then((f) => (follow = f))
            .catch((err: unknown) => write.fire(`\x1b[31m${errorMessage(err)}\x1b[0m\r\n`));
        },
        close: () => {
          follow?.stop();
          logTerminals.delete(key);
        },
      },
    });
    logTerminals.set(key, terminal);
    terminal.show();
  });

  registry.register(Commands.kubernetesPortForward, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const dep = await client.deployment(w.namespace, w.name);
    const remote = (dep && summarizeDeployment(dep).port) ?? 8000;
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Forward to {0}: local port', w.name),
      prompt: vscode.l10n.t('On 127.0.0.1 only, to port {0} of a Ready pod. Stopped when you say so or when the window closes.', remote),
      value: String(remote),
      validateInput: validatePort,
    });
    if (text === undefined) return;
    let forward: Forward;
    try {
      forward = await service.forwardTo(w.namespace, w.name, Number(text));
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      const free = err.nextFree;
      const use = free === undefined ? undefined : vscode.l10n.t('Use {0}', free);
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Port {0} on 127.0.0.1 is already in use.', text), ...(use ? [use] : []));
      if (free === undefined || choice !== use) return;
      forward = await service.forwardTo(w.namespace, w.name, free);
    }
    const docs = vscode.l10n.t('Open API Docs');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Forwarding {0} to {1}:{2}.', forward.url, forward.pod, forward.remotePort), docs);
    if (choice === docs) await vscode.env.openExternal(vscode.Uri.parse(`${forward.url}/docs`));
  });

  registry.register(Commands.kubernetesStopPortForward, async (node?: KubeNode) => {
    let id = node?.kind === 'forward' ? node.forward.id : undefined;
    if (!id) {
      const list = service.forwards.list();
      if (list.length === 0) throw new UserFacingError(vscode.l10n.t('No port-forward is open.'));
      const pick = await vscode.window.showQuickPick(list.map((f) => ({ label: f.url, description: `${f.namespace}/${f.pod}:${f.remotePort}`, id: f.id })), { title: vscode.l10n.t('Stop which port-forward?') });
      id = pick?.id;
    }
    if (id) await service.forwards.stop(id);
  });

  const endpointOf = async (node: KubeNode | undefined): Promise<Forward> => {
    if (node?.kind === 'forward') return node.forward;
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    return service.forwardTo(w.namespace, w.name);
  };
  registry.register(Commands.kubernetesOpenEndpoint, async (node?: KubeNode) => {
    await vscode.env.openExternal(vscode.Uri.parse((await endpointOf(node)).url));
  });
  registry.register(Commands.kubernetesOpenDocs, async (node?: KubeNode) => {
    await vscode.env.openExternal(vscode.Uri.parse(`${(await endpointOf(node)).url}/docs`));
  });

  registry.register(Commands.kubernetesSmokeTest, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const payload = await samplePayloadFrom(w.project ? [w.project] : []);
    const { smokeTest } = await import('../scaffold/core/smoke');
    const forward = await service.forwardTo(w.namespace, w.name);
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Smoke test of {0}', w.name), cancellable: true }, (_p, token) => smokeTest(forward.url, payload, { token, readyTimeoutMs: 30_000 }));
      void vscode.window.showInformationMessage(vscode.l10n.t('Smoke test passed: /predict {0} in {1} ms at {2}.', r.status, r.predictMs, forward.url));
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      throw new UserFacingError(vscode.l10n.t('Smoke test of {0} failed: {1}', w.name, errorMessage(err)));
    }
  });

  registry.register(Commands.kubernetesScale, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const dep = await client.deployment(w.namespace, w.name);
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Scale {0}', w.name),
      prompt: vscode.l10n.t('Number of replicas (0 stops it and keeps it deployed)'),
      value: String(dep?.spec?.replicas ?? 1),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) <= 100 ? undefined : vscode.l10n.t('A whole number from 0 to 100')),
    });
    if (text === undefined) return;
    await client.scale(w.namespace, w.name, Number(text));
    changed();
  });

  registry.register(Commands.kubernetesRestart, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    await client.restart(w.namespace, w.name);
    await watchRollout(client, service, w, vscode.l10n.t('Restarting {0}', w.name));
    changed();
  });

  registry.register(Commands.kubernetesRollback, async (node?: KubeNode, revision?: number) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const history = await client.history(w.namespace, w.name);
    let target = typeof revision === 'number' ? revision : undefined;
    if (target === undefined) {
      const older = history.filter((r) => !r.current);
      if (older.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no earlier revision to roll back to.', w.name));
      const pick = await vscode.window.showQuickPick(
        older.map((r) => ({
          label: vscode.l10n.t('Revision {0}', r.revision),
          description: r.modelVersion ? vscode.l10n.t('model {0}', r.modelVersion) : '',
          detail: [r.image, r.gitCommit ? vscode.l10n.t('commit {0}', r.gitCommit.slice(0, 12)) : '', r.created?.toLocaleString() ?? ''].filter(Boolean).join(' · '),
          revision: r.revision,
        })),
        { title: vscode.l10n.t('Roll {0} back to which revision?', w.name) },
      );
      if (!pick) return;
      target = pick.revision;
    }
    const chosen = history.find((r) => r.revision === target);
    await client.rollback(w.namespace, w.name, target);
    await watchRollout(client, service, w, vscode.l10n.t('Rolling {0} back to revision {1}', w.name, target));
    changed();
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} serves revision {1} again{2}.', w.name, target, chosen?.modelVersion ? ` (${vscode.l10n.t('model {0}', chosen.modelVersion)})` : ''));
  });

  registry.register(Commands.kubernetesDelete, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const candidates: KubeObject[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: w.name, namespace: w.namespace } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: w.name, namespace: w.namespace } },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: w.name, namespace: w.namespace } },
    ];
    // Only what the extension made: a Service someone else made under the same name stays.
    const ours = (await Promise.all(candidates.map(async (o) => ((await client.read(o).catch(() => undefined))?.metadata.labels?.[MANAGED_BY] === FIELD_MANAGER ? o : undefined)))).filter((o): o is KubeObject => !!o);
    if (ours.length === 0) return;
    const del = vscode.l10n.t('Delete');
    const ok = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete {0} from {1}/{2}?', w.name, client.context, w.namespace),
      { modal: true, detail: vscode.l10n.t('Removes {0}. Its images stay on the engine; deploying again recreates it.', ours.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')) },
      del,
    );
    if (ok !== del) return;
    await service.forwards.stopOwned(client.context, w.namespace, w.name);
    await client.deleteObjects(ours);
    changed();
  });

  registry.register(Commands.kubernetesSetRegistryCredentials, async () => {
    const current = service.settings().registry;
    const host = await vscode.window.showInputBox({ title: vscode.l10n.t('Registry (host[:port])'), value: current, validateInput: (v) => (/^[^\s/]+(\/\S*)?$/.test(v) ? undefined : vscode.l10n.t('A registry host, e.g. ghcr.io or localhost:5000')) });
    if (!host) return;
    const username = await vscode.window.showInputBox({ title: vscode.l10n.t('User name for {0}', host) });
    if (!username) return;
    const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password or token for {0}', host), password: true });
    if (!password) return;
    await credentials.store(host, { username, password });
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved the credentials for {0} in the editor\'s secret storage.', host));
  });

  return {
    dispose: () => {
      channel?.dispose();
      for (const t of logTerminals.values()) t.dispose();
      for (const d of disposables) d.dispose();
    },
  };
}

/** The folder with the Dockerfile (or the project marker) at or above `start`, within the workspace. */
function projectRootOf(start: string): string | undefined {
  const stop = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(start))?.uri.fsPath;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'Dockerfile')) || existsSync(path.join(dir, '.mlops', 'project.json'))) return dir;
    if (dir === stop || path.dirname(dir) === dir || !stop) return undefined;
  }
}

/** The project a deploy was invoked on: a folder or file in the explorer, a Model API, a deployed workload, the active editor, or one the user picks. */
async function projectDirFor(arg: unknown, modelApis: ModelApisTree): Promise<string> {
  if (arg instanceof vscode.Uri) {
    const isDir = existsSync(arg.fsPath) && statSync(arg.fsPath).isDirectory();
    return isDir ? (projectRootOf(arg.fsPath) ?? arg.fsPath) : (projectRootOf(path.dirname(arg.fsPath)) ?? path.dirname(arg.fsPath));
  }
  if (isModelApiProject(arg)) return arg.dir;
  const project = (arg as WorkloadNode | undefined)?.kind === 'workload' ? (arg as WorkloadNode).workload.project : undefined;
  if (project && existsSync(project)) return project;
  const projects = await modelApis.list();
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active?.scheme === 'file' ? projectRootOf(path.dirname(active.fsPath)) : undefined;
  if (fromEditor && projects.some((p) => p.dir === fromEditor)) return fromEditor;
  if (projects.length === 0) throw new UserFacingError(vscode.l10n.t('There is no model API in this workspace to deploy: run "MLOps: New Model API…" first, or right-click a folder with a Dockerfile.'));
  if (projects.length === 1) return projects[0]!.dir;
  const pick = await vscode.window.showQuickPick(projects.map((p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.dir), dir: p.dir })), { title: vscode.l10n.t('Deploy which model API?') });
  if (!pick) throw new CancelledError();
  return pick.dir;
}

/** The workload a tree action was invoked on, or one the user picks from the target namespace. */
async function workloadFor(node: KubeNode | undefined, client: KubeClient, service: KubeService): Promise<WorkloadRef> {
  if (node?.kind === 'workload' || node?.kind === 'pod') return node.workload;
  const list = (await client.managedDeploymentsEverywhere(service.namespaceFor(client))).map(summarizeDeployment);
  if (list.length === 0) throw new UserFacingError(vscode.l10n.t('Nothing deployed by MLOps Workbench in context {0} yet: use "Containerize and Deploy" first.', client.context));
  if (list.length === 1) return list[0]!;
  const pick = await vscode.window.showQuickPick(list.map((w) => ({ label: w.name, description: `${w.namespace} · ${w.ready}/${w.desired}${w.modelVersion ? ` · ${w.modelVersion}` : ''}`, w })), { title: vscode.l10n.t('Which deployment?') });
  if (!pick) throw new CancelledError();
  return pick.w;
}

/** Waits, with a cancellable progress, until the workload's new revision is available. */
async function watchRollout(client: KubeClient, service: KubeService, w: WorkloadRef, title: string): Promise<void> {
  const timeoutMs = service.settings().rolloutTimeoutSeconds * 1000;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    client.waitForRollout(w.namespace, w.name, { timeoutMs, token, onProgress: (p) => progress.report({ message: vscode.l10n.t('{0}/{1} ready · {2}', p.ready, p.desired, p.pods) }) }),
  );
}

/** "Containerize and Deploy" and "Build Image" above a Dockerfile, and above the app file of a project that has one. */
class DeployCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file') return [];
    const dir = path.dirname(doc.uri.fsPath);
    const isDockerfile = doc.languageId === 'dockerfile' || path.basename(doc.uri.fsPath) === 'Dockerfile';
    const root = isDockerfile ? dir : projectRootOf(dir);
    if (!root || !existsSync(path.join(root, 'Dockerfile'))) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const folder = vscode.Uri.file(root);
    return [
      new vscode.CodeLens(range, { title: `$(rocket) ${vscode.l10n.t('Containerize and Deploy')}`, command: Commands.deployContainerizeAndDeploy, arguments: [folder] }),
      new vscode.CodeLens(range, { title: `$(package) ${vscode.l10n.t('Build Image')}`, command: Commands.dockerBuild, arguments: [folder] }),
    ];
  }
}

/** A "Deploy" button in the status bar while the workspace has a model API. */
function deployStatusItem(modelApis: ModelApisTree): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('mlops.deploy', vscode.StatusBarAlignment.Left, 9);
  item.name = vscode.l10n.t('MLOps: Containerize and Deploy');
  item.text = `$(rocket) ${vscode.l10n.t('Deploy')}`;
  item.tooltip = vscode.l10n.t('Containerize and deploy a model API to the current Kubernetes context');
  item.command = Commands.deployContainerizeAndDeploy;
  const update = (): void => {
    void modelApis.list().then(
      (list) => (list.length ? item.show() : item.hide()),
      () => item.hide(),
    );
  };
  const sub = modelApis.onDidChangeTreeData(update);
  const timer = setTimeout(update, 0);
  return {
    dispose: () => {
      clearTimeout(timer);
      sub.dispose();
      item.dispose();
    },
  };
}
