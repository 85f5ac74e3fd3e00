import { strict as assert } from 'node:assert';
import { authFromEnv, parseRun, trackingUri } from '../../../src/experiments/core/mlflow/client';
import { flatten, parseExpShow } from '../../../src/experiments/core/dvc/client';
import { age, keyMetric, runStatus } from '../../../src/experiments/core/model';

describe('experiments: the run model', () => {
  it('reads an MLflow run as the REST API sends it, NaN and infinities included', () => {
    const run = parseRun({
      info: { run_id: 'a'.repeat(32), run_name: 'logreg', experiment_id: '7', status: 'FINISHED', start_time: '1700000000000', artifact_uri: 'mlflow-artifacts:/7/a' },
      data: {
        metrics: [{ key: 'accuracy', value: 0.93 }, { key: 'loss', value: 'NaN' }, { key: 'gain', value: 'Infinity' }],
        params: [{ key: 'C', value: '1.0' }],
        tags: [{ key: 'mlflow.parentRunId', value: 'b'.repeat(32) }, { key: 'mlflow.source.git.commit', value: 'c0ffee' }],
      },
    });
    assert.equal(run.name, 'logreg');
    assert.equal(run.startTime, 1_700_000_000_000);
    assert.ok(Number.isNaN(run.metrics.loss));
    assert.equal(run.metrics.gain, Infinity);
    assert.equal(run.parentId, 'b'.repeat(32));
    assert.equal(run.gitCommit, 'c0ffee');
    assert.equal(parseRun({ info: { run_uuid: 'x', experiment_id: '0' } }).name, 'x');
  });

  it('knows MLflow’s statuses and nothing else', () => {
    assert.equal(runStatus('FAILED'), 'FAILED');
    assert.equal(runStatus('weird'), 'UNKNOWN');
  });

  it('picks the headline metric and writes ages', () => {
    const run = parseRun({ info: { run_id: 'r', experiment_id: '0' }, data: { metrics: [{ key: 'rmse', value: 2 }, { key: 'mae', value: 1 }] } });
    assert.deepEqual(keyMetric(run), { key: 'mae', value: 1 });
    assert.deepEqual(keyMetric(run, 'rmse'), { key: 'rmse', value: 2 });
    assert.equal(age(0, 90_000), '2 min ago');
    assert.equal(age(0, 3 * 86_400_000), '3 d ago');
  });

  it('finds the tracking URI and credentials as MLflow does', () => {
    assert.equal(trackingUri('', { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' }), 'http://127.0.0.1:5000');
    assert.equal(trackingUri('http://a', { MLFLOW_TRACKING_URI: 'http://b' }), 'http://a');
    assert.equal(trackingUri(undefined, {}), undefined);
    const env = { MLFLOW_TRACKING_URI: 'https://mlflow.corp:5000/' };
    assert.deepEqual(authFromEnv({ ...env, MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }, 'https://mlflow.corp:5000'), { kind: 'basic', username: 'u', password: 'p' });
    assert.deepEqual(authFromEnv({ ...env, MLFLOW_TRACKING_TOKEN: 't' }, 'https://mlflow.corp:5000/api'), { kind: 'bearer', token: 't' });
  });

  it('sends the environment’s MLflow credentials only to MLFLOW_TRACKING_URI’s own host (a workspace setting pointing elsewhere gets none)', () => {
    const env = { MLFLOW_TRACKING_URI: 'https://mlflow.corp:5000', MLFLOW_TRACKING_TOKEN: 't' };
    for (const other of ['https://attacker.example', 'http://mlflow.corp:5000', 'https://mlflow.corp:5001', 'https://mlflow.corp.attacker.example:5000', 'not a url']) {
      assert.equal(authFromEnv(env, other), undefined, other);
    }
    assert.equal(authFromEnv({ MLFLOW_TRACKING_TOKEN: 't' }, 'https://mlflow.corp:5000'), undefined, 'no MLFLOW_TRACKING_URI: no host to trust');
  });
});

describe('experiments: dvc exp show --json', () => {
  it('flattens params, prefixing a file only when two files share a key, and keeps numbers only as metrics', () => {
    const json = JSON.stringify([
      {
        rev: 'a'.repeat(40),
        name: 'main',
        data: {
          timestamp: '2026-11-24T20:00:00',
          params: { 'params.yaml': { data: { train: { lr: 0.1, layers: [1, 2] }, seed: 1 } }, 'extra.yaml': { data: { seed: 2 } } },
          metrics: { 'metrics.json': { data: { acc: 0.9, note: 'x' } } },
        },
        experiments: [{ revs: [{ rev: 'b'.repeat(40), name: 'exp-1', data: { params: {}, metrics: { 'metrics.json': { data: { acc: '0.95' } } } } }], executor: { state: 'running' } }],
      },
    ]);
    const [base] = parseExpShow(json);
    assert.equal(base.name, 'main');
    assert.deepEqual(base.runs[0].params, { 'train.lr': '0.1', 'train.layers': '[1,2]', 'params.yaml:seed': '1', 'extra.yaml:seed': '2' });
    assert.deepEqual(base.runs[0].metrics, { acc: 0.9 });
    assert.equal(base.runs[0].startTime, Date.parse('2026-11-24T20:00:00Z'));
    assert.deepEqual({ status: base.runs[1].status, parent: base.runs[1].parentId, acc: base.runs[1].metrics.acc }, { status: 'RUNNING', parent: 'a'.repeat(40), acc: 0.95 });
    assert.deepEqual(flatten({ a: { b: { c: 1 } }, d: null }), { 'a.b.c': 1, d: null });
  });

  it('says which file DVC could not read instead of dropping it (a metrics output whose cache was never pulled, as in iterative/example-get-started)', () => {
    // The shape `dvc exp show --json` gives for that repository without `dvc pull`.
    const unread = { 'eval/metrics.json': { error: { type: 'DataIndexDirError', msg: "failed to load directory ('eval',)" } } };
    const json = JSON.stringify([{ rev: 'b'.repeat(40), name: 'main', data: { timestamp: '2023-08-26T10:00:00', params: { 'params.yaml': { data: { train: { seed: 20170428 } } } }, metrics: unread }, experiments: [{ name: 'minor-coos', revs: [{ rev: 'c'.repeat(40), name: 'minor-coos', data: { params: {}, metrics: unread } }] }] }]);
    const [base] = parseExpShow(json);
    assert.deepEqual(base!.runs.map((r) => r.tags['dvc.error']), ["eval/metrics.json: failed to load directory ('eval',)", "eval/metrics.json: failed to load directory ('eval',)"]);
    assert.deepEqual(base!.runs[0]!.metrics, {});
    assert.equal(base!.runs[0]!.params['train.seed'], '20170428');
  });
});
