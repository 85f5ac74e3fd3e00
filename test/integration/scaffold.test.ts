// The generated projects, for real: their own pytest suites against the real model,
// their production servers on loopback, and a schema-driven fuzzer against their
// OpenAPI documents. All three model sources, both frameworks.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Framework, ModelSource, ScaffoldOptions } from '../../src/scaffold/core/model';
import { SAMPLE_FEATURES } from '../../src/scaffold/core/model';
import type { Templates } from '../../src/scaffold/core/render';
import { inspectModel, withInspected } from '../../src/scaffold/core/inspect';
import { SNIFF_BYTES, modelFormatOf } from '../../src/scaffold/core/formats';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../../src/scaffold/core/write';
import type { Server } from './helpers/processes';
import { freePort, root, run, startMlflowServer, startServer, stopAll, venvBin, venvPython } from './helpers/processes';

const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-scaffold-'));
let templates: Templates;

async function generate(name: string, framework: Framework, modelSource: ModelSource, features = SAMPLE_FEATURES): Promise<string> {
  const o: ScaffoldOptions = { framework, projectName: name, modelSource, features, port: 8000, pythonVersion: '3.12' };
  const dir = path.join(work, name);
  const plan = await inspectPlan(dir, planProject(o, templates));
  await writePlan(dir, plan);
  return dir;
}

/** A regression pipeline fitted on a DataFrame, selecting its columns by name, trained by real scikit-learn and saved with joblib. */
async function trainFileModel(): Promise<string> {
  const file = path.join(work, 'house-price.joblib');
  const script = `
import joblib, numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
rng = np.random.default_rng(0)
X = pd.DataFrame({"rooms": rng.integers(1, 8, 200), "area m2": rng.uniform(20, 200, 200), "has_garden": rng.integers(0, 2, 200)})
y = 1000 * X["area m2"] + 5000 * X["rooms"] + 20000 * X["has_garden"]
# As users build them: columns picked by name (a plain array has no names to pick by).
prep = ColumnTransformer([("num", StandardScaler(), ["rooms", "area m2"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["has_garden"])])
joblib.dump(make_pipeline(prep, Ridge()).fit(X, y), ${JSON.stringify(file)})
`;
  const r = await run(venvPython(), ['-c', script], { cwd: work });
  assert.equal(r.code, 0, r.out);
  return file;
}

/**
 * Models in the formats users train besides scikit-learn's pickles, saved by the real libraries
 * as their docs show: an ONNX classifier converted by skl2onnx (one tensor input), an XGBoost
 * classifier fitted on a DataFrame (its names kept in the JSON), a LightGBM multiclass booster
 * in its text format. All on the iris data, with the sample's feature names.
 */
async function trainFormatModels(): Promise<{ onnx: string; xgboost: string; lightgbm: string }> {
  const out = { onnx: path.join(work, 'iris.onnx'), xgboost: path.join(work, 'xgb_model.json'), lightgbm: path.join(work, 'lgb_model.txt') };
  const script = `
import numpy as np, lightgbm, xgboost
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from skl2onnx import to_onnx
X, y = load_iris(return_X_y=True, as_frame=True)
X.columns = ${JSON.stringify(SAMPLE_FEATURES.map((f) => f.name))}
m = LogisticRegression(max_iter=500).fit(X.to_numpy(np.float32), y)
open(${JSON.stringify(out.onnx)}, "wb").write(to_onnx(m, X.to_numpy(np.float32)[:1]).SerializeToString())
xgboost.XGBClassifier(n_estimators=20).fit(X, y).save_model(${JSON.stringify(out.xgboost)})
lightgbm.LGBMClassifier(n_estimators=20, verbose=-1).fit(X, y).booster_.save_model(${JSON.stringify(out.lightgbm)})
`;
  const r = await run(venvPython(), ['-c', script], { cwd: work });
  assert.equal(r.code, 0, r.out);
  return out;
}

let mlflow: Server | undefined;
async function startMlflow(): Promise<Server> {
  return startMlflowServer(mkdtempSync(path.join(work, 'mlflow-')));
}

/** Logs an iris classifier with real MLflow code; returns its runs:/ URI. */
async function logMlflowModel(trackingUri: string): Promise<string> {
  const script = `
import mlflow, mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
iris = load_iris()
mlflow.set_experiment("scaffold-test")
with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=500).fit(iris.data, iris.target_names[iris.target])
    mlflow.log_param("max_iter", 500)
    mlflow.sklearn.log_model(model, name="model")
    print("RUN_ID=" + run.info.run_id)
`;
  return runUri(script, trackingUri);
}

/** Logs an XGBoost model with MLflow's xgboost flavour (served through pyfunc), with a signature of named columns. */
async function logMlflowXgboost(trackingUri: string): Promise<string> {
  const script = `
import mlflow, mlflow.xgboost, xgboost
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
X, y = load_iris(return_X_y=True, as_frame=True)
X.columns = ${JSON.stringify(SAMPLE_FEATURES.map((f) => f.name))}
mlflow.set_experiment("scaffold-test")
with mlflow.start_run() as run:
    model = xgboost.XGBClassifier(n_estimators=20).fit(X, y)
    mlflow.xgboost.log_model(model, name="model", signature=infer_signature(X, model.predict(X)))
    print("RUN_ID=" + run.info.run_id)
`;
  return runUri(script, trackingUri);
}

async function runUri(script: string, trackingUri: string): Promise<string> {
  const r = await run(venvPython(), ['-c', script], { cwd: work, env: { MLFLOW_TRACKING_URI: trackingUri }, timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.out);
  const id = /RUN_ID=([0-9a-f]{32})/.exec(r.out)?.[1];
  assert.ok(id, r.out);
  return `runs:/${id}/model`;
}

describe('generated model APIs (real Python, real servers)', function () {
  this.timeout(600_000);
  let houseModel = '';
  let mlflowUri = '';
  let mlflowXgboostUri = '';
  let formatModels: { onnx: string; xgboost: string; lightgbm: string };

  before(async function () {
    this.timeout(900_000);
    venvPython();
    templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
    houseModel = await trainFileModel();
    formatModels = await trainFormatModels();
    mlflow = await startMlflow();
    mlflowUri = await logMlflowModel(mlflow.url);
    mlflowXgboostUri = await logMlflowXgboost(mlflow.url);
  });

  after(async () => {
    await stopAll();
  });

  const houseFeatures = [
    { name: 'rooms', type: 'int' as const, example: 3 },
    { name: 'area m2', type: 'float' as const, example: 80.5 },
    { name: 'has_garden', type: 'int' as const, example: 1 },
  ];

  type Source = 'sample' | 'file' | 'mlflow' | 'onnx' | 'xgboost' | 'lightgbm' | 'mlflow-xgboost';
  // Every source with both frameworks; the other formats with one each (the model code is the framework's same).
  const cases: Array<{ framework: Framework; source: Source }> = [
    ...(['fastapi', 'flask'] as const).flatMap((framework) => (['sample', 'file', 'mlflow'] as const).map((source) => ({ framework, source }))),
    { framework: 'fastapi', source: 'onnx' },
    { framework: 'fastapi', source: 'xgboost' },
    { framework: 'flask', source: 'lightgbm' },
    { framework: 'fastapi', source: 'mlflow-xgboost' },
  ];
  const sourceOf = async (source: Source): Promise<ModelSource> => {
    switch (source) {
      case 'sample':
        return { kind: 'sample' };
      case 'file': {
        // As the scaffold does: the file model is read first (it was fitted on named columns).
        return withInspected({ kind: 'file', path: houseModel }, await inspectModel(venvPython(), houseModel));
      }
      case 'mlflow':
        return { kind: 'mlflow', uri: mlflowUri };
      case 'mlflow-xgboost':
        return { kind: 'mlflow', uri: mlflowXgboostUri };
      default: {
        const file = formatModels[source];
        const format = modelFormatOf(file, readFileSync(file, 'utf8').slice(0, SNIFF_BYTES));
        assert.equal(format, source, `${path.basename(file)} is told apart by its content`);
        return withInspected({ kind: 'file', path: file, format }, await inspectModel(venvPython(), file, undefined, format));
      }
    }
  };
  for (const { framework, source } of cases) {
    {
      describe(`${framework}, ${source} model`, () => {
        let dir = '';
        let server: Server | undefined;
        const env = (): NodeJS.ProcessEnv => ({ MLFLOW_TRACKING_URI: mlflow!.url });

        before(async () => {
          dir = await generate(`${framework}-${source}`, framework, await sourceOf(source), source === 'file' ? houseFeatures : SAMPLE_FEATURES);
        });

        after(async () => {
          await server?.stop();
        });

        it('its own pytest suite passes against the real model', async () => {
          const r = await run(venvPython(), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: dir, env: env() });
          assert.equal(r.code, 0, r.out);
          assert.match(r.out, /(\d+) passed/);
          assert.doesNotMatch(r.out, /failed|error/i);
        });

        if (source === 'mlflow-xgboost') {
          it('fetch_model.py says which packages the model’s flavour needs that requirements.txt does not install', async () => {
            const r = await run(venvPython(), ['fetch_model.py'], { cwd: dir, env: env(), timeoutMs: 120_000 });
            assert.equal(r.code, 0, r.out);
            assert.match(r.out, /the model needs packages that requirements\.txt does not install/);
            assert.match(r.out, /^ {2}xgboost(-cpu)?==3\./m, r.out);
            assert.doesNotMatch(r.out, /^ {2}(mlflow|numpy|scikit-learn|cloudpickle)\b/m, 'what the project installs is not listed');
          });
        }

        if (['onnx', 'xgboost', 'lightgbm', 'mlflow-xgboost'].includes(source)) {
          it('scores the iris rows as the classifier it is', async () => {
            const r = await run(venvPython(), ['-c', `
import json
from app.model import model, FEATURES
model.load()
assert model.error is None, model.error
rows = [dict(zip(FEATURES, v)) for v in ([5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3])]
print(json.dumps(model.predict(rows)))
`], { cwd: dir, env: { ...env(), MODEL_PATH: path.join(dir, source === 'mlflow-xgboost' ? 'model' : readdirSync(path.join(dir, 'model')).map((f) => `model/${f}`)[0]!) } });
            assert.equal(r.code, 0, r.out);
            const out = JSON.parse(r.out.trim().split('\n').pop()!) as Array<{ prediction: unknown; probabilities?: Record<string, number> }>;
            assert.deepEqual(out.map((p) => Number(p.prediction)), [0, 2], 'setosa, virginica');
            if (source !== 'mlflow-xgboost') {
              assert.deepEqual(Object.keys(out[0]!.probabilities ?? {}), ['0', '1', '2']);
              assert.ok(out[1]!.probabilities!['2']! > 0.5, JSON.stringify(out));
            }
          });
        }

        it('serves /predict, /metrics and the docs with its production server', async () => {
          const port = await freePort();
          const metricsDir = mkdtempSync(path.join(work, 'prom-'));
          server = await startServer({
            cmd: venvBin('gunicorn'),
            args: ['-c', 'gunicorn.conf.py', 'app.main:app'],
            cwd: dir,
            env: { ...env(), PORT: String(port), WORKERS: '2', PROMETHEUS_MULTIPROC_DIR: metricsDir, PATH: `${path.dirname(venvPython())}:${process.env.PATH}` },
            port,
            readyPath: '/ready',
            logFile: path.join(dir, 'server.log'),
          });
          const payload = readFileSync(path.join(dir, 'sample-payload.json'), 'utf8');
          for (let i = 0; i < 6; i++) {
            const r: Response = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
            const text = await r.text();
            assert.equal(r.status, 200, text);
            const body = JSON.parse(text) as { predictions: Array<{ prediction: unknown }> };
            assert.equal(body.predictions.length, 1);
          }
          const bad = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope": 1}' });
          assert.equal(bad.status, 422);
          const metrics = await (await fetch(`${server.url}/metrics`)).text();
          // Both workers' counts add up to the six predictions.
          const count = [...metrics.matchAll(/^model_predictions_total\{[^}]*\} ([\d.]+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
          assert.equal(count, 6, metrics);
          assert.match(metrics, /http_request_duration_seconds_bucket\{/);
          const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
          assert.ok(spec.paths['/predict']);
          assert.equal((await fetch(`${server.url}/docs`)).status, 200);
        });

        it('hostile requests get 4xx, never 5xx, and cannot grow the metrics: nested JSON, invented methods, a chunked body', async () => {
          assert.ok(server, 'the server from the previous test');
          const deep = '['.repeat(50_000) + ']'.repeat(50_000);
          const nested = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
          assert.ok(nested.status >= 400 && nested.status < 500, `nested JSON: ${nested.status}`);
          // Invented methods, over a raw socket (fetch refuses them).
          const { request } = await import('node:http');
          const send = (method: string): Promise<number> =>
            new Promise((resolve, reject) => {
              const req = request(`${server!.url}/predict`, { method }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode ?? 0));
              });
              req.on('error', reject);
              req.end();
            });
          for (let i = 0; i < 30; i++) {
            const status = await send(`INVENTED${i}`);
            assert.ok(status >= 400 && status < 500, `INVENTED${i}: ${status}`);
          }
          const metrics = await (await fetch(`${server.url}/metrics`)).text();
          assert.doesNotMatch(metrics, /INVENTED/, 'no series per invented method');
          // A body sent in chunks, without a Content-Length.
          const payload = readFileSync(path.join(dir, 'sample-payload.json'));
          const chunked = await new Promise<number>((resolve, reject) => {
            const req = request(`${server!.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', reject);
            req.write(payload.subarray(0, 5));
            req.end(payload.subarray(5));
          });
          assert.ok(chunked === 200 || chunked === 411, `chunked: ${chunked}`);
          // The docs page is the API's own, with nothing fetched from elsewhere.
          const docs = await (await fetch(`${server.url}/docs`)).text();
          assert.doesNotMatch(docs, /<script|https?:\/\//);
        });

        it('a schema-driven fuzzer finds no 5xx', async () => {
          assert.ok(server, 'the server from the previous test');
          const r = await run(
            venvBin('schemathesis'),
            ['run', `${server.url}/openapi.json`, '--checks', 'not_a_server_error', '--max-examples', '40', '--seed', '1', '--no-color'],
            { cwd: dir, timeoutMs: 300_000 },
          );
          assert.equal(r.code, 0, r.out);
          assert.match(r.out, /No issues found/);
        });
      });
    }
  }

  // Child suites run after the tests above, in order: this one is last.
  describe('afterwards', () => {
    it('leaves no server running', async () => {
      await stopAll();
      mlflow = undefined;
      const r = await run('pgrep', ['-f', work], { cwd: work });
      assert.equal(r.out.trim(), '', 'processes still running from the test folder');
    });
  });
});
