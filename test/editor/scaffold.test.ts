// New Model API in the real editor: the form opens, and the keyboard flow (the same
// questions one at a time) writes a project on disk that the Model APIs view then lists.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands, WebviewPanels } from '../../src/vscode/ids';
import { answer, eventually, extension, workspaceFolder } from './helpers';

type Items = Thenable<vscode.QuickPickItem[]> | vscode.QuickPickItem[];
const pickLabel = (re: RegExp) => async (items: Items) => (await items).find((i) => re.test(i.label));

describe('new model API (editor)', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('New Model API opens the form', async () => {
    await vscode.commands.executeCommand(Commands.scaffoldModelApi);
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(WebviewPanels.scaffoldWizard)), 'the form');
  });

  it('the step-by-step flow asks six questions, shows the plan, and writes a Flask project the index then lists', async () => {
    const dir = path.join(workspaceFolder().fsPath, 'editor-flask-api');
    const a = answer({
      showQuickPick: [pickLabel(/^Flask$/), pickLabel(/^Sample model$/), async (items: Items) => (await items)[0], async (items: Items) => (await items).find((i) => (i as { create?: boolean }).create)],
      showInputBox: ['editor-flask-api', '8080'],
      showInformationMessage: [(_m: string, ...buttons: unknown[]) => buttons.find((b) => b === 'Not Now'), undefined],
    });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.scaffoldModelApiSteps);
    const errors = a.asked.filter((q) => q.method === 'showErrorMessage');
    assert.deepEqual(errors, [], errors.map((e) => e.text).join(' | '));
    assert.deepEqual(
      a.asked.filter((q) => q.method !== 'showInformationMessage').map((q) => q.text.replace(/^New Model API \(\d\/6\): /, '')),
      ['framework', 'model', 'project name', 'port', 'Python version of the image', 'The plan: editor-flask-api'],
    );
    assert.match(a.asked.at(-1)!.text, /^Created editor-flask-api: \d+ files written\.$/);
    for (const f of ['app/main.py', 'Dockerfile', 'k8s/deployment.yaml', 'tests/test_api.py', 'sample-payload.json']) assert.ok(existsSync(path.join(dir, f)), f);
    const marker = JSON.parse(readFileSync(path.join(dir, '.mlops', 'project.json'), 'utf8')) as { framework: string; port: number };
    assert.deepEqual([marker.framework, marker.port], ['flask', 8080]);
    const ext = await extension();
    await eventually(async () => (await ext.modelApis.list()).some((p) => p.dir === dir), 'the index to list it');
  });

  it('Run Tests opens a terminal in the project; Show Log shows the log', async () => {
    const ext = await extension();
    const project = (await ext.modelApis.list()).find((p) => p.dir.endsWith(`${path.sep}iris-api`))!;
    await vscode.commands.executeCommand(Commands.modelApisRunTests, project);
    const terminal = await eventually(() => vscode.window.terminals.find((t) => t.name === `Tests: ${project.name}`), 'the tests terminal');
    terminal!.dispose();
    await vscode.commands.executeCommand(Commands.showLog);
  });
});
