// A DVC repository as users have it: its own .venv holds the packages its pipeline imports
// (here `shoplib`, which no other Python on the machine has), DVC itself comes from
// elsewhere, and the stage says plain `python train.py`. The experiment runs in the
// project's environment and appears with its metrics; run in the wrong one, the error names
// the module and the environment; a failed run's rewritten params.yaml is put back.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { choosePython, toolFor } from '../../src/common/python';
import { UserFacingError } from '../../src/common/errors';
import { changedParams, restoreParams, snapshotParams } from '../../src/experiments/core/dvc/params';
import { DvcSource } from '../../src/experiments/core/sources';
import { run, venvBin } from './helpers/processes';
import { writeDvcProjectWithVenv } from '../helpers/userProjects';

describe('DVC experiments in the project’s own virtual environment', function () {
  this.timeout(300_000);
  let repo = '';
  const sh = async (cmd: string, args: string[]): Promise<string> => {
    const r = await run(cmd, args, { cwd: repo, timeoutMs: 180_000 });
    assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: ${r.out}`);
    return r.out;
  };

  before(async function () {
    this.timeout(600_000);
    repo = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-dvc-venv-')), 'shop-dvc');
    writeDvcProjectWithVenv(repo, [venvBin('dvc')]);
  });
  after(() => rmSync(path.dirname(repo), { recursive: true, force: true }));

  it('finds the project’s .venv, and runs DVC from elsewhere with that environment activated', async () => {
    const env = choosePython({ dir: repo, workspaceRoot: repo, setting: '' });
    assert.equal(env.source, 'project-venv');
    assert.equal(env.python, path.join(repo, '.venv', 'bin', 'python'));
    const dvc = toolFor('dvc', env, [venvBin('dvc')]);
    assert.deepEqual(dvc, { command: [venvBin('dvc')], activate: env.python });
    const source = new DvcSource(repo, { ...dvc, envLabel: env.label });
    await source.exec(['exp', 'run', '-S', 'train.alpha=3', '-n', 'alpha-3']);
    const head = (await source.experiments()).find((e) => e.id !== 'workspace')!;
    const runs = await source.runs([head.id]);
    const exp = runs.find((r) => r.name === 'alpha-3');
    assert.ok(exp, runs.map((r) => r.name).join(', '));
    assert.equal(exp.metrics.rmse, 0.25);
    assert.equal(exp.params['train.alpha'], '3');
  });

  it('run in an environment without the pipeline’s packages, the error names the module and the environment', async () => {
    const source = new DvcSource(repo, { command: [venvBin('dvc')], envLabel: 'python3 (from the PATH)' });
    await assert.rejects(source.exec(['exp', 'run', '-S', 'train.alpha=2']), (e: unknown) => e instanceof UserFacingError && /needs the module shoplib, which python3 \(from the PATH\) does not have/.test(e.message));
    await sh('git', ['checkout', '--', 'params.yaml']);
  });

  it('a failed experiment’s rewritten params.yaml is noticed and put back as it was, comments and all', async () => {
    const env = choosePython({ dir: repo, workspaceRoot: repo });
    const source = new DvcSource(repo, { ...toolFor('dvc', env, [venvBin('dvc')]), envLabel: env.label });
    const args = ['exp', 'run', '-S', 'train.alpha=-1'];
    const before = await snapshotParams(repo, args);
    await assert.rejects(source.exec(args), /alpha must be positive|failed/);
    const changed = await changedParams(repo, before);
    assert.deepEqual(changed, ['params.yaml'], 'DVC left params.yaml rewritten');
    assert.match(readFileSync(path.join(repo, 'params.yaml'), 'utf8'), /alpha: -1/);
    await restoreParams(repo, before, changed);
    assert.equal(readFileSync(path.join(repo, 'params.yaml'), 'utf8'), '# the learning rate\ntrain:\n  alpha:   1.0   # tuned by hand\n');
    assert.equal((await run('git', ['status', '--porcelain', 'params.yaml'], { cwd: repo })).out.trim(), '');
  });
});
