import { strict as assert } from 'node:assert';
import { FilterSyntaxError, compileFilter, parseFilter } from '../../../src/experiments/core/filter';
import type { Run } from '../../../src/experiments/core/model';

function run(id: string, over: Partial<Run> = {}): Run {
  return { id, name: id, experimentId: '1', status: 'FINISHED', params: {}, metrics: {}, tags: {}, ...over };
}

const runs: Run[] = [
  run('a', { name: 'logreg-ä', params: { C: '1.0', 'train.lr': '0.01' }, metrics: { accuracy: 0.91, 'val loss': 0.3 }, tags: { team: 'Vision' }, startTime: 1000 }),
  run('b', { name: 'svm', params: { C: '10' }, metrics: { accuracy: 0.97 }, tags: {}, status: 'FAILED', startTime: 2000 }),
  run('c', { name: 'forest', params: { 'train.lr': '0.1' }, metrics: {}, tags: { team: 'nlp' }, startTime: 3000 }),
];
const ids = (filter: string): string[] => runs.filter(compileFilter(filter)).map((r) => r.id);

describe('experiments: MLflow filter syntax applied locally', () => {
  it('an empty filter keeps every run', () => {
    assert.deepEqual(ids(''), ['a', 'b', 'c']);
    assert.deepEqual(ids('   '), ['a', 'b', 'c']);
  });

  it('compares metrics as numbers; a run without the metric never matches', () => {
    assert.deepEqual(ids('metrics.accuracy > 0.95'), ['b']);
    assert.deepEqual(ids('metrics.accuracy <= 0.95'), ['a']);
    assert.deepEqual(ids('metric.accuracy != 0.91'), ['b']);
    assert.deepEqual(ids('metrics.accuracy >= 1e-1'), ['a', 'b']);
  });

  it('reads quoted keys (backticks, double quotes) and dotted keys', () => {
    assert.deepEqual(ids('metrics.`val loss` < 0.5'), ['a']);
    assert.deepEqual(ids('metrics."val loss" < 0.5'), ['a']);
    assert.deepEqual(ids("params.train.lr = '0.1'"), ['c']);
  });

  it('params and tags: = != LIKE ILIKE IN NOT IN, IS NULL', () => {
    assert.deepEqual(ids("params.C = '1.0'"), ['a']);
    assert.deepEqual(ids("params.C != '1.0'"), ['b']);
    assert.deepEqual(ids("tags.team LIKE 'V%'"), ['a']);
    assert.deepEqual(ids("tags.team LIKE 'v%'"), []);
    assert.deepEqual(ids("tags.team ILIKE 'v%'"), ['a']);
    assert.deepEqual(ids("tags.team ILIKE '_lp'"), ['c']);
    assert.deepEqual(ids(`attributes.run_id IN ('b', 'c')`), ['b', 'c']);
    assert.deepEqual(ids('tags.team IS NULL'), ['b']);
    assert.deepEqual(ids('tags.team is not null'), ['a', 'c']);
  });

  it('refuses what an MLflow server refuses, in its words (test/integration/filter-grammar.test.ts compares with MLflow itself)', () => {
    assert.throws(() => compileFilter('params.C > 2'), /Expected a quoted string value for parameter \(e\.g\. 'my-value'\)\. Got value 2/);
    assert.throws(() => compileFilter("metrics.accuracy > '0.9'"), /Expected numeric value type for metric\. Found '0\.9'/);
    assert.throws(() => compileFilter("params.C IN ('10', '3')"), /Expected a quoted string value for parameter/);
    assert.throws(() => compileFilter("attributes.status IN ('FAILED')"), /Only \['run_id'\] attributes support comparison with a list/);
    assert.throws(() => compileFilter('metrics.accuracy IS NULL'), /IS NULL \/ IS NOT NULL is only supported for tags and params/);
  });

  it('attributes: status, run name (non-ASCII), start time; AND joins clauses', () => {
    assert.deepEqual(ids("attributes.status = 'FAILED'"), ['b']);
    assert.deepEqual(ids("attributes.run_name LIKE '%-ä'"), ['a']);
    assert.deepEqual(ids('attributes.start_time > 1500 and metrics.accuracy > 0'), ['b']);
    assert.deepEqual(ids("run.status = 'FINISHED' AND params.C = '1.0'"), ['a']);
  });

  it('a LIKE pattern is literal apart from % and _', () => {
    const r = [run('x', { tags: { t: 'a.b(c)' } }), run('y', { tags: { t: 'axb(c)' } })];
    assert.deepEqual(r.filter(compileFilter("tags.t LIKE 'a.b(%'")).map((x) => x.id), ['x']);
  });

  it('says what is wrong and where', () => {
    const cases: Array<[string, RegExp]> = [
      ['accuracy > 1', /expected "\." after accuracy|not metrics, params/],
      ['metricz.a > 1', /"metricz" is not metrics, params, tags or attributes/],
      ["metrics.a > 'x'", /Expected numeric value type for metric\. Found 'x'/],
      ['metrics.a ~ 1', /"~" is not a comparator/],
      ['metrics.a > 1 or metrics.b > 1', /OR is not supported/],
      ['metrics.a > 1 and', /expected a clause after AND/],
      ["params.a = 'open", /unterminated ' quote/],
      ["attributes.colour = 'x'", /unknown attribute "colour"/],
      ["metrics.a LIKE '1'", /Expected numeric value type for metric/],
      ["attributes.run_id IN 'x'", /expected "\(" after IN/],
    ];
    for (const [src, re] of cases) {
      assert.throws(() => parseFilter(src), (e: unknown) => e instanceof FilterSyntaxError && re.test(e.message) && /at character \d+/.test(e.message), src);
    }
  });
});
