import { strict as assert } from 'node:assert';
import { collapseOtherPanes, expandRow, isRowChecked, openMlopsContainer, reloadWindow, rowCheckbox, runCommand, screenshot, session, treeRow, webviewFrame } from './harness';

const MODULE_3 = 'Módulo 3: Operacionalización de Modelos de Aprendizaje Automático';
const TOPIC = 'Creación de APIs para modelos: Flask, FastAPI.';

describe('syllabus checklist in a real VS Code', () => {
  it('opens the MLOps container and shows the course modules with their progress', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    // The container has four views; give the Syllabus the height its rows need.
    await collapseOtherPanes(page, 'Syllabus');
    const m3 = treeRow(page, MODULE_3);
    await m3.waitFor({ timeout: 30_000 });
    assert.match((await m3.textContent()) ?? '', /1\/14 · 6 h/);
    assert.match((await treeRow(page, 'Módulo 1').textContent()) ?? '', /5\/13 · 4 h/);
  });

  it('checks a topic in Module 3, and after a window reload it is still checked', async () => {
    const { page } = session();
    await expandRow(treeRow(page, MODULE_3));
    await expandRow(treeRow(page, 'Despliegue de Modelos de Machine Learning.'));
    const topic = treeRow(page, TOPIC);
    await topic.waitFor();
    assert.equal(await isRowChecked(topic), false);
    await rowCheckbox(topic).click();
    await page.waitForFunction(
      (label) => document.querySelector(`.monaco-list-row[aria-label^="${label}"] .custom-view-tree-node-item-checkbox`)?.getAttribute('aria-checked') === 'true',
      TOPIC,
      { timeout: 10_000 },
    );
    await page.waitForFunction((m) => document.querySelector(`.monaco-list-row[aria-label^="${m}"]`)?.textContent?.includes('2/14'), MODULE_3, { timeout: 10_000 });

    await reloadWindow(page);
    await openMlopsContainer(page);
    const m3 = treeRow(page, MODULE_3);
    await m3.waitFor({ timeout: 30_000 });
    await expandRow(m3);
    await expandRow(treeRow(page, 'Despliegue de Modelos de Machine Learning.'));
    const again = treeRow(page, TOPIC);
    await again.waitFor();
    assert.equal(await isRowChecked(again), true, 'the topic is still checked after the reload');
    assert.match((await m3.textContent()) ?? '', /2\/14/);
  });

  it('opens the overview and reads the new progress there', async () => {
    const { page } = session();
    await runCommand(page, 'MLOps: Open Syllabus Overview');
    const frame = await webviewFrame(page, 'Syllabus Overview');
    const total = frame.locator('#total-topics .value');
    await total.waitFor({ timeout: 30_000 });
    assert.equal(await total.textContent(), '7/49 (14%)');
    const m3 = frame.locator('vscode-collapsible[data-module]').nth(2);
    assert.equal(await m3.getAttribute('description'), '2/14 · 14% · 6 h');
    const box = frame.locator(`li.topic vscode-checkbox[label="${TOPIC}"]`);
    assert.equal(await box.evaluate((el) => (el as unknown as { checked: boolean }).checked), true);
    await screenshot(page, 'syllabus-overview');
  });

  it('toggling in the overview updates the tree', async () => {
    const { page } = session();
    const frame = await webviewFrame(page, 'Syllabus Overview');
    const box = frame.locator(`li.topic vscode-checkbox[label="${TOPIC}"]`);
    await box.click();
    await frame.locator('#total-topics .value', { hasText: '6/49' }).waitFor({ timeout: 10_000 });
    await page.waitForFunction((m) => document.querySelector(`.monaco-list-row[aria-label^="${m}"]`)?.textContent?.includes('1/14'), MODULE_3, { timeout: 10_000 });
    assert.equal(await isRowChecked(treeRow(page, TOPIC)), false);
  });

  it('the overview keeps its filter after a window reload', async () => {
    const { page } = session();
    let frame = await webviewFrame(page, 'Syllabus Overview');
    await frame.locator('vscode-radio[value="done"]').click();
    await frame.locator('li.topic').first().waitFor();
    const doneOnly = await frame.locator('li.topic').count();
    assert.equal(doneOnly, 6);
    await reloadWindow(page);
    frame = await webviewFrame(page, 'Syllabus Overview');
    await frame.locator('#total-topics .value').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('li.topic').count(), 6, 'still filtered to the done topics');
    await frame.locator('vscode-radio[value="all"]').click();
    await frame.locator('li.topic').nth(10).waitFor();
    assert.equal(await frame.locator('li.topic').count(), 49);
  });
});
