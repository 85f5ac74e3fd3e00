import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ViewRun } from '../../../src/webview/contract/experiments';
import { decodeRuns, encodeRuns, keysOf, runLabels, tableWire } from '../../../src/webview/contract/experiments';
import { offsetOf } from '../../../src/experiments/core/mlflow/client';

describe('experiments: runs sent to the table by column', () => {
  it('round-trips runs exactly: missing values stay missing, NaN and infinities survive', () => {
    const runs: ViewRun[] = [
      { id: 'a', name: 'clasificación', status: 'FINISHED', experimentId: '1', experimentName: 'iris ñ', startTime: 1, params: { C: '1.0' }, metrics: { loss: Number.NaN, gain: Infinity, drop: -Infinity, acc: 0.5 }, tags: { 'équipe': 'données' } },
      { id: 'b', name: 'b', status: 'FAILED', experimentId: '2', experimentName: 'second', parentId: 'a', gitCommit: 'c0ffee', endTime: 9, params: {}, metrics: { acc: 0 }, tags: {} },
    ];
    const back = decodeRuns(encodeRuns(runs));
    assert.deepEqual(back, runs);
    assert.ok(!('C' in back[1].params) && !('startTime' in back[1]), 'absent stays absent, not null');
  });

  it('round-trips any runs (property)', () => {
    const key = fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString'));
    const run = fc.record({
      id: fc.uuid(),
      name: fc.string(),
      status: fc.constantFrom('RUNNING', 'FINISHED', 'FAILED'),
      experimentId: fc.constantFrom('0', '1', '2'),
      startTime: fc.option(fc.integer({ min: 0 }), { nil: undefined }),
      params: fc.dictionary(key, fc.string()),
      metrics: fc.dictionary(key, fc.double().map((x) => (Object.is(x, -0) ? 0 : x))), // JSON writes -0 as 0, as MLflow's REST API does
      tags: fc.dictionary(key, fc.string()),
    });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 20 }), (raw) => {
        const runs: ViewRun[] = raw.map((r) => {
          const { startTime, ...rest } = r;
          return { ...rest, params: { ...r.params }, metrics: { ...r.metrics }, tags: { ...r.tags }, experimentName: `exp ${r.experimentId}`, ...(startTime !== undefined ? { startTime } : {}) };
        });
        assert.deepEqual(decodeRuns(encodeRuns(runs)), runs);
      }),
    );
  });

  it('writes each key once, not once per run', () => {
    const runs: ViewRun[] = Array.from({ length: 100 }, (_, i) => ({ id: String(i), name: `r${i}`, status: 'FINISHED', experimentId: '1', experimentName: 'e', params: { learning_rate: '0.1' }, metrics: { accuracy: i / 100 }, tags: {} }));
    const text = encodeRuns(runs);
    assert.equal(text.split('learning_rate').length - 1, 1);
    assert.ok(text.length < JSON.stringify(runs).length / 2);
  });

  it('a table state travels with its runs encoded under the keys it lists', () => {
    const runs: ViewRun[] = [{ id: 'a', name: 'a', status: 'FINISHED', experimentId: '1', experimentName: 'e', params: { C: '1' }, metrics: { acc: 0.9 }, tags: { t: 'x' } }];
    const state = { title: 't', sourceLabel: 's', serverFilter: false, filter: '', runs, paramKeys: keysOf(runs, 'params'), metricKeys: keysOf(runs, 'metrics'), tagKeys: keysOf(runs, 'tags'), restore: { sourceId: 's', experimentIds: ['1'] }, strings: {} };
    const wire = tableWire(state);
    assert.equal(typeof wire.runs, 'string');
    assert.deepEqual({ ...wire, runs: decodeRuns(wire.runs) }, state);
  });

  it('refuses what is not a run list', () => {
    assert.throws(() => decodeRuns('{"v":2}'), /not a run list/);
    assert.throws(() => decodeRuns('nope'));
  });
});

describe('experiments: MLflow page tokens', () => {
  it('reads the offset in a store’s page token, and nothing else', () => {
    assert.equal(offsetOf(Buffer.from('{"offset": 1000}').toString('base64')), 1000);
    assert.equal(offsetOf(Buffer.from('{"offset":7}').toString('base64')), 7);
    assert.equal(offsetOf(Buffer.from('{"offset": 7, "x": 1}').toString('base64')), undefined);
    assert.equal(offsetOf('opaque-cursor-from-another-server'), undefined);
  });
});

describe('run labels in Compare', () => {
  it('runs of the same name are told apart by a short id; unique names stay as they are', () => {
    const run = (id: string, name: string) => ({ id, name, status: 'FINISHED', experimentId: '0', experimentName: 'e', params: {}, metrics: {}, tags: {} });
    const labels = runLabels([run('aaaaaaaa11', 'bold-fox'), run('bbbbbbbb22', 'bold-fox'), run('cccccccc33', 'calm-owl')]);
    assert.deepEqual([...labels.values()], ['bold-fox (aaaaaaa)', 'bold-fox (bbbbbbb)', 'calm-owl']);
  });
});
