// The Model APIs index in the real editor, on the sample workspace.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/vscode/ids';
import { eventually, extension, workspaceFolder } from './helpers';

describe('model APIs (editor)', () => {
  it('finds the sample workspace’s API, and Refresh finds it again', async () => {
    const ext = await extension();
    const dir = path.join(workspaceFolder().fsPath, 'iris-api');
    assert.ok((await ext.modelApis.list()).some((p) => p.dir === dir));
    await vscode.commands.executeCommand(Commands.modelApisRefresh);
    assert.ok((await ext.modelApis.list()).some((p) => p.dir === dir));
  });

  it('Open shows the project’s app', async () => {
    const ext = await extension();
    const project = (await ext.modelApis.list()).find((p) => p.dir.endsWith(`${path.sep}iris-api`))!;
    await vscode.commands.executeCommand(Commands.modelApisOpen, project);
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath.startsWith(project.dir)), 'a file of the project open');
  });

  it('a project moved into the workspace whole (as a clone or a copy lands) is listed without Refresh, and unlisted when deleted whole', async function () {
    this.timeout(60_000);
    const ext = await extension();
    await ext.modelApis.list();
    // Written outside, then moved in with one rename: the watcher sees the folder, not its files.
    const outside = mkdtempSync(path.join(path.dirname(workspaceFolder().fsPath), 'mlops-moved-'));
    const made = path.join(outside, 'moved-shop-api');
    mkdirSync(path.join(made, 'app'), { recursive: true });
    writeFileSync(path.join(made, 'dockerfile'), 'FROM python:3.12-slim\nCOPY . /app\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n');
    writeFileSync(path.join(made, 'requirements.txt'), 'fastapi\nuvicorn\n');
    writeFileSync(path.join(made, 'app', 'main.py'), 'from fastapi import FastAPI\napp = FastAPI()\n');
    const dir = path.join(workspaceFolder().fsPath, 'moved-shop-api');
    try {
      renameSync(made, dir);
      await eventually(async () => (await ext.modelApis.list()).some((p) => p.dir === dir), 'the moved project listed', 20_000);
      rmSync(dir, { recursive: true, force: true });
      await eventually(async () => !(await ext.modelApis.list()).some((p) => p.dir === dir), 'the deleted project unlisted', 20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
