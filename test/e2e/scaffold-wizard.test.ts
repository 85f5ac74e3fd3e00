import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { answerQuickPick, clickNotificationButton, openMlopsContainer, runCommand, screenshot, session, webviewFrame } from './harness';

describe('New Model API wizard in a real VS Code', () => {
  it('names a bad project name before anything is written, then creates the project', async () => {
    const { page, workspace } = session();
    await openMlopsContainer(page);
    await runCommand(page, 'MLOps: New Model API…');
    const form = await webviewFrame(page, 'New Model API');
    const name = form.locator('vscode-textfield#projectName');
    await name.waitFor({ timeout: 30_000 });

    // A name that breaks the Kubernetes and Docker rules: the form says so, Create is off.
    await name.locator('input').fill('Wizard API');
    await form.locator('#help-projectName .error', { hasText: 'Kubernetes' }).waitFor();
    assert.equal(await form.locator('vscode-button#create').getAttribute('disabled'), '');
    assert.equal(existsSync(path.join(workspace, 'Wizard API')), false);

    await name.locator('input').fill('wizard-api');
    await form.locator('vscode-radio[value="flask"]').click();
    await form.locator('#help-projectName .error').waitFor({ state: 'detached' });
    await screenshot(page, 'model-api-wizard');
    await form.locator('vscode-button#create').click();

    // The plan is shown in the workbench before anything is written.
    await answerQuickPick(page, 'Create the Project', 'The plan: wizard-api');
    await clickNotificationButton(page, 'is not in a Git repository', 'Not Now');
    const dir = path.join(workspace, 'wizard-api');
    for (const f of ['app/main.py', 'Dockerfile', 'k8s/service.yaml', '.mlops/project.json']) assert.ok(existsSync(path.join(dir, f)), f);
    const row = page.locator('.sidebar .pane:has(> .pane-header[aria-label^="Model APIs"]) .monaco-list-row', { hasText: 'wizard-api' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /Flask/);
    // The wizard closes itself once the project is there, and the Explorer shows it.
    await page.locator('.tabs-container .tab[aria-label^="New Model API"]').waitFor({ state: 'detached', timeout: 15_000 });
    await page.keyboard.press('Control+Shift+E');
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="wizard-api"]').first().waitFor({ timeout: 30_000 });
  });
});
