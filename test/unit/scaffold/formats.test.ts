import { strict as assert } from 'node:assert';
import type { ScaffoldOptions } from '../../../src/scaffold/core/model';
import { MODEL_GLOB, modelFormatOf, needsSniff } from '../../../src/scaffold/core/formats';
import { planProject } from '../../../src/scaffold/core/render';
import { loadTemplates } from './templates';

// The first bytes of files as the libraries write them (XGBoost's save_model to .json, LightGBM's to .txt).
const XGBOOST_JSON = '{"learner":{"attributes":{"scikit_learn":"{\\"_estimator_type\\": \\"classifier\\"}"},"feature_names":["a"]';
const LIGHTGBM_TXT = 'tree\nversion=v4\nnum_class=3\nnum_tree_per_iteration=3\nlabel_index=0\nmax_feature_idx=3\nobjective=multiclass num_class:3\n';

describe('model file formats', () => {
  it('tells the format from the extension, and a .json/.txt model from its first bytes', () => {
    assert.equal(modelFormatOf('/w/model.joblib'), 'sklearn');
    assert.equal(modelFormatOf('C:\\w\\Model.PKL'), 'sklearn');
    assert.equal(modelFormatOf('/w/iris.onnx'), 'onnx');
    assert.equal(modelFormatOf('/w/iris.ubj'), 'xgboost');
    assert.equal(modelFormatOf('/w/iris.lgb'), 'lightgbm');
    assert.equal(modelFormatOf('/w/model.json'), undefined, 'a .json file without its content is not known');
    assert.equal(modelFormatOf('/w/model.json', XGBOOST_JSON), 'xgboost');
    assert.equal(modelFormatOf('/w/model.json', `\uFEFF  ${XGBOOST_JSON}`), 'xgboost');
    assert.equal(modelFormatOf('/w/model.txt', LIGHTGBM_TXT), 'lightgbm');
    assert.equal(modelFormatOf('/w/model.txt', LIGHTGBM_TXT.replace(/\n/g, '\r\n')), 'lightgbm');
    // Files users keep beside their models.
    assert.equal(modelFormatOf('/w/params.json', '{"learning_rate": 0.1, "learner": "x"}'), undefined);
    assert.equal(modelFormatOf('/w/metrics.json', '{"accuracy": 0.97}'), undefined);
    assert.equal(modelFormatOf('/w/model.json', '{"learner": "xgboost", "max_depth": 3}'), undefined, 'a config naming its learner');
    assert.equal(modelFormatOf('/w/requirements.txt', 'xgboost==3.2.0\n'), undefined);
    assert.equal(modelFormatOf('/w/notes.txt', 'tree\nthe oak in the garden\n'), undefined);
    assert.equal(modelFormatOf('/w/model.h5', 'anything'), undefined);
    assert.equal(needsSniff('/w/model.json'), true);
    assert.equal(needsSniff('/w/model.onnx'), false);
  });

  it('the pickers’ pattern finds every extension and model-named JSON/text files, not every JSON file', () => {
    for (const part of ['.joblib', '.pkl', '.pickle', '.onnx', '.ubj', '.lgb', 'model*.json', 'model*.txt']) assert.ok(MODEL_GLOB.includes(part), part);
    assert.doesNotMatch(MODEL_GLOB, /[{,]\.json[,}]/);
  });
});

describe('the generated project for each format', () => {
  let templates: Map<string, string>;
  before(async () => {
    templates = await loadTemplates();
  });
  const features = [
    { name: 'a', type: 'float' as const },
    { name: 'b', type: 'float' as const },
  ];
  const files = (modelSource: ScaffoldOptions['modelSource']): Map<string, string> =>
    new Map(planProject({ framework: 'fastapi', projectName: 'm-api', modelSource, features, port: 8000, pythonVersion: '3.12' }, templates).map((f) => [f.path, f.content ?? `<copy ${f.copyFrom}>`]));

  it('ONNX: read by onnxruntime, without scikit-learn', () => {
    const f = files({ kind: 'file', path: '/w/iris.onnx' });
    assert.match(f.get('requirements.txt')!, /^onnxruntime==\d/m);
    assert.doesNotMatch(f.get('requirements.txt')!, /scikit-learn|joblib/);
    assert.match(f.get('app/model.py')!, /onnxruntime\.InferenceSession/);
    assert.doesNotMatch(f.get('app/model.py')!, /joblib|xgboost|lightgbm/);
    assert.equal(f.get('model/iris.onnx'), '<copy /w/iris.onnx>');
  });

  it('XGBoost: its booster, the CPU build on Linux', () => {
    const f = files({ kind: 'file', path: '/w/model.json', format: 'xgboost' });
    assert.match(f.get('requirements.txt')!, /^xgboost-cpu==\d[^;]*; sys_platform == "linux"$/m);
    assert.match(f.get('requirements.txt')!, /^xgboost==\d[^;]*; sys_platform != "linux"$/m);
    assert.match(f.get('app/model.py')!, /xgboost\.Booster\(model_file=path\)/);
    assert.match(f.get('.mlops/project.json')!, /"model\/model\.json"/);
    // Its column names stay in the booster: the API gives it an array, and pandas is not installed for it.
    const named = files({ kind: 'file', path: '/w/model.json', format: 'xgboost', namedFeatures: true });
    assert.doesNotMatch(named.get('requirements.txt')!, /^pandas==/m);
    assert.match(named.get('app/model.py')!, /np\.asarray\(\[\[float\(row\[f\]\)/);
  });

  it('LightGBM: its booster, and the OpenMP runtime its wheel needs in the image', () => {
    const f = files({ kind: 'file', path: '/w/model.txt', format: 'lightgbm' });
    assert.match(f.get('requirements.txt')!, /^lightgbm==\d/m);
    assert.match(f.get('app/model.py')!, /lightgbm\.Booster\(model_file=path\)/);
    assert.match(f.get('Dockerfile')!, /apt-get install -y --no-install-recommends libgomp1/);
    assert.doesNotMatch(files({ kind: 'file', path: '/w/m.joblib' }).get('Dockerfile')!, /apt-get/);
  });

  it('a pickled pipeline that holds an XGBoost or LightGBM estimator: scikit-learn and that library', () => {
    const f = files({ kind: 'file', path: '/w/m.joblib', libraries: ['xgboost', 'lightgbm'] });
    assert.match(f.get('requirements.txt')!, /^scikit-learn==/m);
    assert.match(f.get('requirements.txt')!, /^xgboost-cpu==/m);
    assert.match(f.get('requirements.txt')!, /^lightgbm==/m);
    assert.match(f.get('app/model.py')!, /joblib\.load\(path\)/);
  });

  it('an MLflow model: its scikit-learn flavour when it has one, else pyfunc; pandas for pyfunc', () => {
    const f = files({ kind: 'mlflow', uri: 'models:/churn/3' });
    assert.match(f.get('app/model.py')!, /mlflow\.sklearn\.load_model\(path\)/);
    assert.match(f.get('app/model.py')!, /mlflow\.pyfunc\.load_model\(path\)/);
    assert.match(f.get('requirements.txt')!, /^pandas==/m);
    assert.match(f.get('fetch_model.py')!, /def missing_requirements/);
  });

  it('each project defines its loader once', () => {
    for (const source of [{ kind: 'sample' }, { kind: 'file', path: '/w/a.onnx' }, { kind: 'file', path: '/w/a.ubj' }, { kind: 'file', path: '/w/a.lgb' }, { kind: 'mlflow', uri: 'models:/a/1' }] as const) {
      assert.equal([...files(source).get('app/model.py')!.matchAll(/^def _load\(/gm)].length, 1, JSON.stringify(source));
    }
  });
});
