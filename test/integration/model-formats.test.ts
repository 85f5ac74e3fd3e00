// Models in the formats users train besides scikit-learn's pickles, saved by the real libraries:
// what reading them tells (names, counts, kind), what a pickled pipeline around an XGBoost
// estimator needs, what a damaged file or a Python without the library says, and a LightGBM
// project built and served by a real Docker engine (its wheel needs the system's OpenMP).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../src/common/errors';
import { DockerClient } from '../../src/docker/core/client';
import { planImage } from '../../src/docker/core/project';
import { SNIFF_BYTES, modelFormatOf } from '../../src/scaffold/core/formats';
import { inspectModel, withInspected } from '../../src/scaffold/core/inspect';
import type { ModelSource } from '../../src/scaffold/core/model';
import { planProject } from '../../src/scaffold/core/render';
import { smokeTest } from '../../src/scaffold/core/smoke';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../../src/scaffold/core/write';
import { freePort, root, run, venvPython } from './helpers/processes';

const runId = Date.now().toString(36);

describe('model formats users bring: ONNX, XGBoost, LightGBM, pickles around them', function () {
  this.timeout(300_000);
  let dir = '';
  const file = (name: string): string => path.join(dir, name);
  const formatOf = (f: string): ReturnType<typeof modelFormatOf> => modelFormatOf(f, readFileSync(f).subarray(0, SNIFF_BYTES).toString('utf8'));

  before(async function () {
    this.timeout(600_000);
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-formats-'));
    // Saved as each library's docs show; trained on arrays (no names) and on DataFrames (names).
    const script = `
import joblib, numpy as np, lightgbm, xgboost
from sklearn.datasets import load_iris, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestRegressor
X, y = load_iris(return_X_y=True, as_frame=True)
xgboost.XGBClassifier(n_estimators=5).fit(X.to_numpy(), y).get_booster().save_model("iris.ubj")
xgboost.XGBClassifier(n_estimators=5).fit(X, y).save_model("model.json")
Xr, yr = make_regression(n_samples=200, n_features=3, random_state=0)
lightgbm.LGBMRegressor(n_estimators=5, verbose=-1).fit(Xr, yr).booster_.save_model("lgb_model.txt")
open("forest.onnx", "wb").write(to_onnx(RandomForestRegressor(n_estimators=3).fit(Xr.astype(np.float32), yr), Xr[:1].astype(np.float32)).SerializeToString())
joblib.dump(make_pipeline(StandardScaler(), xgboost.XGBClassifier(n_estimators=5)).fit(X, y), "pipeline.joblib")
open("params.json", "w").write('{"learner": "xgboost", "max_depth": 3}')
`;
    const r = await run(venvPython(), ['-c', script], { cwd: dir });
    assert.equal(r.code, 0, r.out);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('XGBoost: a UBJSON booster trained on an array (no names) and a JSON one trained on a DataFrame (its columns)', async () => {
    assert.equal(formatOf(file('iris.ubj')), 'xgboost');
    assert.deepEqual(await inspectModel(venvPython(), file('iris.ubj'), undefined, 'xgboost'), { featureCount: 4, kind: 'classifier' });
    assert.equal(formatOf(file('model.json')), 'xgboost', 'told apart by its content');
    const named = await inspectModel(venvPython(), file('model.json'), undefined, 'xgboost');
    assert.deepEqual(named.featureNames, ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    assert.equal(formatOf(file('params.json')), undefined, 'a JSON file that merely mentions a learner is not a model');
  });

  it('LightGBM: a text-format regressor; the names LightGBM made up ("Column_0") are not taken for columns', async () => {
    assert.equal(formatOf(file('lgb_model.txt')), 'lightgbm');
    assert.deepEqual(await inspectModel(venvPython(), file('lgb_model.txt'), undefined, 'lightgbm'), { featureCount: 3, kind: 'regressor' });
  });

  it('ONNX: a converted forest regressor, one tensor input of three columns', async () => {
    assert.deepEqual(await inspectModel(venvPython(), file('forest.onnx'), undefined, 'onnx'), { featureCount: 3, kind: 'regressor' });
  });

  it('a pickled pipeline ending in an XGBClassifier: the project installs xgboost beside scikit-learn', async () => {
    const info = await inspectModel(venvPython(), file('pipeline.joblib'));
    assert.deepEqual(info.libraries, ['xgboost']);
    const source = withInspected({ kind: 'file', path: file('pipeline.joblib') }, info);
    const features = info.featureNames!.map((name) => ({ name, type: 'float' as const }));
    const plan = planProject({ framework: 'fastapi', projectName: 'pipe-api', modelSource: source, features, port: 8000, pythonVersion: '3.12' }, await loadTemplates(path.join(root, 'media', 'templates', 'model-api')));
    const req = plan.find((f) => f.path === 'requirements.txt')!.content!;
    assert.match(req, /^scikit-learn==/m);
    assert.match(req, /^xgboost-cpu==3\.2\.0; sys_platform == "linux"$/m);
  });

  it('a damaged ONNX file, and a Python without onnxruntime: said in words', async () => {
    writeFileSync(file('broken.onnx'), 'not a protobuf');
    await assert.rejects(inspectModel(venvPython(), file('broken.onnx'), undefined, 'onnx'), (e: unknown) => e instanceof UserFacingError && /^The model file could not be read: /.test(e.message));
    const bare = execFileSync('bash', [path.join(root, 'test', 'env', 'python-sklearn-release.sh'), '1.5.2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    await assert.rejects(inspectModel(bare, file('forest.onnx'), undefined, 'onnx'), (e: unknown) => e instanceof UserFacingError && /lacks the module "onnxruntime" needed to read the model/.test(e.message));
  });

  describe('a LightGBM project in a real container', () => {
    let client: DockerClient;
    let baseImage = '';
    const tag = `mlops-it/lightgbm-${runId}:0.1.0`;
    let container: string | undefined;
    before(async function () {
      this.timeout(600_000);
      baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
      client = await DockerClient.connect();
    });
    after(async () => {
      if (container) await client.remove(container).catch(() => undefined);
      await client.removeImage(tag).catch(() => undefined);
    });

    it('builds (the OpenMP runtime installed), starts and answers /predict with the booster’s classes', async function () {
      this.timeout(600_000);
      const r = await run(venvPython(), ['-c', `
import lightgbm
from sklearn.datasets import load_iris
X, y = load_iris(return_X_y=True, as_frame=True)
X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
lightgbm.LGBMClassifier(n_estimators=20, verbose=-1).fit(X, y).booster_.save_model("iris_lgb_model.txt")
`], { cwd: dir });
      assert.equal(r.code, 0, r.out);
      const model = file('iris_lgb_model.txt');
      const format = formatOf(model);
      assert.equal(format, 'lightgbm');
      const info = await inspectModel(venvPython(), model, undefined, format);
      const source: ModelSource = withInspected({ kind: 'file', path: model, format }, info);
      const project = path.join(dir, 'iris-lgb');
      const plan = planProject(
        { framework: 'flask', projectName: 'iris-lgb', modelSource: source, features: info.featureNames!.map((name) => ({ name, type: 'float' as const })), port: 8000, pythonVersion: '3.12' },
        await loadTemplates(path.join(root, 'media', 'templates', 'model-api')),
      );
      await writePlan(project, await inspectPlan(project, plan));
      const image = await planImage({ dockerfile: path.join(project, 'Dockerfile'), baseImage });
      await client.build(project, { tags: [tag], buildArgs: image.buildArgs, labels: { 'mlops.workbench/test': runId } });
      const port = await freePort();
      container = await client.run(tag, { ports: [{ container: 8000, host: port }], labels: { 'mlops.workbench/test': runId } });
      const result = await smokeTest(`http://127.0.0.1:${port}`, { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }, { readyTimeoutMs: 90_000 });
      assert.equal(result.status, 200, result.body);
      const body = JSON.parse(result.body) as { predictions: Array<{ prediction: number; probabilities: Record<string, number> }> };
      assert.equal(body.predictions[0]!.prediction, 2);
      assert.deepEqual(Object.keys(body.predictions[0]!.probabilities), ['0', '1', '2']);
    });
  });
});
