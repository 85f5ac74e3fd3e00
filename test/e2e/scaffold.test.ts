import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { answerInputBox, answerQuickPick, clickNotificationButton, openMlopsContainer, runCommand, screenshot, session } from './harness';

describe('New Model API, step by step, in a real VS Code', () => {
  it('the keyboard flow creates a project: files on disk, in the Explorer and in the Model APIs tree', async () => {
    const { page, workspace } = session();
    await openMlopsContainer(page);
    await runCommand(page, 'MLOps: New Model API, Step by Step…');
    await answerQuickPick(page, 'FastAPI', '(1/6)');
    await answerQuickPick(page, 'Sample model', '(2/6)');
    await answerInputBox(page, '(4/6)', 'demo-api'); // name
    await answerInputBox(page, '(5/6)'); // port 8000
    await answerInputBox(page, '(6/6)'); // Python 3.12, the first item
    await answerQuickPick(page, 'Create the Project', 'The plan: demo-api');

    await clickNotificationButton(page, 'is not in a Git repository', 'Initialize Git');
    const dir = path.join(workspace, 'demo-api');
    const deadline = Date.now() + 30_000;
    while (!existsSync(path.join(dir, '.git', 'HEAD')) && Date.now() < deadline) await page.waitForTimeout(200);
    for (const f of ['app/main.py', 'app/schemas.py', 'tests/test_api.py', 'Dockerfile', 'k8s/deployment.yaml', 'train.py', '.mlops/project.json', '.git/HEAD']) {
      assert.ok(existsSync(path.join(dir, f)), f);
    }
    assert.equal(JSON.parse(readFileSync(path.join(dir, '.mlops', 'project.json'), 'utf8')).framework, 'fastapi');

    // The editor opened the app, and the Model APIs view lists the project.
    await page.locator('.tabs-container .tab[aria-label^="main.py"]').first().waitFor({ timeout: 30_000 });
    const row = page.locator('.sidebar .pane:has(> .pane-header[aria-label^="Model APIs"]) .monaco-list-row', { hasText: 'demo-api' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /FastAPI · :8000/);
    await screenshot(page, 'model-api-scaffolded');

    // And the Explorer shows its folder.
    await page.keyboard.press('Control+Shift+E');
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="demo-api"]').first().waitFor({ timeout: 30_000 });
  });
});
