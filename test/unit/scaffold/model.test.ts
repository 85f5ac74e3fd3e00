import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  PINNED_VERSIONS,
  SAMPLE_FEATURES,
  featureAttributes,
  validateFeatures,
  validateModelSource,
  validateOptions,
  validatePort,
  validateProjectName,
  validatePythonVersion,
} from '../../../src/scaffold/core/model';

describe('scaffold input rules', () => {
  it('accepts a good project name', () => {
    assert.deepEqual(validateProjectName('iris-api'), []);
    assert.deepEqual(validateProjectName('churn2'), []);
  });

  it('names each rule a bad project name breaks', () => {
    const rules = (n: string): string[] => validateProjectName(n).map((p) => p.message.split(' ')[0]);
    assert.deepEqual(rules(''), ['Enter']);
    assert.deepEqual(rules('Iris-API'), ['Kubernetes', 'Docker']);
    assert.deepEqual(rules('iris_api'), ['Kubernetes']);
    assert.deepEqual(rules('2fast'), ['As']);
    assert.deepEqual(rules('-iris'), ['Kubernetes', 'Docker']);
    assert.deepEqual(rules('class'), ['"class"']);
    assert.deepEqual(rules('a'.repeat(64)), ['The']);
  });

  it('only names that every target accepts pass (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (name) => {
        if (validateProjectName(name).length > 0) return;
        assert.match(name, /^[a-z][a-z0-9-]{0,62}$/);
        assert.doesNotMatch(name, /-$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('checks port, Python version and model source', () => {
    assert.deepEqual(validatePort(8000), []);
    assert.equal(validatePort(80).length, 1);
    assert.equal(validatePort(70000).length, 1);
    assert.equal(validatePort(8000.5).length, 1);
    assert.deepEqual(validatePythonVersion('3.12'), []);
    assert.equal(validatePythonVersion('3.9').length, 1);
    assert.deepEqual(validateModelSource({ kind: 'file', path: '/w/model.joblib' }), []);
    for (const file of ['/w/model.onnx', '/w/booster.ubj', '/w/model.lgb']) assert.deepEqual(validateModelSource({ kind: 'file', path: file }), [], file);
    assert.match(validateModelSource({ kind: 'file', path: '/w/model.h5' })[0].message, /Unsupported/);
    // A .json or .txt file is a model only when its content said so.
    assert.match(validateModelSource({ kind: 'file', path: '/w/params.json' })[0].message, /Unsupported/);
    assert.deepEqual(validateModelSource({ kind: 'file', path: '/w/model.json', format: 'xgboost' }), []);
    assert.deepEqual(validateModelSource({ kind: 'mlflow', uri: 'runs:/0123456789abcdef0123456789abcdef/model' }), []);
    assert.deepEqual(validateModelSource({ kind: 'mlflow', uri: 'models:/iris/3' }), []);
    assert.deepEqual(validateModelSource({ kind: 'mlflow', uri: 'models:/iris@champion' }), []);
    assert.equal(validateModelSource({ kind: 'mlflow', uri: 'runs:/abc' }).length, 1);
    // Registered names with spaces and accents, as MLflow allows; never quotes or line breaks.
    assert.deepEqual(validateModelSource({ kind: 'mlflow', uri: 'models:/modèle de fraude v2@champion' }), []);
    for (const bad of ['models:/a"b/1', 'models:/a\nb/1', 'models:/ a/1', "models:/a'/1"]) assert.equal(validateModelSource({ kind: 'mlflow', uri: bad }).length, 1, bad);
  });

  it('checks the schema against the model’s number of features', () => {
    assert.deepEqual(validateFeatures(SAMPLE_FEATURES, 4), []);
    assert.match(validateFeatures(SAMPLE_FEATURES, 3)[0].message, /trained on 3 features, but the schema has 4/);
    assert.equal(validateFeatures([]).length, 1);
    assert.match(validateFeatures([{ name: 'a', type: 'float' }, { name: 'a', type: 'int' }])[0].message, /twice/);
    assert.match(validateFeatures([{ name: 'a"b', type: 'float' }])[0].message, /quote/);
  });

  it('gives every problem the field it belongs to', () => {
    const problems = validateOptions({ framework: 'fastapi', projectName: 'Bad Name', modelSource: { kind: 'mlflow', uri: 'x' }, features: [], port: 1, pythonVersion: '2.7' });
    assert.deepEqual([...new Set(problems.map((p) => p.field))].sort(), ['features', 'modelSource', 'port', 'projectName', 'pythonVersion']);
  });

  it('turns any feature name into a distinct Python attribute', () => {
    assert.deepEqual(featureAttributes(['sepal length (cm)', 'Sepal Length (cm)', '2nd', 'model_id', 'class', 'ñandú']), [
      'sepal_length_cm',
      'sepal_length_cm_2',
      'f_2nd',
      'model_id_',
      'class_',
      'nandu',
    ]);
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 20 }), (names) => {
        const attrs = featureAttributes(names);
        assert.equal(new Set(attrs).size, attrs.length);
        for (const a of attrs) assert.match(a, /^[a-z_][a-z0-9_]*$/);
      }),
    );
  });

  it('pins the same versions the integration tier installs', () => {
    const req = readFileSync(path.join(__dirname, '..', '..', 'env', 'python-requirements.txt'), 'utf8');
    const pins = new Map([...req.matchAll(/^([a-z0-9-]+)==([^\s;]+)/gm)].map((m) => [m[1], m[2]]));
    const names: Record<keyof typeof PINNED_VERSIONS, string> = {
      fastapi: 'fastapi',
      uvicorn: 'uvicorn',
      uvicornWorker: 'uvicorn-worker',
      uvloop: 'uvloop',
      httptools: 'httptools',
      flask: 'flask',
      gunicorn: 'gunicorn',
      pydantic: 'pydantic',
      prometheusClient: 'prometheus-client',
      scikitLearn: 'scikit-learn',
      joblib: 'joblib',
      numpy: 'numpy',
      pandas: 'pandas',
      mlflowSkinny: 'mlflow',
      skops: 'skops',
      pytest: 'pytest',
      httpx: 'httpx',
      onnxruntime: 'onnxruntime',
      xgboost: 'xgboost-cpu',
      lightgbm: 'lightgbm',
    };
    for (const [key, pkg] of Object.entries(names)) assert.equal(pins.get(pkg), PINNED_VERSIONS[key as keyof typeof PINNED_VERSIONS], pkg);
  });
});
