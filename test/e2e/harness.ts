// Drives the packaged extension in a real VS Code (code-server) through headless
// Chromium, as a person would: clicks, keys, and what the screen shows.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync, copyFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
type CodeServerLib = typeof import('../../scripts/lib/code-server.mjs', { with: { 'resolution-mode': 'import' } });
type PackageLib = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });
type SampleRunsLib = typeof import('../../scripts/lib/sample-runs.mjs', { with: { 'resolution-mode': 'import' } });
type KubeClusterLib = typeof import('../../scripts/lib/kube-cluster.mjs', { with: { 'resolution-mode': 'import' } });

/** The test cluster's coordinates (test/env/kube-cluster.sh; `up` starts it first). */
export async function kubeCoordinates(command: 'env' | 'up' | 'down' = 'env'): Promise<Record<string, string>> {
  return ((await import('../../scripts/lib/kube-cluster.mjs')) as KubeClusterLib).kubeCluster(command);
}

export const root = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(root, 'test-results');
/** The image test/env/docker.sh builds (same default there). */
export const BASE_IMAGE = process.env.MLOPS_BASE_IMAGE ?? 'mlops-workbench/python-base:bookworm-1';

interface CodeServer {
  url: string;
  userDataDir: string;
  logsDir: string;
  stop(): Promise<void>;
}

export interface Session {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
  readonly workspace: string;
}

let current: Session | undefined;

export function session(): Session {
  if (!current) throw new Error('the e2e session was not started (see test/e2e/hooks.ts)');
  return current;
}

export async function startSession(): Promise<Session> {
  const lib = (await import('../../scripts/lib/code-server.mjs')) as CodeServerLib;
  const pkg = (await import('../../scripts/package.mjs')) as PackageLib;
  const vsix = process.env.MLOPS_VSIX || pkg.packageVsix({ quiet: true });
  const entry = lib.ensureCodeServer();
  const samples = (await import('../../scripts/lib/sample-runs.mjs')) as SampleRunsLib;
  const python = samples.toolsPython();
  // The sample's DVC repository (self-contained: its own git and DVC cache) is made once in
  // the repo's sample workspace, as npm start makes it, and copied with the rest.
  if (!samples.ensureSampleDvc(path.join(root, 'sample-workspace'), python)) throw new Error('the sample DVC experiments could not be made (see the warning above)');
  // A copy of the sample workspace, so a test run never changes the repo.
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-')), 'sample-workspace');
  cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true, filter: (src) => path.basename(src) !== 'mlruns' });
  // Real MLflow runs, trained and logged in the copy before the window opens.
  if (!samples.ensureSampleRuns(workspace, python)) throw new Error('the sample MLflow runs could not be logged (see the warning above)');
  // What a user of this machine sets: the local Python base image test/env/docker.sh
  // makes (no registry can be pulled from here). Written before the window opens.
  mkdirSync(path.join(workspace, '.vscode'));
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'mlops.docker.baseImage': BASE_IMAGE }, null, 2));
  // The test cluster's kubeconfig, as a user's shell exports KUBECONFIG (the cluster itself
  // is brought up by the tests that deploy), and where its containerd and registry listen.
  const kube = await kubeCoordinates();
  // The Python with MLflow and DVC, as a user points the extension at theirs.
  const server = await lib.startCodeServer({
    entry,
    vsix,
    folder: workspace,
    env: { KUBECONFIG: kube.KUBECONFIG! },
    settings: { 'mlops.python.path': python, 'mlops.kubernetes.containerdAddress': kube.CONTAINERD_ADDRESS!, 'mlops.kubernetes.registry': kube.REGISTRY! },
  });
  const browser = await chromium.launch({ executablePath: lib.chromiumPath, args: lib.chromiumArgs, headless: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  current = { server, browser, page, workspace };
  await page.goto(server.url);
  await waitForWorkbench(page);
  return current;
}

export async function stopSession(): Promise<void> {
  const s = current;
  current = undefined;
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await s.server.stop();
}

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The activity bar is drawn once the extension host has reported its contributions.
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
}

/** Reloads as a person does, with "Developer: Reload Window", so the workbench saves its state first. */
export async function reloadWindow(page: Page): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await loaded;
  await waitForWorkbench(page);
}

const SYLLABUS_PANE = '.sidebar .pane:has(> .pane-header[aria-label^="Syllabus"])';

/** Opens the MLOps container from the activity bar (no-op when it is already open). */
export async function openMlopsContainer(page: Page, { waitForRows = true } = {}): Promise<void> {
  const rows = page.locator(`${SYLLABUS_PANE} .monaco-list-row`).first();
  const sidebarTitle = page.locator('.part.sidebar .composite.title');
  const item = page.locator('.activitybar .action-item:has(> a[aria-label^="MLOps"])').first();
  await item.waitFor({ timeout: 60_000 });
  // Clicking the container that is already showing would close the side bar, so
  // click only when the side bar is hidden or shows another container.
  const showing = async (): Promise<boolean> =>
    (await sidebarTitle.isVisible()) && /mlops/i.test((await sidebarTitle.textContent()) ?? '');
  await page.waitForTimeout(500); // let a restored layout settle
  // The item toggles: under load the side bar may still be closing or opening when it is
  // looked at, so click until it shows the container (and settles) rather than once.
  for (let i = 0; i < 4 && !(await showing()); i++) {
    await item.click();
    await page.waitForTimeout(700);
  }
  // With one view the pane header is hidden; its rows are what a person sees.
  if (waitForRows) await rows.waitFor({ timeout: 30_000 });
}

/**
 * Collapses every pane of the MLOps container except `keep`, so its tree has the height
 * to show the rows a test looks for (a tree draws only the rows in view).
 */
export async function collapseOtherPanes(page: Page, keep: string): Promise<void> {
  const headers = page.locator('.sidebar .pane-header[aria-expanded="true"]');
  for (let i = (await headers.count()) - 1; i >= 0; i--) {
    const h = headers.nth(i);
    const label = (await h.getAttribute('aria-label')) ?? '';
    if (!label.startsWith(keep)) await h.click();
  }
}

/** Which panes of the side bar are open, by title, to put back later with restorePanes. */
export async function paneStates(page: Page): Promise<Map<string, boolean>> {
  const headers = page.locator('.sidebar .pane-header');
  const out = new Map<string, boolean>();
  for (let i = 0; i < (await headers.count()); i++) {
    const h = headers.nth(i);
    out.set(((await h.getAttribute('aria-label')) ?? '').split(' ')[0]!, (await h.getAttribute('aria-expanded')) === 'true');
  }
  return out;
}

/** Opens and closes the side bar's panes as they were (what collapseOtherPanes changed), for the tests that follow. */
export async function restorePanes(page: Page, states: Map<string, boolean>): Promise<void> {
  const headers = page.locator('.sidebar .pane-header');
  for (let i = 0; i < (await headers.count()); i++) {
    const h = headers.nth(i);
    const want = states.get(((await h.getAttribute('aria-label')) ?? '').split(' ')[0]!);
    if (want !== undefined && want !== ((await h.getAttribute('aria-expanded')) === 'true')) await h.click();
  }
}

/** The row of a tree in the side bar whose label starts with `label`. */
export function treeRow(page: Page, label: string): Locator {
  return page.locator(`.sidebar .monaco-list-row[aria-label^="${label.replace(/"/g, '\\"')}"]`).first();
}

export async function expandRow(row: Locator): Promise<void> {
  await row.waitFor();
  // The list re-creates its rows as it renders, so poll through the locator, not an element handle.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const state = await row.getAttribute('aria-expanded');
    if (state === 'true') return;
    if (state === 'false') await row.locator('.monaco-tl-twistie').click();
    await row.page().waitForTimeout(300);
  }
  throw new Error(`row did not expand: ${await row.getAttribute('aria-label')}`);
}

export function rowCheckbox(row: Locator): Locator {
  return row.locator('.custom-view-tree-node-item-checkbox');
}

export async function isRowChecked(row: Locator): Promise<boolean> {
  const box = rowCheckbox(row);
  const aria = await box.getAttribute('aria-checked');
  if (aria !== null) return aria === 'true';
  return (await box.getAttribute('class'))?.includes('checked') ?? false;
}

/** Runs a command from the command palette by its full title ("MLOps: …"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input[role="combobox"]');
  await input.waitFor();
  await input.fill(`>${title}`);
  const item = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  await item.waitFor({ timeout: 15_000 });
  await input.press('Enter');
}

/** Waits until the quick input shows the step whose title contains `title`: the widget is reused between steps. */
async function waitForStep(page: Page, title: string | undefined): Promise<void> {
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
}

/** Answers the quick pick titled `step`: types `text` to filter, then takes the first match. */
export async function answerQuickPick(page: Page, text: string, step?: string): Promise<void> {
  await waitForStep(page, step);
  const input = page.locator('.quick-input-widget input.input[role="combobox"]');
  await input.waitFor();
  await input.fill(text);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 15_000 });
  await input.press('Enter');
}

/** Answers the input box titled `step`: keeps its value (or types `text`), then Enter. */
export async function answerInputBox(page: Page, step: string, text?: string): Promise<void> {
  await waitForStep(page, step);
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  if (text !== undefined) await input.fill(text);
  await input.press('Enter');
}

/** Waits for a toast saying `ok`; fails at once, with its text, when one saying `fail` shows instead. */
export async function waitForToast(page: Page, ok: string | RegExp, fail: RegExp, timeout: number): Promise<Locator> {
  const good = page.locator('.notification-toast', { hasText: ok }).first();
  const bad = page.locator('.notification-toast', { hasText: fail }).first();
  const which = await Promise.race([good.waitFor({ timeout }).then(() => 'ok' as const), bad.waitFor({ timeout }).then(() => 'fail' as const)]);
  if (which === 'fail') throw new Error(`instead: ${await bad.textContent()}`);
  return good;
}

/** Clicks a button in a notification toast whose message contains `message`. */
export async function clickNotificationButton(page: Page, message: string, button: string): Promise<void> {
  const toast = page.locator('.notification-toast', { hasText: message }).first();
  await toast.waitFor({ timeout: 30_000 });
  await toast.locator('.monaco-button', { hasText: button }).first().click();
}

/** The content frame of the webview panel with the given title. */
export async function webviewFrame(page: Page, title: string): Promise<FrameLocator> {
  await page.locator(`.tabs-container .tab[aria-label^="${title}"]`).first().waitFor({ timeout: 30_000 });
  // A webview is an iframe (the host) holding another (the content); only the visible one is ready.
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/**
 * A screenshot for people: always under test-results/, and into media/screenshots/
 * (the README's pictures) when MLOPS_UPDATE_DOCS=1.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.MLOPS_UPDATE_DOCS === '1') {
    mkdirSync(path.join(root, 'media', 'screenshots'), { recursive: true });
    copyFileSync(file, path.join(root, 'media', 'screenshots', `${name}.png`));
  }
}

/** Saves a screenshot and the extension's logs under test-results/ (for failures and the README). */
export async function saveArtifacts(name: string): Promise<void> {
  const s = current;
  if (!s) return;
  mkdirSync(resultsDir, { recursive: true });
  const safe = name.replace(/[^a-zA-Z0-9-]+/g, '-').slice(0, 80);
  await s.page.screenshot({ path: path.join(resultsDir, `${safe}.png`) }).catch(() => undefined);
  const logs = findFiles(s.server.logsDir, (p) => p.includes('mlops-workbench') || p.endsWith('exthost.log') || p.endsWith('remoteexthost.log'));
  for (const f of logs) copyFileSync(f, path.join(resultsDir, `${safe}--${path.basename(path.dirname(f))}--${path.basename(f)}`));
}

export function findFiles(dir: string, keep: (p: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
