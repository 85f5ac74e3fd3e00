// The local filter (file stores, DVC) against MLflow's own parser, run by the real MLflow in
// the tools venv: every filter is accepted by both or refused by both, and where MLflow
// refuses a value of the wrong type it is refused here with MLflow's words. So a filter
// that works on a file store works on a server, and one a server refuses is refused here.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { parseFilter } from '../../src/experiments/core/filter';
import { venvPython } from './helpers/processes';

const FILTERS = [
  "params.C = '0.01'",
  'params.C = 0.01',
  "params.C != 'x'",
  "params.C LIKE '%1'",
  "params.C ILIKE '%A'",
  "params.C IN ('0.01')",
  "params.C NOT IN ('a', 'b')",
  'params.C IS NULL',
  'params.C IS NOT NULL',
  "tags.team = 'a'",
  "tags.x IN ('a')",
  'tags.t IS NULL',
  'metrics.accuracy > 0.9',
  "metrics.accuracy > '0.9'",
  'metrics.accuracy >= 1e-3',
  "metrics.a LIKE '1'",
  'metrics.a IS NULL',
  "attributes.run_id IN ('a', 'b')",
  "attributes.run_id = 'a'",
  "attributes.run_name IN ('a')",
  "attributes.status IN ('FINISHED')",
  "attributes.status = 'FINISHED'",
  "attributes.run_name LIKE 'x%'",
  'attributes.run_name = 1',
  'attributes.start_time > 1',
  "attributes.start_time > '1'",
  "metrics.accuracy > 0.9 AND params.C = '1.0'",
  "metrics.accuracy > 0.9 OR params.C = '1.0'",
  'metrics.accuracy >',
  "params.`my key` = 'v'",
  'params."my key" = \'v\'',
];

describe('the local filter grammar is MLflow’s', function () {
  this.timeout(120_000);

  it('accepts and refuses what MLflow does, with MLflow’s words for values of the wrong type', () => {
    const script = `
import json, sys
from mlflow.utils.search_utils import SearchUtils
out = []
for f in json.load(sys.stdin):
    try:
        SearchUtils.parse_search_filter(f); out.append([True, ""])
    except Exception as e:
        out.append([False, str(e)])
print(json.dumps(out))`;
    const theirs = JSON.parse(execFileSync(venvPython(), ['-c', script], { input: JSON.stringify(FILTERS), encoding: 'utf8' })) as Array<[boolean, string]>;
    const disagreements: string[] = [];
    FILTERS.forEach((f, i) => {
      let ours: [boolean, string];
      try {
        parseFilter(f);
        ours = [true, ''];
      } catch (e) {
        ours = [false, (e as Error).message.replace(/ \(at character \d+\)$/, '')];
      }
      const [ok, message] = theirs[i]!;
      if (ours[0] !== ok) disagreements.push(`${f}: MLflow ${ok ? 'accepts' : `refuses (${message})`}, here ${ours[0] ? 'accepted' : `refused (${ours[1]})`}`);
      else if (!ok && /^Expected (a quoted string|numeric value)|^Only \['run_id'\]|^IS NULL/.test(message) && ours[1] !== message) disagreements.push(`${f}: MLflow says "${message}", here "${ours[1]}"`);
    });
    assert.deepEqual(disagreements, []);
  });
});
