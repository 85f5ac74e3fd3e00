import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import { showError } from '../vscode/errors';
import { LogTerminals } from '../vscode/logTerminal';
import { insideWorkspace } from '../vscode/workspacePaths';
import { nextFreePort, portInUse } from '../common/net';
import { isModelApiProject } from '../scaffold/core/projects';
import { samplePayloadFrom } from '../scaffold/payload';
import type { ModelApiIndex } from '../scaffold/index';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, Settings, Views } from '../vscode/ids';
import { validatePort } from '../vscode/inputs';
import type { ComponentLogger } from '../vscode/logger';
import type Dockerode from 'dockerode';
import type { ContainerSummary, DockerClient, ImageSummary } from './core/client';
import { PortInUseError } from './core/client';
import { MANAGED_LABEL, parseEnv, splitTag } from './core/model';
import { dockerfileIn, isDockerfileName, planImage } from './core/project';
import { askAboutLargeContext, mb } from './largeContext';
import type { ImagePlan } from './core/project';
import type { DockerService } from './service';
import type { DockerNode } from './tree';

const PROJECT_DIR_LABEL = 'mlops.workbench/project-dir';

export function registerDockerCommands(registry: CommandRegistry, docker: DockerService, modelApis: ModelApiIndex, extensionUri: vscode.Uri, log: ComponentLogger): vscode.Disposable {
  // Made on the first build, not at activation.
  let channel: vscode.OutputChannel | undefined;
  const buildOutput = (): vscode.OutputChannel => (channel ??= vscode.window.createOutputChannel(vscode.l10n.t('MLOps Workbench: Docker Build')));
  const logTerminals = new LogTerminals();

  registry.register(Commands.dockerRefresh, () => docker.refresh());
  registry.register(Commands.dockerShowAllImages, () => docker.setShowAll(true));
  registry.register(Commands.dockerShowOwnImages, () => docker.setShowAll(false));
  registry.register(Commands.dockerShowBuildOutput, () => buildOutput().show(true));

  registry.register(Commands.dockerBuild, async (arg?: unknown) => {
    const dockerfile = await dockerfileFor(arg, modelApis);
    const client = await docker.client();
    const built = await buildImage(client, dockerfile, buildOutput(), extensionUri, log);
    if (!built) return;
    docker.refresh();
    const runNow = vscode.l10n.t('Run');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Built {0} in {1} s.', built.plan.tags.join(', '), (built.ms / 1000).toFixed(1)),
      runNow,
      vscode.l10n.t('Show Build Output'),
    );
    if (choice === runNow) await runImage(client, docker, built.plan.tags[0], { projectDir: built.plan.contextDir }, log);
    else if (choice) buildOutput().show(true);
  });

  registry.register(Commands.dockerRun, async (arg?: unknown) => {
    const client = await docker.client();
    const target = await imageFor(arg, client, modelApis);
    await runImage(client, docker, target.ref, target.projectDir ? { projectDir: target.projectDir } : {}, log);
  });

  registry.register(Commands.dockerRunWithOptions, async (arg?: unknown) => {
    const client = await docker.client();
    const target = await imageFor(arg, client, modelApis);
    const { containerPort } = await imageToRun(client, target.ref);
    const hostText = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run {0}: host port', target.ref),
      prompt: vscode.l10n.t('Published on 127.0.0.1 only; the container listens on {0}.', containerPort),
      value: String(containerPort),
      validateInput: validatePort,
    });
    if (hostText === undefined) return;
    const envText = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run {0}: environment', target.ref),
      prompt: vscode.l10n.t('KEY=value pairs separated by spaces, e.g. LOG_LEVEL=DEBUG WORKERS=1 (empty for none)'),
      validateInput: (v) => (parseEnv(v) ? undefined : vscode.l10n.t('Write KEY=value pairs separated by spaces')),
    });
    if (envText === undefined) return;
    await runImage(client, docker, target.ref, { ...(target.projectDir ? { projectDir: target.projectDir } : {}), hostPort: Number(hostText), env: parseEnv(envText) ?? {} }, log);
  });

  registry.register(Commands.dockerStop, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, (x) => x.state === 'running');
    await vscode.window.withProgress({ location: { viewId: Views.docker } }, () => client.stop(c.id));
  });

  registry.register(Commands.dockerStart, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, (x) => x.state !== 'running');
    await client.docker.getContainer(c.id).start();
  });

  registry.register(Commands.dockerRemoveContainer, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, () => true);
    const remove = vscode.l10n.t('Remove');
    const detail = c.state === 'running' ? vscode.l10n.t('It is running: it will be stopped first.') : undefined;
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Remove the container {0}?', c.name), { modal: true, ...(detail ? { detail } : {}) }, remove);
    if (ok !== remove) return;
    logTerminals.close(c.id);
    await client.remove(c.id);
  });

  registry.register(Commands.dockerRemoveImage, async (node?: DockerNode) => {
    const client = await docker.client();
    const image = node?.kind === 'image' ? node.image : await pickImage(client);
    const users = (await client.containers()).filter((c) => c.imageId === image.id);
    const remove = vscode.l10n.t('Remove');
    const detail = users.length ? vscode.l10n.t('Its containers are removed too: {0}', users.map((c) => c.name).join(', ')) : vscode.l10n.t('Tags: {0}', image.tags.join(', '));
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Remove the image {0}?', image.tags[0] ?? image.id), { modal: true, detail }, remove);
    if (ok !== remove) return;
    for (const c of users) await client.remove(c.id);
    await client.removeImage(image.id);
  });

  registry.register(Commands.dockerLogs, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, () => true);
    logTerminals.show(c.id, vscode.l10n.t('Logs: {0}', c.name), (write) => client.followLogs(c.id, write), vscode.l10n.t('[the container stopped; the log ends here]'));
  });

  registry.register(Commands.dockerInspect, async (node?: DockerNode) => {
    const client = await docker.client();
    const data =
      node?.kind === 'image'
        ? await client.inspectImage(node.image.id)
        : await client.inspectContainer((await containerFor(node, client, () => true)).id);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(data, null, 2) });
    await vscode.window.showTextDocument(doc, { preview: true });
  });

  registry.register(Commands.dockerSmokeTest, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, (x) => x.state === 'running' && x.ports.length > 0);
    await smoke(client, c, modelApis, log);
  });

  registry.register(Commands.dockerOpenInBrowser, async (node?: DockerNode) => {
    const client = await docker.client();
    const c = await containerFor(node, client, (x) => x.state === 'running' && x.ports.length > 0);
    const port = c.ports[0];
    if (!port) throw new UserFacingError(vscode.l10n.t('{0} publishes no port.', c.name));
    const docs = c.labels['mlops.workbench/framework'] ? '/docs' : '/';
    await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${port.host}${docs}`));
  });

  return {
    dispose: () => {
      channel?.dispose();
      logTerminals.dispose();
    },
  };
}

/** The Dockerfile a build command was invoked on: a Model API, a Dockerfile or folder in the explorer, or one the user picks. */
async function dockerfileFor(arg: unknown, modelApis: ModelApiIndex): Promise<string> {
  const fromDir = async (dir: string): Promise<string> => {
    const f = await dockerfileIn(dir);
    if (!f) throw new UserFacingError(vscode.l10n.t('{0} has no Dockerfile. Scaffold a Model API there, or add a Dockerfile.', dir));
    return f;
  };
  if (arg instanceof vscode.Uri) return isDockerfileName(path.basename(arg.fsPath)) && (await stat(arg.fsPath).catch(() => undefined))?.isFile() ? arg.fsPath : fromDir(arg.fsPath);
  if (isModelApiProject(arg)) return fromDir(arg.dir);
  const active = vscode.window.activeTextEditor?.document.uri;
  const projects = await modelApis.list();
  const items = (await Promise.all(projects.map(async (p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.dir), dockerfile: (await dockerfileIn(p.dir)) ?? '' })))).filter((i) => i.dockerfile);
  if (active && isDockerfileName(path.basename(active.fsPath)) && !items.some((i) => i.dockerfile === active.fsPath)) {
    items.unshift({ label: path.basename(path.dirname(active.fsPath)), description: vscode.workspace.asRelativePath(active.fsPath), dockerfile: active.fsPath });
  }
  if (items.length === 0) throw new UserFacingError(vscode.l10n.t('There is no Dockerfile in this workspace: run "MLOps: New Model API…" first.'));
  if (items.length === 1) return items[0].dockerfile;
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Build which image?') });
  if (!pick) throw new CancelledError();
  return pick.dockerfile;
}

async function buildImage(
  client: DockerClient,
  dockerfile: string,
  output: vscode.OutputChannel,
  extensionUri: vscode.Uri,
  log: ComponentLogger,
): Promise<{ plan: ImagePlan; ms: number } | undefined> {
  const { gitState } = await import('../git/core/client');
  const baseImage = vscode.workspace.getConfiguration().get<string>(Settings.dockerBaseImage, '');
  const git = await gitState(path.dirname(dockerfile)).catch(() => undefined);
  const plan = await planImage({ dockerfile, ...(baseImage ? { baseImage } : {}), ...(git ? { git } : {}) });

  // A huge context: say what would be sent, and what a .dockerignore would cut; the user decides.
  const size = await askAboutLargeContext(plan, dockerfile, extensionUri, 'build');
  if (!size) return undefined;

  output.clear();
  output.appendLine(`# docker build ${plan.contextDir} -f ${plan.dockerfile} ${plan.tags.map((t) => `-t ${t}`).join(' ')}${Object.entries(plan.buildArgs).map(([k, v]) => ` --build-arg ${k}=${v}`).join('')}`);
  output.appendLine(`# ${client.where} · ${mb(size.sentBytes)} context`);
  log.info(`building ${plan.tags.join(', ')} from ${dockerfile}`);
  const started = Date.now();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Building {0}', plan.tags[0]), cancellable: true },
      async (progress, token) => {
        let done = 0;
        await client.build(
          plan.contextDir,
          { dockerfile: plan.dockerfile, tags: plan.tags, labels: plan.labels, buildArgs: plan.buildArgs },
          (e) => {
            if (e.kind === 'step') {
              output.appendLine(`Step ${e.step}/${e.of} : ${e.text}`);
              const increment = ((e.step - 1) / e.of) * 100 - done;
              done += increment;
              progress.report({ message: vscode.l10n.t('step {0}/{1}: {2}', e.step, e.of, e.text.slice(0, 60)), increment });
            } else output.append(e.text);
          },
          token,
        );
      },
    );
  } catch (err) {
    if (err instanceof CancelledError) {
      output.appendLine(`\n# ${vscode.l10n.t('cancelled')}`);
      log.info('build cancelled');
      throw err;
    }
    output.appendLine(`\n# ${errorMessage(err)}`);
    // The error's own actions (e.g. Open Settings on mlops.docker.baseImage) come with it.
    void showError(err, log, { context: `build of ${dockerfile}`, actions: [{ label: vscode.l10n.t('Show Build Output'), run: () => output.show(true) }] });
    return undefined;
  }
  const ms = Date.now() - started;
  output.appendLine(`\n# built ${plan.tags.join(', ')} in ${(ms / 1000).toFixed(1)} s`);
  log.info(`built ${plan.tags.join(', ')} in ${ms} ms`);
  return { plan, ms };
}

/** The image, or a message saying to build it; and the first port it exposes (8000 when none). */
async function imageToRun(client: DockerClient, ref: string): Promise<{ info: Dockerode.ImageInspectInfo; containerPort: number }> {
  const info = await client.inspectImage(ref);
  if (!info) throw new UserFacingError(vscode.l10n.t('The image {0} is not on this engine: build it first.', ref));
  const exposed = Object.keys(info.Config.ExposedPorts ?? {})
    .map((p) => Number(p.split('/')[0]))
    .filter((p) => p > 0);
  return { info, containerPort: exposed[0] ?? 8000 };
}

async function runImage(
  client: DockerClient,
  docker: DockerService,
  ref: string,
  opts: { projectDir?: string; hostPort?: number; env?: Record<string, string> },
  log: ComponentLogger,
): Promise<void> {
  const { info, containerPort } = await imageToRun(client, ref);
  const framework = info.Config.Labels?.['mlops.workbench/framework'];
  const labels: Record<string, string> = { 'mlops.workbench/managed': 'true' };
  if (framework) labels['mlops.workbench/framework'] = framework;
  if (opts.projectDir) labels[PROJECT_DIR_LABEL] = opts.projectDir;
  const [repo] = splitTag(ref);
  let hostPort = opts.hostPort ?? containerPort;
  let id: string;
  for (;;) {
    if (await portInUse(hostPort)) {
      const next = await nextFreePort(hostPort + 1);
      if (!next) throw new UserFacingError(vscode.l10n.t('Port {0} and the next 100 ports are in use on 127.0.0.1.', hostPort));
      const use = vscode.l10n.t('Use {0}', next);
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Port {0} on 127.0.0.1 is already in use.', hostPort), use);
      if (choice !== use) throw new CancelledError();
      hostPort = next;
    }
    try {
      const name = `${repo.split('/').pop()}-${hostPort}-${Date.now().toString(36).slice(-4)}`;
      id = await client.run(ref, { name, ports: [{ container: containerPort, host: hostPort }], labels, env: opts.env ?? {} });
      log.info(`started ${name} from ${ref} on 127.0.0.1:${hostPort}`);
      docker.refresh();
      break;
    } catch (err) {
      if (err instanceof PortInUseError) continue; // taken between the check and the start: ask again
      throw err;
    }
  }
  const c = (await client.containers()).find((x) => x.id === id);
  if (!c) return;
  // Its first seconds: an app that exits at once says so, with its last lines, not "is running".
  const { watchStart } = await import('./core/started');
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting {0}', c.name), cancellable: true }, (_p, token) => watchStart(client, id, hostPort, { token }));
  if (outcome.state === 'exited') {
    docker.refresh();
    const last = outcome.logs.split('\n').slice(-3).join(' ').slice(0, 400) || vscode.l10n.t('no output');
    log.error(`${c.name} exited with code ${outcome.exitCode}${outcome.oomKilled ? ' (out of memory)' : ''}:\n${outcome.logs}`);
    const logs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(
      outcome.oomKilled
        ? vscode.l10n.t('{0} was stopped: it ran out of memory (exit code {1}). Its last lines: {2}', c.name, outcome.exitCode, last)
        : vscode.l10n.t('{0} exited right after starting (exit code {1}). Its last lines: {2}', c.name, outcome.exitCode, last),
      logs,
    );
    if (choice === logs) await vscode.commands.executeCommand(Commands.dockerLogs, { kind: 'container', container: c } satisfies DockerNode);
    return;
  }
  // Only the extension's own APIs have /ready and /predict to smoke-test.
  if (framework) await smoke(client, c, undefined, log);
  else if (outcome.state === 'answering') void vscode.window.showInformationMessage(vscode.l10n.t('{0} is running on http://127.0.0.1:{1}', c.name, hostPort));
  else void vscode.window.showInformationMessage(vscode.l10n.t('{0} is running, but nothing answers on http://127.0.0.1:{1} yet (container port {2}): see its logs if it stays so.', c.name, hostPort, containerPort));
}

async function smoke(client: DockerClient, c: ContainerSummary, modelApis: ModelApiIndex | undefined, log: ComponentLogger): Promise<void> {
  const { smokeTest } = await import('../scaffold/core/smoke');
  const payload = await samplePayload(client, c, modelApis);
  const port = c.ports[0];
  const url = `http://127.0.0.1:${port.host}`;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Smoke test of {0}', c.name), cancellable: true },
      async (progress, token) => {
        progress.report({ message: vscode.l10n.t('waiting for {0}/ready', url) });
        return smokeTest(url, payload, { token, readyTimeoutMs: 90_000 });
      },
    );
    log.info(`smoke test of ${c.name}: ready after ${result.healthMs} ms, /predict ${result.status} in ${result.predictMs} ms: ${result.body.slice(0, 200)}`);
    const open = vscode.l10n.t('Open in Browser');
    const logs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Smoke test passed: {0} answers on {1}, /predict {2} in {3} ms.', c.name, url, result.status, result.predictMs),
      open,
      logs,
    );
    if (choice === open) await vscode.commands.executeCommand(Commands.dockerOpenInBrowser, { kind: 'container', container: c } satisfies DockerNode);
    if (choice === logs) await vscode.commands.executeCommand(Commands.dockerLogs, { kind: 'container', container: c } satisfies DockerNode);
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    const tail = await client.logs(c.id, 20).catch(() => '');
    log.error(`smoke test of ${c.name} failed: ${errorMessage(err)}\n${tail}`);
    const logs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Smoke test failed: {0}', errorMessage(err)), logs);
    if (choice === logs) await vscode.commands.executeCommand(Commands.dockerLogs, { kind: 'container', container: c } satisfies DockerNode);
  }
}

/** The project's saved sample payload: from the folder the container was run from, or a Model API whose image it is. */
async function samplePayload(client: DockerClient, c: ContainerSummary, modelApis: ModelApiIndex | undefined): Promise<unknown> {
  const dirs: string[] = [];
  const labelled = insideWorkspace(c.labels[PROJECT_DIR_LABEL]);
  if (labelled) dirs.push(labelled);
  if (modelApis) {
    const info = await client.inspectImage(c.imageId);
    const title = info?.Config.Labels?.['org.opencontainers.image.title'];
    for (const p of await modelApis.list()) if (p.name === title || p.name === splitTag(c.image)[0]) dirs.push(p.dir);
  }
  return samplePayloadFrom(dirs);
}

async function imageFor(arg: unknown, client: DockerClient, modelApis: ModelApiIndex): Promise<{ ref: string; projectDir?: string }> {
  if (typeof arg === 'object' && arg !== null && (arg as DockerNode).kind === 'image') {
    const image = (arg as Extract<DockerNode, { kind: 'image' }>).image;
    const title = image.labels['org.opencontainers.image.title'];
    const project = title ? (await modelApis.list()).find((p) => p.name === title) : undefined;
    return { ref: image.tags[0] ?? image.id, ...(project ? { projectDir: project.dir } : {}) };
  }
  if (isModelApiProject(arg)) {
    const dockerfile = await dockerfileIn(arg.dir);
    if (!dockerfile) throw new UserFacingError(vscode.l10n.t('{0} has no Dockerfile. Scaffold a Model API there, or add a Dockerfile.', arg.dir));
    const plan = await planImage({ dockerfile });
    const [repo, tag] = splitTag(plan.tags[0]);
    const images = (await client.images()).filter((i) => i.tags.some((t) => splitTag(t)[0] === repo));
    if (images.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no image yet: build it first ("MLOps: Build Image").', arg.name));
    return { ref: images[0].tags.find((t) => t === `${repo}:${tag}`) ?? images[0].tags[0], projectDir: arg.dir };
  }
  const image = await pickImage(client);
  return { ref: image.tags[0] ?? image.id };
}

async function pickImage(client: DockerClient): Promise<ImageSummary> {
  const images = await client.images(MANAGED_LABEL);
  if (images.length === 0) throw new UserFacingError(vscode.l10n.t('No image built by MLOps Workbench yet: build one first ("MLOps: Build Image").'));
  const pick = await vscode.window.showQuickPick(
    images.map((i) => ({ label: i.tags[0], description: i.tags.slice(1).join(', '), image: i })),
    { title: vscode.l10n.t('Choose an image') },
  );
  if (!pick) throw new CancelledError();
  return pick.image;
}

async function containerFor(node: DockerNode | undefined, client: DockerClient, fits: (c: ContainerSummary) => boolean): Promise<ContainerSummary> {
  if (node?.kind === 'container') return node.container;
  const [key, value] = MANAGED_LABEL.split('=');
  const list = (await client.containers()).filter((c) => c.labels[key] === value && fits(c));
  if (list.length === 0) throw new UserFacingError(vscode.l10n.t('No container of MLOps Workbench fits: run an image first.'));
  if (list.length === 1) return list[0];
  const pick = await vscode.window.showQuickPick(
    list.map((c) => ({ label: c.name, description: `${c.image} · ${c.status}`, c })),
    { title: vscode.l10n.t('Choose a container') },
  );
  if (!pick) throw new CancelledError();
  return pick.c;
}
