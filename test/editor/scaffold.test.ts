// New Model API in the real editor: the form opens, and the keyboard flow (the same
// questions one at a time) writes a project on disk that the Model APIs view then lists.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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

  it('from an XGBoost model saved as JSON (told by its content): its column names are read, and the project serves it with xgboost', async function () {
    this.timeout(120_000);
    const ws = workspaceFolder().fsPath;
    const python = vscode.workspace.getConfiguration('mlops').get<string>('python.path')!;
    const model = path.join(ws, 'churn-xgb', 'model.json');
    mkdirSync(path.dirname(model), { recursive: true });
    // As users save one: XGBoost's sklearn API fitted on a DataFrame, then save_model.
    execFileSync(python, ['-c', `import pandas as pd, xgboost
X = pd.DataFrame({"tenure": [1, 5, 9, 12, 30, 2], "monthly_charges": [70.5, 20.0, 55.0, 99.9, 18.2, 80.1]})
xgboost.XGBClassifier(n_estimators=3).fit(X, [1, 0, 0, 1, 0, 1]).save_model(${JSON.stringify(model)})`]);
    const dir = path.join(ws, 'churn-xgb-api');
    const a = answer({
      showQuickPick: [pickLabel(/^FastAPI$/), async (items: Items) => (await items)[0], async (items: Items) => (await items).find((i) => (i as { create?: boolean }).create)],
      showInputBox: ['churn-xgb-api', '8000'],
      showInformationMessage: [(_m: string, ...buttons: unknown[]) => buttons.find((b) => b === 'Not Now'), undefined],
    });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.scaffoldModelApiSteps, vscode.Uri.file(model));
    const problems = a.asked.filter((q) => q.method === 'showErrorMessage' || q.method === 'showWarningMessage');
    assert.deepEqual(problems, [], problems.map((e) => e.text).join(' | '));
    // No question about the inputs: the file named them.
    assert.deepEqual(
      a.asked.filter((q) => q.method !== 'showInformationMessage').map((q) => q.text.replace(/^New Model API \(\d\/6\): /, '')),
      ['framework', 'project name', 'port', 'Python version of the image', 'The plan: churn-xgb-api'],
    );
    const marker = JSON.parse(readFileSync(path.join(dir, '.mlops', 'project.json'), 'utf8')) as { features: Array<{ name: string }>; modelPath: string };
    assert.deepEqual(marker.features.map((f) => f.name), ['tenure', 'monthly_charges']);
    assert.equal(marker.modelPath, 'model/model.json');
    assert.match(readFileSync(path.join(dir, 'requirements.txt'), 'utf8'), /^xgboost-cpu==/m);
    assert.match(readFileSync(path.join(dir, 'app', 'model.py'), 'utf8'), /xgboost\.Booster\(model_file=path\)/);
    assert.ok(existsSync(path.join(dir, 'model', 'model.json')));
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
