// Keys from files and servers that name what every object inherits ("constructor",
// "toString", "__proto__", "hasOwnProperty"): as a filter key, an order key, a key metric, a
// DVC metric or a syllabus topic they are absent, never a function read off the prototype.
import { strict as assert } from 'node:assert';
import { compileFilter } from '../../../src/experiments/core/filter';
import { compareRuns } from '../../../src/experiments/core/sources';
import { keyMetric } from '../../../src/experiments/core/model';
import type { Run } from '../../../src/experiments/core/model';
import { parseSyllabus } from '../../../src/syllabus/core/parser';
import { reconcile } from '../../../src/syllabus/core/progress';

const run = (metrics: Record<string, number>): Run => ({ id: 'r', name: 'n', status: 'FINISHED', experimentId: '0', params: {}, metrics, tags: {} });
const INHERITED = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe('inherited property names as keys', () => {
  for (const key of INHERITED) {
    it(`"${key}" as a param in a filter matches no run without it`, () => {
      assert.equal(compileFilter(`params.${key} IS NULL`)(run({})), true);
      assert.equal(compileFilter(`params.${key} = 'x'`)(run({})), false);
    });
    it(`"${key}" as a key metric or an order key is absent`, () => {
      assert.deepEqual(keyMetric(run({ acc: 0.5 }), key), { key: 'acc', value: 0.5 });
      const ordered = [run({ a: 1 }), run({ a: 2 })].sort(compareRuns([`metrics.${key} DESC`]));
      assert.equal(ordered.length, 2);
    });
  }

  it('a topic named "constructor" is to do until it is done, not done because the map inherits it', () => {
    const s = parseSyllabus('# Module\n- [ ] constructor\n- [ ] toString\n');
    const r = reconcile(s, {});
    assert.deepEqual([...r.done], []);
  });
});
