// One-click Containerize and Deploy: the command, its output channel, the CodeLens above
// Dockerfiles and app files, and the status bar button.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { ErrorCode, UserFacingError, errorMessage, hasCode } from '../common/errors';
import { isModelApiProject } from '../scaffold/core/projects';
import type { ModelApiIndex } from '../scaffold/index';
import { Commands } from '../vscode/ids';
import { showError } from '../vscode/errors';
import { insideWorkspace } from '../vscode/workspacePaths';
import type { DeployResult, DeployUnverifiedError } from './core/deploy';
import type { DockerClient } from '../docker/core/client';
import type { KubeClient } from '../kube/core/client';
import type { KubeService } from '../kube/service';
import type { KubeCommandContext, WorkloadNode } from '../kube/commands/shared';
import { DeployCodeLens } from './codelens';
import { hasDockerfile, projectRootOf } from './projectRoot';
import { DOCKERFILE_GLOB } from '../docker/core/project';
import { askAboutLargeContext } from '../docker/largeContext';
import { deployStatusItem } from './statusBar';

export function registerDeployCommands(ctx: KubeCommandContext): vscode.Disposable {
  const { registry, service, docker, modelApis, context, credentials, log, changed } = ctx;
  const disposables: vscode.Disposable[] = [];
  /** Deploys in flight, by context, namespace and project folder. */
  const running = new Set<string>();
  let channel: vscode.OutputChannel | undefined;
  const output = (): vscode.OutputChannel => (channel ??= vscode.window.createOutputChannel(vscode.l10n.t('MLOps Workbench: Deploy')));
  disposables.push({ dispose: () => channel?.dispose() });
  disposables.push(vscode.languages.registerCodeLensProvider([{ language: 'dockerfile' }, { pattern: `**/${DOCKERFILE_GLOB}` }, { language: 'python', pattern: '**/{app/main,main,app,server,api,src/main,src/app,api/main,api/app}.py' }], new DeployCodeLens()));
  disposables.push(deployStatusItem(modelApis));

  registry.register(Commands.deployShowOutput, () => output().show(true));
  registry.register(Commands.deployContainerizeAndDeploy, async (arg?: unknown) => {
    const dir = await projectDirFor(arg, modelApis);
    if (!(await hasDockerfile(dir))) {
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
    // One deploy of a project to a namespace at a time (the CodeLens and the status bar may both be clicked):
    // a second one's restore would otherwise put back its saved template over the first's rollout.
    const key = `${kube.context}\u0000${settings.namespace || kube.namespace}\u0000${path.resolve(dir)}`;
    if (running.has(key)) {
      const show = vscode.l10n.t('Show Deploy Output');
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('A deploy of {0} to {1}/{2} is already running: wait for it to finish, or cancel it from its notification.', path.basename(dir), kube.context, settings.namespace || kube.namespace), show);
      if (choice === show) output().show(true);
      return;
    }
    running.add(key);
    try {
      // What was deployed, for a caller that chains deploys (the Models view's redeploy); undefined when it failed.
      return await deployOnce(dir, dockerClient, kube, settings);
    } finally {
      running.delete(key);
    }
  });

  const deployOnce = async (dir: string, dockerClient: DockerClient, kube: KubeClient, settings: ReturnType<KubeService['settings']>): Promise<DeployResult | undefined> => {
    const out = output();
    out.appendLine('');
    out.appendLine(`# ${new Date().toLocaleString()} · ${vscode.l10n.t('deploying {0} to {1}/{2}', dir, kube.context, settings.namespace || kube.namespace)}`);
    log.info(`deploying ${dir} to ${kube.context}`);
    const { containerizeAndDeploy } = await import('./core/deploy');
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
            // The question a build asks of a huge context, asked by a deploy too.
            beforeBuild: async (plan, dockerfile) => (await askAboutLargeContext(plan, dockerfile, context.extensionUri, 'deploy')) !== undefined,
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
      // (core/deploy is loaded on first use: the class is told by its code, not instanceof.)
      if (hasCode(err, ErrorCode.deployUnverified) && 'workload' in err) {
        // Rolled out: the new revision serves; only its check failed. Not "Deploy failed".
        out.appendLine(`# ${vscode.l10n.t('rolled out, but not verified')}: ${errorMessage(err)}`);
        changed();
        const { workload } = err as DeployUnverifiedError;
        const node = { kind: 'workload', context: kube.context, workload: { namespace: workload.namespace, name: workload.name } };
        void showError(err, log, {
          context: `deploy of ${dir}`,
          message: (m) => vscode.l10n.t('Deployed, but the check failed: {0}', m),
          actions: [
            { label: vscode.l10n.t('Show Deploy Output'), run: () => out.show(true) },
            { label: vscode.l10n.t('Roll Back…'), run: () => vscode.commands.executeCommand(Commands.kubernetesRollback, node) },
          ],
        });
        return;
      }
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
    if (result.smoke) out.appendLine(`# smoke test: ${result.smoke.path} ${result.smoke.status} in ${result.smoke.predictMs} ms: ${result.smoke.body.slice(0, 200)}`);
    log.info(`deployed ${result.image} as ${result.namespace}/${result.name} revision ${result.revision} in ${seconds} s`);
    changed();
    const docs = vscode.l10n.t('Open API Docs');
    const panel = vscode.l10n.t('Open Deployment');
    const what = result.newRollout
      ? vscode.l10n.t('Deployed {0} revision {1} to {2}/{3} in {4} s.', result.name, result.revision, kube.context, result.namespace, seconds)
      : vscode.l10n.t('{0} is unchanged: revision {1} keeps serving in {2}/{3}.', result.name, result.revision, kube.context, result.namespace);
    const smoke = result.smoke && result.forward ? vscode.l10n.t('Smoke test passed: {0} {1} in {2} ms at {3}.', result.smoke.path, result.smoke.status, result.smoke.predictMs, result.forward.url) : '';
    const node = { kind: 'workload', context: kube.context, workload: { namespace: result.namespace, name: result.name } };
    // Not awaited: the command returns when the deploy is done, not when the message is closed.
    void vscode.window.showInformationMessage(`${what} ${smoke}`.trim(), ...(result.forward ? [docs] : []), panel).then(async (choice) => {
      if (choice === docs && result.forward) await vscode.env.openExternal(vscode.Uri.parse(`${result.forward.url}/docs`));
      if (choice === panel) await vscode.commands.executeCommand(Commands.kubernetesOpenDeployment, node);
    });
    return result;
  };

  return vscode.Disposable.from(...disposables);
}


/** The project a deploy was invoked on: a folder or file in the explorer, a Model API, a deployed workload, the active editor, or one the user picks. */
async function projectDirFor(arg: unknown, modelApis: ModelApiIndex): Promise<string> {
  if (arg instanceof vscode.Uri) {
    const isDir = (await stat(arg.fsPath).catch(() => undefined))?.isDirectory() ?? false;
    const dir = isDir ? arg.fsPath : path.dirname(arg.fsPath);
    return (await projectRootOf(dir)) ?? dir;
  }
  if (isModelApiProject(arg)) return arg.dir;
  // The annotation is the cluster's to say: only a folder of this workspace is built from.
  const project = insideWorkspace((arg as WorkloadNode | undefined)?.kind === 'workload' ? (arg as WorkloadNode).workload.project : undefined);
  if (project && (await stat(project).catch(() => undefined))) return project;
  const projects = await modelApis.list();
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active?.scheme === 'file' ? await projectRootOf(path.dirname(active.fsPath)) : undefined;
  if (fromEditor && projects.some((p) => p.dir === fromEditor)) return fromEditor;
  if (projects.length === 0) throw new UserFacingError(vscode.l10n.t('There is no model API in this workspace to deploy: run "MLOps: New Model API…" first, or right-click a folder with a Dockerfile.'));
  if (projects.length === 1) return projects[0]!.dir;
  const pick = await vscode.window.showQuickPick(projects.map((p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.dir), dir: p.dir })), { title: vscode.l10n.t('Deploy which model API?') });
  if (!pick) throw new CancelledError();
  return pick.dir;
}
