// A Spanish display language: the extension's own texts — its command titles, the deploy's
// progress, the error a client raises and the toast's buttons — are Spanish, with no English
// left in them. Its own window (code-server --locale es, with a test language pack that makes
// Spanish a display language without translating the workbench itself), on a sample
// workspace whose kubeconfig names a cluster that does not answer: the deploy builds, with
// its progress in Spanish, and then fails on the cluster.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { BASE_IMAGE, root, runCommand, screenshot, waitForWorkbench } from './harness';
type CodeServerLib = typeof import('../../scripts/lib/code-server.mjs', { with: { 'resolution-mode': 'import' } });
type PackageLib = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });

const es = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.es.json'), 'utf8')) as Record<string, string>;
const nlsEs = JSON.parse(readFileSync(path.join(root, 'package.nls.es.json'), 'utf8')) as Record<string, string>;
const PACK_ID = 'mlops-workbench.test-language-pack-es';

/** The test language pack as a VSIX (packaged from test/e2e/fixtures/language-pack-es). */
function packageLanguagePack(dir: string): string {
  const src = path.join(dir, 'language-pack-es');
  cpSync(path.join(root, 'test', 'e2e', 'fixtures', 'language-pack-es'), src, { recursive: true });
  writeFileSync(path.join(src, 'LICENSE'), readFileSync(path.join(root, 'LICENSE')));
  writeFileSync(path.join(src, 'README.md'), 'Spanish display language for the e2e tests.\n');
  const vsix = path.join(dir, 'language-pack-es.vsix');
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: src, stdio: 'ignore' });
  return vsix;
}

describe('a Spanish display language', function () {
  this.timeout(10 * 60_000);
  let browser: Browser | undefined;
  let stop: (() => Promise<void>) | undefined;
  let work: string | undefined;

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stop?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows a deploy failure in Spanish: its progress, the cluster’s error and the buttons', async () => {
    // The build runs on the real engine with the local base image.
    execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const lib = (await import('../../scripts/lib/code-server.mjs')) as CodeServerLib;
    const pkg = (await import('../../scripts/package.mjs')) as PackageLib;
    const vsix = process.env.MLOPS_VSIX || pkg.packageVsix({ quiet: true });
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-es-'));
    const workspace = path.join(work, 'sample-workspace');
    cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true, filter: (src) => !['mlruns', 'iris-dvc'].includes(path.basename(src)) });
    mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'mlops.docker.baseImage': BASE_IMAGE }, null, 2));
    // A cluster that does not answer: a loopback port nothing listens on.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const kubeconfig = path.join(work, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true }\nusers:\n- name: someone\n  user: { token: t }\ncontexts:\n- name: gone\n  context: { cluster: gone, user: someone }\ncurrent-context: gone\n`,
    );
    const server = await lib.startCodeServer({
      entry: lib.ensureCodeServer(),
      vsix,
      extraVsix: [packageLanguagePack(work)],
      folder: workspace,
      env: { KUBECONFIG: kubeconfig },
      args: ['--locale', 'es'],
      // What the editor's extension management writes when a language pack is installed from
      // the UI (a command-line install does not): the server reads it to offer the language.
      beforeStart: ({ extensionsDir, userDataDir }) => {
        const dir = readdirSync(extensionsDir).find((d) => d.startsWith(`${PACK_ID}-`))!;
        const translations = { vscode: path.join(extensionsDir, dir, 'translations', 'main.i18n.json') };
        writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ es: { hash: 'mlops-e2e-es-1', label: 'español', extensions: [{ extensionIdentifier: { id: PACK_ID }, version: '0.0.1' }], translations } }));
      },
    });
    stop = server.stop;
    browser = await chromium.launch({ executablePath: lib.chromiumPath, args: lib.chromiumArgs, headless: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The server builds its translation cache on the first connection; the window that
    // connects next is in Spanish. The Deploy status bar item says which one this is.
    const spanishDeploy = page.locator('.statusbar-item', { hasText: es['Deploy']! });
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.goto(server.url);
      await waitForWorkbench(page);
      if (await spanishDeploy.first().waitFor({ timeout: 20_000 }).then(() => true, () => false)) break;
    }
    await spanishDeploy.first().waitFor({ timeout: 5_000 });

    await runCommand(page, `MLOps: ${nlsEs['command.deploy.containerizeAndDeploy']}`);
    // The progress notification, in Spanish while it builds.
    await page.locator('.notification-toast', { hasText: es['Deploying {0}']!.replace('{0}', 'iris-api') }).first().waitFor({ timeout: 60_000 });
    const failed = es['Deploy failed: {0}']!.replace('{0}', '');
    const toast = page.locator('.notification-toast', { hasText: failed }).first();
    await toast.waitFor({ timeout: 5 * 60_000 });
    await screenshot(page, 'deploy-failure-spanish');
    const text = ((await toast.locator('.notification-list-item-message').first().textContent()) ?? '').trim();
    // «El despliegue falló: El clúster del contexto "gone" no responde en https://127.0.0.1:… (ECONNREFUSED) al intentar listar los nodos. …»
    const noAnswer = es['The cluster of context "{0}" does not answer at {1} ({2}) while trying to {3}. Is it running? Switch context from the status bar if this is not the cluster you meant.']!;
    assert.ok(text.startsWith(failed), text);
    assert.ok(text.includes(noAnswer.slice(0, noAnswer.indexOf('{0}')).trim()), text);
    assert.ok([es['list the nodes'], es['list namespaces'], es['read namespace "{0}"']!.split('"')[0]].some((w) => text.includes(w!)), text);
    for (const english of [/\bwhile trying\b/, /\bdoes not answer\b/, /\bDeploy failed\b/, /\bthe nodes\b/, /\bIs it running\b/, /\bstatus bar\b/]) assert.doesNotMatch(text, english);
    const buttons = (await toast.locator('.monaco-button').allTextContents()).map((b) => b.trim()).filter(Boolean);
    assert.deepEqual(buttons, [es['Show Deploy Output'], es['Show Log']]);
  });
});
