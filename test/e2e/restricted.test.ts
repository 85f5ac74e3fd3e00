// A repository the user has not trusted, opened in its own window with workspace trust on
// (restricted mode, as VS Code opens an unknown folder): its .vscode/settings.json points
// the Docker engine at a listener of its own, the Python at a script that leaves a mark,
// and MLflow at a server of its own. Reading works (the syllabus and the views show); the
// commands that run workspace code are not offered; none of those settings is used.
import { strict as assert } from 'node:assert';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { openMlopsContainer, root, screenshot, waitForWorkbench } from './harness';
type CodeServerLib = typeof import('../../scripts/lib/code-server.mjs', { with: { 'resolution-mode': 'import' } });
type PackageLib = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });

/** A TCP listener that counts who connects (the hostile engine and server). */
async function listener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, connections: () => n };
}

describe('a workspace the user has not trusted (restricted mode)', function () {
  this.timeout(5 * 60_000);
  let browser: Browser | undefined;
  let stop: (() => Promise<void>) | undefined;
  let work: string | undefined;
  const listeners: Server[] = [];

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stop?.();
    for (const l of listeners) l.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reads, offers none of the commands that run its code, and ignores its settings that pick an engine, a Python or a server', async () => {
    const lib = (await import('../../scripts/lib/code-server.mjs')) as CodeServerLib;
    const pkg = (await import('../../scripts/package.mjs')) as PackageLib;
    const vsix = process.env.MLOPS_VSIX || pkg.packageVsix({ quiet: true });
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-restricted-'));
    const workspace = path.join(work, 'cloned-repo');
    cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true, filter: (src) => !['mlruns', 'iris-dvc'].includes(path.basename(src)) });
    const engine = await listener();
    const mlflow = await listener();
    listeners.push(engine.server, mlflow.server);
    const mark = path.join(work, 'python-ran');
    const python = path.join(workspace, 'tools', 'python');
    mkdirSync(path.dirname(python), { recursive: true });
    writeFileSync(python, `#!/bin/sh\ntouch ${mark}\n`);
    chmodSync(python, 0o755);
    mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    writeFileSync(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'mlops.docker.host': `tcp://127.0.0.1:${engine.port}`, 'mlops.python.path': python, 'mlops.mlflow.trackingUri': `http://127.0.0.1:${mlflow.port}` }, null, 2),
    );
    const server = await lib.startCodeServer({ entry: lib.ensureCodeServer(), vsix, folder: workspace, trust: true, env: { MLFLOW_TRACKING_TOKEN: 'secret-token' } });
    stop = server.stop;
    browser = await chromium.launch({ executablePath: lib.chromiumPath, args: lib.chromiumArgs, headless: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await waitForWorkbench(page);
    // Reading works: the syllabus and the other views fill in.
    await openMlopsContainer(page);
    await page.locator('.sidebar .pane-header[aria-label^="Experiments"]').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(5_000); // the views' first loads (the Docker view connects at once)
    await screenshot(page, 'restricted-mode');

    // The palette offers reading commands, not those that run the workspace's code.
    const palette = async (title: string): Promise<string[]> => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input[role="combobox"]');
      await input.fill(`>MLOps: ${title}`);
      await page.waitForTimeout(1_000);
      const labels = await page.locator('.quick-input-widget .monaco-list-row .label-name').allTextContents();
      await input.press('Escape');
      return labels;
    };
    assert.ok((await palette('Show Log')).some((l) => l.includes('Show Log')), 'a reading command is offered');
    for (const runsCode of ['Build Image', 'Containerize and Deploy', 'Run DVC Experiment', 'Start Local MLflow Server', 'Run Model API Tests']) {
      const offered = await palette(runsCode);
      assert.ok(!offered.some((o) => o.includes(runsCode)), `${runsCode} is offered: ${offered.join(' | ')}`);
    }

    assert.equal(engine.connections(), 0, 'the workspace’s Docker host got a connection');
    assert.equal(mlflow.connections(), 0, 'the workspace’s MLflow server got a connection');
    assert.equal(existsSync(mark), false, 'the workspace’s Python ran');
  });
});
