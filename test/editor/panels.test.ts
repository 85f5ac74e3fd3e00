// The webview host every panel uses (src/vscode/webviewHost.ts), on real panels whose real
// pages load: an older, slower answer never replaces the answer to a newer request; what
// a page (or a hostile page) sends outside the contract, or about files the panel never
// offered, is refused. The stores are the workspace's real ones; the only thing changed
// is how fast a source answers (a slow server is the fault).
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { RunsTable, showCompare, showDetails } from '../../src/experiments/panels';
import type { ExperimentSource } from '../../src/experiments/core/sources';
import type { Experiment, Run } from '../../src/experiments/core/model';
import { EXTENSION_ID } from '../../src/vscode/ids';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Commands } from '../../src/vscode/ids';
import { answer, capturePanels, eventually, extension, sleep, workspaceFolder } from './helpers';

const SLOW = 'tags.slow = "1"';
const FAST = 'tags.fast = "1"';

/** The store's experiment with the most runs that have two metrics or more (the sweep), and those runs. */
async function sweep(source: ExperimentSource): Promise<{ exp: Experiment; runs: Run[] }> {
  let best: { exp: Experiment; runs: Run[] } | undefined;
  for (const exp of await source.experiments()) {
    const runs = (await source.runs([exp.id])).filter((r) => Object.keys(r.metrics).length >= 2);
    if (!best || runs.length > best.runs.length) best = { exp, runs };
  }
  assert.ok(best && best.runs.length >= 2, 'an experiment with two runs or more');
  return best;
}

async function fileStore(): Promise<ExperimentSource> {
  const { experiments } = await extension();
  const source = (await experiments.allSources()).find((s) => s.kind === 'mlflow-files');
  assert.ok(source, 'the workspace’s mlruns/ store');
  return source;
}

/** The same source, answering one query slowly (a loaded server) and another with one run. */
function slowly(source: ExperimentSource, slowMs: number): ExperimentSource & { calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.create(source) as ExperimentSource & { calls: string[] };
  wrapped.calls = calls;
  wrapped.runs = async (ids, q = {}) => {
    calls.push(q.filter ?? '');
    const all = await source.runs(ids, {});
    if (q.filter === SLOW) {
      await sleep(slowMs);
      return all;
    }
    return q.filter === FAST ? all.slice(0, 1) : all;
  };
  return wrapped;
}

const extensionUri = (): vscode.Uri => vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
const close = (panels: Array<{ panel: vscode.WebviewPanel }>): void => panels.forEach((p) => p.panel.dispose());

describe('webview panels (editor)', function () {
  this.timeout(60_000);

  it('runs table: a slow answer to an older filter is never drawn over the newer one’s', async () => {
    const { experiments } = await extension();
    const real = await fileStore();
    const { exp } = await sweep(real);
    const source = slowly(real, 1500);
    const [table] = await capturePanels(() => RunsTable.show(extensionUri(), experiments, source, [exp], () => undefined));
    try {
      // The page says ready and gets its first list.
      await eventually(() => table!.posted.some((m) => m.type === 'state'), 'the first state');
      const before = table!.posted.length;
      const slow = table!.send({ type: 'filter', filter: SLOW, seq: 101 });
      await sleep(100);
      await table!.send({ type: 'filter', filter: FAST, seq: 102 });
      await slow;
      await sleep(200);
      const states = table!.posted.slice(before).filter((m) => m.type === 'state') as unknown as Array<{ seq?: number; state: { runs: string; filter: string } }>;
      assert.deepEqual(
        states.map((s) => s.seq),
        [102],
        'only the newer filter’s answer is posted, with its request number',
      );
      assert.equal((JSON.parse(states[0]!.state.runs) as { n: number }).n, 1, 'the list the newer filter asked for');
      assert.deepEqual(source.calls.slice(-2), [SLOW, FAST]);
    } finally {
      close([table!]);
    }
  });

  it('compare: picking a second metric before the first one’s history came shows only the second', async () => {
    const { experiments, logger } = await extension();
    const real = await fileStore();
    const runs = (await sweep(real)).runs.slice(0, 3);
    const [first, second] = Object.keys(runs[0]!.metrics);
    const source = Object.create(real) as ExperimentSource;
    source.metricHistory = async (run: Run, key: string) => {
      if (key === first) await sleep(1500);
      return real.metricHistory(run, key);
    };
    const hooks = { compare: () => undefined, scaffold: () => undefined, storage: vscode.Uri.file('/tmp'), log: logger.for('test') };
    const [view] = await capturePanels(() => showCompare(extensionUri(), experiments, runs.map((run) => ({ source, run })), hooks));
    try {
      await eventually(() => view!.posted.some((m) => m.type === 'state'), 'the compare state');
      await eventually(() => view!.posted.some((m) => m.type === 'history'), 'the page’s own first history');
      const before = view!.posted.length;
      const slow = view!.send({ type: 'history', metric: first, seq: 201 });
      await sleep(100);
      await view!.send({ type: 'history', metric: second, seq: 202 });
      await slow;
      const answers = view!.posted.slice(before).filter((m) => m.type === 'history');
      assert.deepEqual(
        answers.map((m) => [m.metric, m.seq]),
        [[second, 202]],
      );
    } finally {
      close([view!]);
    }
  });

  it('run details: an artifact the source did not list is not opened, and a message outside the contract is ignored', async () => {
    const { experiments, logger } = await extension();
    const source = await fileStore();
    const [run] = (await sweep(source)).runs;
    const downloads: string[] = [];
    const watched = Object.create(source) as ExperimentSource;
    watched.downloadArtifact = async (...args) => {
      downloads.push(args[1]);
      return source.downloadArtifact(...args);
    };
    const hooks = { compare: () => undefined, scaffold: () => undefined, storage: vscode.Uri.file('/tmp/mlops-editor-storage'), log: logger.for('test') };
    const [details] = await capturePanels(() => showDetails(extensionUri(), experiments, { source: watched, run: run! }, hooks));
    try {
      await eventually(() => details!.posted.some((m) => m.type === 'state'), 'the run details');
      const hostile = [
        { type: 'openArtifact', path: '../../../../../.bashrc' },
        { type: 'openArtifact', path: 'meta.yaml' },
        { type: 'openArtifact', path: 42 },
        { type: 'copy', text: 'rm -rf ~' },
        { type: 'listArtifacts', dir: 'x', seq: -1 },
        { type: 'nonsense' },
      ];
      for (const m of hostile) {
        await details!.send(m);
      }
      assert.deepEqual(downloads, [], 'nothing was downloaded');
      assert.notEqual(await vscode.env.clipboard.readText(), 'rm -rf ~');
    } finally {
      close([details!]);
    }
  });

  it('New Model API on a pickle asks before loading it (loading runs its code), and reads no file the form did not offer', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-pickle-')), 'ran');
    // A pickle whose loading runs a shell command: protocol 0, written by hand.
    const pkl = path.join(workspaceFolder().fsPath, 'untrusted-model.pkl');
    writeFileSync(pkl, `cos\nsystem\n(S'touch ${marker}'\ntR.`);
    const a = answer({ showWarningMessage: [undefined, (_m: string, _o: unknown, load: string) => load] });
    let panels: Awaited<ReturnType<typeof capturePanels>> = [];
    try {
      panels = await capturePanels(() => vscode.commands.executeCommand(Commands.scaffoldModelApi, vscode.Uri.file(pkl)));
      const [form] = panels;
      assert.ok(form, 'the wizard opened');
      // The page asks for the model's inputs at once; the user is asked first and declines.
      const declined = await eventually(() => form.posted.find((m) => m.type === 'features'), 'the answer to the page’s inspect', 30_000);
      assert.match(String(declined?.warning), /was not loaded/);
      assert.match(a.asked.find((q) => q.method === 'showWarningMessage')?.text ?? '', /Read the inputs of untrusted-model\.pkl\?/);
      assert.equal(existsSync(marker), false, 'nothing ran');
      // Files the form did not offer are not read at all.
      const before = form.posted.length;
      for (const m of [{ type: 'inspect', path: '/etc/passwd' }, { type: 'csv', path: '/etc/shadow' }, { type: 'check', draft: { parent: '/', projectName: 'x' } }]) {
        await form.send(m);
      }
      assert.deepEqual(form.posted.slice(before), []);
      // Agreeing loads it, and only then does its code run.
      await form.send({ type: 'inspect', path: pkl, seq: 9 });
      await eventually(() => existsSync(marker), 'the pickle ran once the user agreed', 30_000);
    } finally {
      a.restore();
      close(panels);
      rmSync(pkl, { force: true });
    }
  });
});
