// DVC experiments from a real DVC repository: a small pipeline, real `dvc exp run`
// experiments, read through `dvc exp show --json` into the run model; and the ways it fails.
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { expShow, findDvcRepos, runDvc } from '../../src/experiments/core/dvc/client';
import { DvcSource } from '../../src/experiments/core/sources';
import { root, run, venvBin, venvPython } from './helpers/processes';

type SampleRunsLib = typeof import('../../scripts/lib/sample-runs.mjs', { with: { 'resolution-mode': 'import' } });

const TRAIN = `import json, sys, yaml
p = yaml.safe_load(open("params.yaml"))["train"]
if p["depth"] < 0:
    sys.exit("depth must be positive")
acc = 0.5 + 0.04 * p["depth"] - abs(p["lr"] - 0.1)
json.dump({"accuracy": acc, "pérdida": 1 - acc}, open("metrics.json", "w"))
`;

describe('DVC experiments from a real repository', function () {
  this.timeout(300_000);
  let repo = '';
  const dvc = () => ({ command: [venvBin('dvc')], cwd: repo });

  before(async function () {
    this.timeout(600_000);
    repo = mkdtempSync(path.join(os.tmpdir(), 'mlops-dvc-'));
    const sh = async (cmd: string, args: string[]) => {
      const r = await run(cmd, args, { cwd: repo, timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: ${r.out}`);
      return r.out;
    };
    await sh('git', ['init', '-q']);
    await sh('git', ['config', 'user.email', 'dvc@localhost']);
    await sh('git', ['config', 'user.name', 'dvc test']);
    await sh(venvBin('dvc'), ['init', '-q']);
    writeFileSync(path.join(repo, 'train.py'), TRAIN);
    writeFileSync(path.join(repo, 'params.yaml'), 'train:\n  lr: 0.1\n  depth: 3\n');
    await sh(venvBin('dvc'), ['stage', 'add', '-q', '-n', 'train', '-d', 'train.py', '-p', 'train.lr,train.depth', '-M', 'metrics.json', `${venvPython()} train.py`]);
    await sh(venvBin('dvc'), ['repro', '-q']);
    await sh('git', ['add', '-A']);
    await sh('git', ['commit', '-qm', 'baseline']);
    await sh(venvBin('dvc'), ['exp', 'run', '-q', '-S', 'train.depth=5', '-n', 'deeper']);
    await sh(venvBin('dvc'), ['exp', 'run', '-q', '-S', 'train.lr=0.3', '-n', 'fast-lr']);
  });

  it('reads the baseline and its experiments as runs with flattened params and metrics', async () => {
    const baselines = await expShow(dvc());
    const head = baselines.find((b) => b.rev !== 'workspace')!;
    assert.ok(head, JSON.stringify(baselines.map((b) => b.rev)));
    const names = head.runs.map((r) => r.name);
    assert.deepEqual(names.slice(1).sort(), ['deeper', 'fast-lr']);
    const deeper = head.runs.find((r) => r.name === 'deeper')!;
    assert.deepEqual(deeper.params, { 'train.lr': '0.1', 'train.depth': '5' });
    assert.ok(Math.abs(deeper.metrics.accuracy - 0.7) < 1e-9);
    assert.ok('pérdida' in deeper.metrics, 'non-ASCII metric names kept');
    assert.equal(deeper.parentId, head.rev);
    assert.equal(deeper.status, 'FINISHED');
    assert.match(deeper.gitCommit ?? '', /^[0-9a-f]{40}$/);
    assert.ok(Math.abs(head.runs[0].metrics.accuracy - 0.62) < 1e-9, 'the baseline commit itself');
  });

  it('as a source: MLflow filter and order applied locally; branch and apply through DVC', async () => {
    const source = new DvcSource(repo, { command: [venvBin('dvc')] });
    const head = (await source.experiments()).find((e) => e.id !== 'workspace')!;
    const best = await source.runs([head.id], { filter: 'metrics.accuracy > 0.65', orderBy: ['metrics.accuracy DESC'] });
    assert.deepEqual(best.map((r) => r.name), ['deeper']);
    // Params are strings, as on an MLflow server: compared quoted.
    assert.deepEqual((await source.runs([head.id], { filter: "params.train.lr = '0.3'" })).map((r) => r.name), ['fast-lr']);
    await source.exec(['exp', 'branch', 'deeper', 'deeper-branch']);
    assert.match((await run('git', ['branch', '--list', 'deeper-branch'], { cwd: repo })).out, /deeper-branch/);
    await source.exec(['exp', 'apply', 'fast-lr']);
    assert.match((await run('git', ['diff', 'params.yaml'], { cwd: repo })).out, /\+\s+lr: 0\.3/);
    assert.equal((await run('git', ['checkout', '--', 'params.yaml', 'metrics.json'], { cwd: repo })).code, 0);
  });

  it('a failing experiment shows DVC’s own stderr', async () => {
    await assert.rejects(runDvc(['exp', 'run', '-S', 'train.depth=-1', '-n', 'broken'], dvc()), (e: unknown) => e instanceof UserFacingError && /failed \(exit \d+\)/.test(e.message) && /depth must be positive|failed to reproduce/i.test(`${e.message} ${e.detail}`));
  });

  it('a missing metrics file leaves the run without metrics, not an error', async () => {
    // (the failed run above may already have removed it, and changed params.yaml)
    assert.equal((await run('git', ['checkout', '--', 'params.yaml'], { cwd: repo })).code, 0);
    rmSync(path.join(repo, 'metrics.json'), { force: true });
    const workspace = (await expShow(dvc())).find((b) => b.rev === 'workspace')!;
    assert.deepEqual(workspace.runs[0].metrics, {});
    assert.equal(workspace.runs[0].params['train.depth'], '3');
  });

  it('the sample workspace’s DVC project: made by really running its pipeline, found in a subfolder', async function () {
    this.timeout(600_000);
    const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-sample-dvc-')), 'sample-workspace');
    mkdirSync(workspace);
    cpSync(path.join(root, 'sample-workspace', 'experiments'), path.join(workspace, 'experiments'), { recursive: true });
    const samples = (await import('../../scripts/lib/sample-runs.mjs')) as SampleRunsLib;
    assert.ok(samples.ensureSampleDvc(workspace, venvPython()), 'ensureSampleDvc');
    assert.deepEqual(await findDvcRepos(workspace), [path.join(workspace, 'iris-dvc')]);
    const head = (await expShow({ command: [venvBin('dvc')], cwd: path.join(workspace, 'iris-dvc') })).find((b) => b.rev !== 'workspace')!;
    assert.equal(head.runs.length, 4, 'the baseline and three experiments');
    for (const r of head.runs) assert.ok(r.metrics.accuracy > 0.5 && r.params['train.alpha'] !== undefined, JSON.stringify(r));
    assert.deepEqual(head.runs.slice(1).map((r) => r.params['train.alpha']).sort(), ['0.0001', '0.01', '0.1']);
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  it('says when the folder is not a DVC repository, and when DVC is not installed', async () => {
    const plain = mkdtempSync(path.join(os.tmpdir(), 'mlops-nodvc-'));
    await assert.rejects(expShow({ command: [venvBin('dvc')], cwd: plain }), (e: unknown) => e instanceof UserFacingError && /is not a DVC repository: run "dvc init"/.test(e.message));
    await assert.rejects(expShow({ command: [path.join(plain, 'no-such-dvc')], cwd: repo }), (e: unknown) => e instanceof UserFacingError && /DVC is not installed/.test(e.message));
  });
});
