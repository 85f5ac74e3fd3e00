import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expandRow, isRowChecked, openMlopsContainer, rowCheckbox, runCommand, session, treeRow } from './harness';

const COURSE = `---
title: Mi curso propio
---
# Semana 1: Servir modelos (3 horas)
- [x] APIs con FastAPI
- [ ] Contenedores con Docker
esta línea no es un tema
`;

describe('a syllabus of the user’s own (mlops.syllabus.path)', () => {
  let settingsFile = '';
  let courseFile = '';

  before(() => {
    const { workspace } = session();
    settingsFile = path.join(workspace, '.vscode', 'settings.json');
    courseFile = path.join(workspace, 'mi-curso.md');
    writeFileSync(courseFile, COURSE);
  });

  after(async () => {
    // Leave the window as it was found: no editors, no panel, no extra files.
    const { page } = session();
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    await runCommand(page, 'View: Hide Panel').catch(() => undefined);
    rmSync(settingsFile, { force: true });
    rmSync(courseFile, { force: true });
  });

  it('loads the file named by the setting, with its problems in the Problems panel', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    mkdirSync(path.dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ 'mlops.syllabus.path': 'mi-curso.md' }));
    const week = treeRow(page, 'Semana 1: Servir modelos');
    await week.waitFor({ timeout: 30_000 });
    assert.match((await week.textContent()) ?? '', /1\/2 · 3 h/);

    await runCommand(page, 'MLOps: Show Syllabus Problems');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'not a heading, description or topic' }).first();
    await marker.waitFor({ timeout: 30_000 });
    assert.match((await marker.textContent()) ?? '', /7/, 'the problem names its line');
  });

  it('reloads when the file changes, and keeps progress across a rewording', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    await expandRow(treeRow(page, 'Semana 1: Servir modelos'));
    const docker = treeRow(page, 'Contenedores con Docker');
    await rowCheckbox(docker).click();
    await page.waitForFunction(() => document.querySelector('.monaco-list-row[aria-label^="Semana 1"]')?.textContent?.includes('2/2'), undefined, { timeout: 10_000 });

    appendFileSync(courseFile, '- [ ] Kubernetes local\n');
    await treeRow(page, 'Kubernetes local').waitFor({ timeout: 30_000 });

    writeFileSync(courseFile, readFileSync(courseFile, 'utf8').replace('Contenedores con Docker', 'Contenedores con Docker y Podman'));
    const reworded = treeRow(page, 'Contenedores con Docker y Podman');
    await reworded.waitFor({ timeout: 30_000 });
    assert.equal(await isRowChecked(reworded), true, 'progress followed the reworded topic');
  });

  it('goes back to the built-in syllabus when the setting is cleared', async () => {
    const { page } = session();
    writeFileSync(settingsFile, '{}');
    await treeRow(page, 'Módulo 1: Computación en la Nube').waitFor({ timeout: 30_000 });
  });
});
