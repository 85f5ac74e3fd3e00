// The model inspector against a real Python and real model files, and the git
// client against real git.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { gitState, initAndCommit, isInsideRepository } from '../../src/git/core/client';
import { inspectModel } from '../../src/scaffold/core/inspect';
import { run, venvPython } from './helpers/processes';

describe('model inspection (real Python) and git (real git)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-inspect-'));

  it('reads feature names and count from a model trained on a DataFrame', async () => {
    const file = path.join(dir, 'named.joblib');
    const r = await run(
      venvPython(),
      ['-c', `import joblib, pandas as pd; from sklearn.tree import DecisionTreeClassifier as T; joblib.dump(T().fit(pd.DataFrame({"age": [1, 2], "área m²": [3, 4]}), [0, 1]), ${JSON.stringify(file)})`],
      { cwd: dir },
    );
    assert.equal(r.code, 0, r.out);
    const info = await inspectModel(venvPython(), file);
    assert.deepEqual(info.featureNames, ['age', 'área m²']);
    assert.equal(info.featureCount, 2);
    assert.equal(info.kind, 'classifier');
    assert.match(info.sklearnVersion ?? '', /^\d+\.\d+/);
  });

  it('gives the count alone for a model trained on an array', async () => {
    const file = path.join(dir, 'plain.joblib');
    const r = await run(venvPython(), ['-c', `import joblib, numpy as np; from sklearn.linear_model import Ridge; joblib.dump(Ridge().fit(np.zeros((3, 5)), [0, 1, 2]), ${JSON.stringify(file)})`], { cwd: dir });
    assert.equal(r.code, 0, r.out);
    const info = await inspectModel(venvPython(), file);
    assert.equal(info.featureNames, undefined);
    assert.equal(info.featureCount, 5);
    assert.equal(info.kind, 'regressor');
  });

  it('says clearly when the file is not a model, or Python is missing', async () => {
    const junk = path.join(dir, 'junk.pkl');
    writeFileSync(junk, 'not a pickle');
    await assert.rejects(inspectModel(venvPython(), junk), (e: unknown) => e instanceof UserFacingError && /could not be read/.test(e.message));
    await assert.rejects(inspectModel(path.join(dir, 'no-python'), junk), (e: unknown) => e instanceof UserFacingError && /mlops\.python\.path/.test(e.message));
  });

  it('initialises a repository and commits exactly the given files', async () => {
    const repo = path.join(dir, 'project');
    execFileSync('mkdir', ['-p', repo]);
    writeFileSync(path.join(repo, 'a.py'), 'print(1)\n');
    writeFileSync(path.join(repo, 'notes.txt'), 'not generated\n');
    assert.equal(await isInsideRepository(repo), false);
    const sha = await initAndCommit(repo, ['a.py'], 'Scaffold');
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.equal(await isInsideRepository(repo), true);
    const tracked = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).trim();
    assert.equal(tracked, 'a.py');
  });

  it('reads the state that image tags are made from: HEAD, dirty or not, origin', async () => {
    const repo = path.join(dir, 'project');
    // notes.txt is untracked: the tree is dirty.
    let state = await gitState(repo);
    assert.equal(state?.dirty, true);
    assert.equal(state?.sha, execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim());
    execFileSync('rm', [path.join(repo, 'notes.txt')]);
    execFileSync('git', ['remote', 'add', 'origin', 'ssh://example.invalid/iris.git'], { cwd: repo });
    state = await gitState(repo);
    assert.deepEqual({ dirty: state?.dirty, remote: state?.remote }, { dirty: false, remote: 'ssh://example.invalid/iris.git' });
    assert.equal(await gitState(mkdtempSync(path.join(os.tmpdir(), 'not-a-repo-'))), undefined);
  });
});
