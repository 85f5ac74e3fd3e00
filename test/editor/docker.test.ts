// Docker commands in the real editor on a real engine: build the sample Model API, run it
// (smoke test), follow its logs, inspect, stop, start, smoke-test, open, remove.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../src/docker/core/client';
import type { DockerNode } from '../../src/docker/tree';
import { Commands } from '../../src/vscode/ids';
import { answer, eventually, extension, within, workspaceFolder } from './helpers';

/** Answers a toast with its "Use N" button when a port is taken, else dismisses it. */
const usePortOrDismiss = (_m: string, ...buttons: unknown[]): unknown => buttons.find((b) => typeof b === 'string' && /^Use \d+$/.test(b));

describe('docker commands (editor)', function () {
  this.timeout(15 * 60_000);
  let restore: () => void = () => undefined;
  afterEach(() => restore());
  let apiDir: string;
  let imageRef: string;
  let first: ContainerSummary;

  const ours = async (): Promise<ContainerSummary[]> => (await (await (await extension()).docker.client()).containers()).filter((c) => c.labels['mlops.workbench/project-dir'] === apiDir);
  const node = (c: ContainerSummary): DockerNode => ({ kind: 'container', container: c });
  const project = async () => (await (await extension()).modelApis.list()).find((p) => p.dir === apiDir)!;

  before(() => {
    apiDir = path.join(workspaceFolder().fsPath, 'iris-api');
  });

  after(async () => {
    // Whatever a failing test left: the project's containers and images.
    const client = await (await extension()).docker.client();
    for (const c of await ours()) await client.remove(c.id).catch(() => undefined);
    for (const i of await client.images()) if (i.labels['mlops.workbench/project-dir'] === apiDir || i.tags.some((t) => t.startsWith('iris-api:'))) await client.removeImage(i.id).catch(() => undefined);
  });

  it('Build Image on the project folder builds it and says so', async () => {
    const ext = await extension();
    const a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerBuild, vscode.Uri.file(apiDir));
    assert.equal(a.asked.filter((q) => q.method === 'showErrorMessage').length, 0, a.asked.map((q) => q.text).join(' | '));
    assert.match(a.asked.at(-1)!.text, /^Built iris-api:/);
    imageRef = /^Built ([^,\s]+)/.exec(a.asked.at(-1)!.text)![1]!;
    const images = await (await ext.docker.client()).images();
    assert.ok(images.some((i) => i.tags.includes(imageRef)), imageRef);
    await vscode.commands.executeCommand(Commands.dockerShowBuildOutput);
  });

  it('Run starts it on loopback and smoke-tests /predict; Logs, Inspect, Smoke Test and Open in Browser act on it', async () => {
    const a = answer({ showInformationMessage: [undefined, undefined], showWarningMessage: [usePortOrDismiss] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerRun, await project());
    assert.match(a.asked.find((q) => q.method === 'showInformationMessage')!.text, /^Smoke test passed/);
    [first] = await ours();
    assert.ok(first && first.state === 'running', 'a running container');
    assert.ok(first.ports.every((p) => p.ip === '127.0.0.1'), JSON.stringify(first.ports));

    await vscode.commands.executeCommand(Commands.dockerLogs, node(first));
    const terminal = await eventually(() => vscode.window.terminals.find((t) => t.name === `Logs: ${first.name}`), 'the logs terminal');
    terminal!.dispose();

    await vscode.commands.executeCommand(Commands.dockerInspect, node(first));
    await eventually(() => vscode.window.activeTextEditor?.document.languageId === 'json' && vscode.window.activeTextEditor.document.getText().includes(first.id), 'the inspect document');
    // An untitled document: closed without the save question (which would wait for a click).
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    await vscode.commands.executeCommand(Commands.dockerSmokeTest, node(first));
    assert.match(a.asked.filter((q) => q.method === 'showInformationMessage').at(-1)!.text, /^Smoke test passed/);

    // The editor's env is frozen (openExternal cannot be stubbed): the browser really opens the
    // API docs; the command must finish without an error, and the page it opens must answer.
    const before = a.asked.length;
    await within(30_000, 'Open in Browser', () => vscode.commands.executeCommand(Commands.dockerOpenInBrowser, node(first)));
    assert.deepEqual(a.asked.slice(before).filter((q) => q.method === 'showErrorMessage'), []);
    assert.equal((await fetch(`http://127.0.0.1:${first.ports[0]!.host}/docs`)).status, 200);
  });

  it('Stop and Start change its state; Run with Options publishes the chosen port with the given environment', async () => {
    await vscode.commands.executeCommand(Commands.dockerStop, node(first));
    await eventually(async () => (await ours()).find((c) => c.id === first.id)?.state === 'exited', 'stopped');
    await vscode.commands.executeCommand(Commands.dockerStart, node((await ours()).find((c) => c.id === first.id)!));
    await eventually(async () => (await ours()).find((c) => c.id === first.id)?.state === 'running', 'running again');

    const a = answer({ showInputBox: ['18765', 'LOG_LEVEL=DEBUG WORKERS=1'], showInformationMessage: [undefined], showWarningMessage: [usePortOrDismiss] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerRunWithOptions, await project());
    const second = (await ours()).find((c) => c.id !== first.id)!;
    assert.ok(second, 'a second container');
    assert.equal(second.ports[0]?.host, 18765);
    const info = await (await (await extension()).docker.client()).inspectContainer(second.id);
    assert.ok((info as { Config: { Env: string[] } }).Config.Env.includes('LOG_LEVEL=DEBUG'));
  });

  it('Refresh and the image filter switch; Remove Container asks first and removes; Remove Image takes its containers too', async () => {
    const ext = await extension();
    await vscode.commands.executeCommand(Commands.dockerRefresh);
    await vscode.commands.executeCommand(Commands.dockerShowAllImages);
    await vscode.commands.executeCommand(Commands.dockerShowOwnImages);

    let a = answer({ showWarningMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerRemoveContainer, node(first));
    assert.ok((await ours()).some((c) => c.id === first.id), 'dismissing kept it');
    a.restore();
    a = answer({ showWarningMessage: [(_m: string, _o: unknown, remove: string) => remove] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerRemoveContainer, node(first));
    await eventually(async () => !(await ours()).some((c) => c.id === first.id), 'the container gone');
    a.restore();

    const client = await ext.docker.client();
    const image = (await client.images()).find((i) => i.tags.includes(imageRef))!;
    a = answer({ showWarningMessage: [(_m: string, o: { detail?: string }, remove: string) => (assert.match(o.detail ?? '', /Its containers are removed too/), remove)] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.dockerRemoveImage, { kind: 'image', image, containers: await ours() } satisfies DockerNode);
    await eventually(async () => !(await client.images()).some((i) => i.id === image.id), 'the image gone');
    assert.deepEqual(await ours(), []);
  });

  it('a user\'s project with a huge context: Create .dockerignore writes rules from what its Dockerfile copies (not the scaffold\'s allow-list), and the next build succeeds', async () => {
    const ext = await extension();
    const dir = path.join(workspaceFolder().fsPath, 'shop_huge');
    const write = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    try {
      write('Dockerfile', 'ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE}\nWORKDIR /srv\nCOPY requirements.txt .\nCOPY src/ ./src\nCMD ["python3", "-m", "src.app"]\n');
      write('requirements.txt', '\n');
      write('src/app.py', 'print("shop")\n');
      write('.venv/pyvenv.cfg', 'home = /usr/bin\n');
      mkdirSync(path.join(dir, 'data'));
      // 150 MB of data beside the code (sparse: nothing is written to disk).
      writeFileSync(path.join(dir, 'data', 'train.parquet'), '');
      truncateSync(path.join(dir, 'data', 'train.parquet'), 150 * 1024 * 1024);
      let a = answer({ showWarningMessage: [(_m: string, _o: unknown, ...buttons: string[]) => buttons.find((b) => b === 'Create .dockerignore')] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.dockerBuild, vscode.Uri.file(dir));
      assert.match(a.asked[0]!.text, /The build context of shop_huge is 150\.\d MB/);
      const rules = readFileSync(path.join(dir, '.dockerignore'), 'utf8');
      assert.match(rules, /^data$/m);
      assert.match(rules, /^\.venv$/m);
      assert.doesNotMatch(rules, /^\*\*$/m, 'not an allow-list');
      a.restore();
      a = answer({ showInformationMessage: [undefined] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.dockerBuild, vscode.Uri.file(dir));
      assert.match(a.asked.at(-1)!.text, /^Built shop_huge:/, a.asked.map((q) => q.text).join(' | '));
    } finally {
      const client = await ext.docker.client();
      for (const i of await client.images()) if (i.tags.some((t) => t.startsWith('shop_huge:'))) await client.removeImage(i.id).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

