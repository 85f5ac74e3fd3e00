// Models as users bring them: pickled by an older scikit-learn (1.5, in its own venv), a
// pipeline with a class of the training script, an estimator trained on an array (no feature
// names). Read with today's scikit-learn: the release it was saved with is told and pinned
// in the generated requirements; the custom class and the old release are said in words.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { inspectModel } from '../../src/scaffold/core/inspect';
import { PINNED_VERSIONS } from '../../src/scaffold/core/model';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { root, venvPython } from './helpers/processes';

describe('models saved by users’ own scikit-learn releases', function () {
  this.timeout(300_000);
  let dir = '';
  let oldPython = '';
  before(function () {
    this.timeout(600_000);
    oldPython = execFileSync('bash', [path.join(root, 'test', 'env', 'python-sklearn-release.sh'), '1.5.2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-older-models-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const save = (python: string, code: string): void => void execFileSync(python, ['-c', code], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

  it('a model pickled by scikit-learn 1.5.2: the release it was saved with is told, and the project pins it', async () => {
    const file = path.join(dir, 'old.joblib');
    save(oldPython, `import joblib; from sklearn.linear_model import LogisticRegression as L; joblib.dump(L().fit([[0, 1], [1, 0], [1, 1], [0, 0]], [0, 1, 1, 0]), ${JSON.stringify(file)})`);
    const info = await inspectModel(venvPython(), file);
    assert.equal(info.savedWith, '1.5.2');
    assert.equal(info.sklearnVersion, PINNED_VERSIONS.scikitLearn);
    assert.equal(info.featureNames, undefined, 'trained on an array: no names');
    assert.equal(info.featureCount, 2);
    const files = new Map(
      planProject({ framework: 'fastapi', projectName: 'old-api', modelSource: { kind: 'file', path: file, sklearnVersion: info.savedWith }, features: [{ name: 'x0', type: 'float' }, { name: 'x1', type: 'float' }], port: 8000, pythonVersion: '3.12' }, await loadTemplates(path.join(root, 'media', 'templates', 'model-api'))).map((f) => [f.path, f.content ?? '']),
    );
    const req = files.get('requirements.txt')!;
    assert.match(req, /^scikit-learn==1\.5\.2$/m);
    assert.match(req, /^numpy$/m, 'numpy left for pip to resolve with that release');
    assert.doesNotMatch(req, new RegExp(`scikit-learn==${PINNED_VERSIONS.scikitLearn.replace(/\./g, '\\.')}`));
  });

  it('the same release as today’s: the usual pins', async () => {
    const file = path.join(dir, 'today.joblib');
    save(venvPython(), `import joblib; from sklearn.linear_model import LogisticRegression as L; joblib.dump(L().fit([[0, 1], [1, 0]], [0, 1]), ${JSON.stringify(file)})`);
    assert.equal((await inspectModel(venvPython(), file)).savedWith, PINNED_VERSIONS.scikitLearn);
  });

  it('a pipeline with a class of the training script: said in words, not a raw AttributeError', async () => {
    const file = path.join(dir, 'custom.joblib');
    save(venvPython(), `import joblib
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
class Cleaner(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None): return self
    def transform(self, X): return X
joblib.dump(make_pipeline(Cleaner(), LogisticRegression()).fit([[0, 1], [1, 0]], [0, 1]), ${JSON.stringify(file)})`);
    await assert.rejects(inspectModel(venvPython(), file), (e: unknown) => e instanceof UserFacingError && /uses the class Cleaner, defined in the training script/.test(e.message));
  });

  it('a model of a release so old that its module paths are gone (sklearn.ensemble.forest): said so, naming the module', async () => {
    const file = path.join(dir, 'ancient.pkl');
    // What scikit-learn 0.22 pickled a forest as: a reference to a module later releases removed.
    writeFileSync(file, 'csklearn.ensemble.forest\nRandomForestClassifier\n.');
    await assert.rejects(inspectModel(venvPython(), file), (e: unknown) => e instanceof UserFacingError && /saved with an older scikit-learn: the module sklearn\.ensemble\.forest it refers to no longer exists/.test(e.message));
  });
});

