import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BASE_IMAGE, clickNotificationButton, expandRow, openMlopsContainer, root, screenshot, session, waitForToast } from './harness';

const pane = (page: Page, title: string) => page.locator(`.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

describe('Docker in a real VS Code, against a real engine', function () {
  this.timeout(15 * 60_000);
  let apiDir = '';
  let blocker: Server | undefined;

  before(async function () {
    this.timeout(20 * 60_000);
    // A real engine and a local Python base image (no registry can be pulled from here).
    const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    assert.equal(baseImage, BASE_IMAGE, 'the harness set mlops.docker.baseImage to the image test/env/docker.sh makes');
    const { workspace } = session();
    apiDir = path.join(workspace, 'iris-api');
    // The project is its own git repository, so its image gets a git-<sha> tag too.
    execFileSync('git', ['init', '-q'], { cwd: apiDir });
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', 'add', '.'], { cwd: apiDir });
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', 'commit', '-q', '-m', 'sample'], { cwd: apiDir });
    // Something else already listens on the API's port: the extension must offer another.
    blocker = createServer();
    await new Promise<void>((resolve, reject) => blocker!.once('error', reject).listen(8000, '127.0.0.1', resolve));
  });

  after(() => {
    blocker?.close();
    // Whatever the test made: containers run from the sample project, and its images.
    const ids = docker('ps', '-aq', '--filter', `label=mlops.workbench/project-dir=${apiDir}`).split('\n').filter(Boolean);
    if (ids.length) docker('rm', '-f', ...ids);
    const images = docker('images', '--filter', 'reference=iris-api', '--format', '{{.Repository}}:{{.Tag}}').split('\n').filter(Boolean);
    if (images.length) docker('rmi', '-f', ...images);
  });

  it('builds the sample API from the Model APIs tree, shows both tags, runs it on a free port and the smoke test passes', async () => {
    const { page } = session();
    const sha = execFileSync('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: apiDir, encoding: 'utf8' }).trim();
    await openMlopsContainer(page);

    // Build from the Model APIs tree's inline action.
    const apiRow = pane(page, 'Model APIs').locator('.monaco-list-row', { hasText: 'iris-api' }).first();
    await apiRow.waitFor({ timeout: 30_000 });
    await apiRow.hover();
    await apiRow.locator('.action-label[aria-label="Build Image"]').click();
    // Progress with step n/m while it builds.
    await page.locator('.notification-toast', { hasText: /Building iris-api:0\.1\.0/ }).first().waitFor({ timeout: 30_000 });
    const built = await waitForToast(page, `Built iris-api:0.1.0, iris-api:git-${sha}`, /build failed|cannot be pulled|Docker engine|does not parse/, 10 * 60_000);

    // The Images & Containers tree shows the image with both tags.
    const images = pane(page, 'Images & Containers');
    const imageRow = images.locator('.monaco-list-row', { hasText: 'iris-api' }).first();
    await imageRow.waitFor({ timeout: 30_000 });
    assert.match((await imageRow.textContent()) ?? '', new RegExp(`0\\.1\\.0, git-${sha}`));
    await screenshot(page, 'docker-image-built');

    // Run it: port 8000 is taken, so the extension offers the next free one.
    await built.locator('.monaco-button', { hasText: /^Run$/ }).click();
    const offer = page.locator('.notification-toast', { hasText: 'Port 8000 on 127.0.0.1 is already in use.' }).first();
    await offer.waitFor({ timeout: 30_000 });
    const useButton = offer.locator('.monaco-button', { hasText: /^Use \d+$/ }).first();
    const port = Number(((await useButton.textContent()) ?? '').replace(/\D/g, ''));
    assert.ok(port > 8000, `offered ${port}`);
    await useButton.click();

    // The smoke test (ready, then /predict with the saved sample payload) passes.
    await waitForToast(page, `answers on http://127.0.0.1:${port}, /predict 200`, /Smoke test failed/, 3 * 60_000);
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(r.status, 200);

    // The running container is listed under its image, with its published port.
    await expandRow(imageRow);
    const containerRow = images.locator('.monaco-list-row', { hasText: `iris-api-${port}` }).first();
    await containerRow.waitFor({ timeout: 30_000 });
    assert.match((await containerRow.textContent()) ?? '', new RegExp(`Up .*127\\.0\\.0\\.1:${port}→8000`));
    await screenshot(page, 'docker-smoke-test-passed');

    // Stop it from the tree; the row says so, from the engine's events alone.
    await containerRow.hover();
    await containerRow.locator('.action-label[aria-label="Stop Container"]').click();
    await images.locator('.monaco-list-row', { hasText: `iris-api-${port}` }).filter({ hasText: 'Exited' }).first().waitFor({ timeout: 60_000 });
  });

  it('says clearly when the base image is missing, and offers the setting', async () => {
    const { page, workspace } = session();
    writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'mlops.docker.baseImage': 'mlops-e2e/no-such-python:0' }, null, 2));
    await page.waitForTimeout(1000); // the settings file is watched
    const apiRow = pane(page, 'Model APIs').locator('.monaco-list-row', { hasText: 'iris-api' }).first();
    await apiRow.hover();
    await apiRow.locator('.action-label[aria-label="Build Image"]').click();
    const error = page.locator('.notification-toast', { hasText: '"mlops-e2e/no-such-python:0" is not on this engine and cannot be pulled' }).first();
    await error.waitFor({ timeout: 2 * 60_000 });
    assert.match((await error.textContent()) ?? '', /mlops\.docker\.baseImage/);
    await clickNotificationButton(page, 'is not on this engine', 'Open Settings');
    await page.locator('.settings-editor').first().waitFor({ timeout: 30_000 });
    writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'mlops.docker.baseImage': BASE_IMAGE }, null, 2));
  });
});
