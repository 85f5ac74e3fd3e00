// Every parser and matcher that runs a regular expression (or a pattern) over text from the
// workspace, a server or a user, fed 100,000-character inputs built to make a backtracking
// engine go quadratic or worse. Each must finish in under 250 ms (most take a few ms, a
// .dockerignore wildcard pattern tens of ms, its cost being path × pattern; the quadratic and
// exponential cases this replaced took from seconds to hours), so one that goes non-linear
// again fails here instead of freezing the extension host.
import { strict as assert } from 'node:assert';
import { parseSyllabus } from '../../../src/syllabus/core/parser';
import { detectFramework, parseProjectMarker } from '../../../src/scaffold/core/projects';
import { validateProjectName, validateFeatures, validateModelSource } from '../../../src/scaffold/core/model';
import { commandPort, declaresBaseImage, exposedPort, imageNameFor } from '../../../src/docker/core/project';
import { buildFailure } from '../../../src/docker/core/client';
import { mlflowRunId, parseEnv, sanitizeTag } from '../../../src/docker/core/model';
import { isExcluded, parseDockerignore } from '../../../src/docker/core/dockerignore';
import { compileFilter, likeMatch } from '../../../src/experiments/core/filter';
import { compareRuns } from '../../../src/experiments/core/sources';
import { isSafeArtifactPath } from '../../../src/experiments/core/artifacts';
import { declaredRoutes, healthcheckPath } from '../../../src/deploy/core/probe';
import { withoutCredentials, isCommitId } from '../../../src/common/urls';
import type { Run } from '../../../src/experiments/core/model';

const N = 100_000;
const rep = (s: string, n = N / s.length): string => s.repeat(Math.max(1, Math.floor(n)));
const run = (name: string, extra: Partial<Run> = {}): Run => ({ id: 'x', name, status: 'FINISHED', experimentId: '0', params: { p: name }, metrics: {}, tags: { t: name }, ...extra });

/** Long inputs of the usual shapes that defeat backtracking: long runs, many line starts, near misses. */
const TEXTS = [rep(' '), rep('\n'), rep(' \n'), rep('\t'), rep('#'), rep('# '), rep('a'), rep('-'), rep('._'), rep('1'), rep('(1'), rep('%a'), `# a${rep(' ')}b`, `${rep(' ', N / 2)}${rep('1', N / 2)}`, `a${rep('-')}b`, `- [ ]${rep(' ')}x`, `---\ntitle:${rep(' ')}x`, rep('a/'), rep('\\'), rep('"'), rep('`')];

const CASES: Array<[string, (text: string) => unknown]> = [
  ['parseSyllabus', (s) => parseSyllabus(s)],
  ['detectFramework', (s) => detectFramework(s, [s])],
  ['parseProjectMarker', (s) => parseProjectMarker('/p', JSON.stringify({ name: s, framework: s, port: s, image: s, modelSource: { kind: 'mlflow', uri: s } }))],
  ['validateProjectName', (s) => validateProjectName(s)],
  ['validateFeatures', (s) => validateFeatures([{ name: s, type: 'float' }])],
  ['validateModelSource (MLflow URI)', (s) => validateModelSource({ kind: 'mlflow', uri: `runs:/${'a'.repeat(32)}/${s}` })],
  ['exposedPort / declaresBaseImage / commandPort', (s) => [exposedPort(s), declaresBaseImage(s), commandPort(s), commandPort(`CMD ${s}`), commandPort(`CMD --port ${s}`)]],
  ['buildFailure (Dockerfile)', (s) => buildFailure('pull access denied', s, `FROM ${s.slice(0, 1000)}`)],
  ['imageNameFor', (s) => imageNameFor(s)],
  ['sanitizeTag, mlflowRunId, parseEnv', (s) => [sanitizeTag(s), mlflowRunId(s), parseEnv(`A=${s}\n${s}`)]],
  // One case per pattern: each is its own automaton (and the bound is per pattern).
  ...['*a*a*a*a*a*a*a*b', '**/**/**/**/z', '[a]*[a]*[a]*c', '**\n!**/*.x*y*z'].map((pattern): [string, (text: string) => unknown] => {
    const compiled = parseDockerignore(pattern);
    return [`.dockerignore ${JSON.stringify(pattern)}`, (s) => isExcluded(compiled, s)];
  }),
  ['filter LIKE', (s) => compileFilter("attributes.run_name LIKE '%a%a%a%a%a%a%a%a%b' and params.p ILIKE '_%_%_%_%_%_%x'")(run(s))],
  ['likeMatch', (s) => likeMatch(rep('%a', 40), s, true)],
  ['order by', (s) => [...Array(2)].map(() => compareRuns([`params.${s.slice(0, 1000)} DESC`]))],
  ['probe: declared routes and HEALTHCHECK', (s) => [declaredRoutes(`@app.get(${s}`), declaredRoutes(s), healthcheckPath(`HEALTHCHECK CMD curl http://localhost:${s}`), healthcheckPath(s)]],
  ['artifact paths, URLs, commits', (s) => [isSafeArtifactPath(s), withoutCredentials(`https://${s}@h/`), isCommitId(s)]],
];

/** Linear work on 100,000 characters stays far below this on a loaded machine; quadratic work takes seconds. */
const LIMIT_MS = 250;

describe('linear time on adversarial text (100,000 characters)', function () {
  this.timeout(120_000);
  for (const [name, f] of CASES) {
    it(`${name}: every input under ${LIMIT_MS} ms`, () => {
      const slow: string[] = [];
      for (const text of TEXTS) {
        try {
          f(text.slice(0, 64)); // warm the code path, so the time measured is the input's
        } catch {
          // refused
        }
        // The best of three runs: a quadratic case takes seconds every time; a stall of the
        // machine (another tier building an image) does not repeat three times in a row.
        let ms = Infinity;
        for (let attempt = 0; attempt < 3 && ms > LIMIT_MS; attempt++) {
          const started = performance.now();
          try {
            f(text);
          } catch {
            // refusing the input is fine; taking long is not
          }
          ms = Math.min(ms, performance.now() - started);
        }
        if (ms > LIMIT_MS) slow.push(`${JSON.stringify(text.slice(0, 12))}… ${ms.toFixed(0)} ms`);
      }
      assert.deepEqual(slow, []);
    });
  }

  it('.dockerignore refuses a pattern longer than 1,000 characters (its cost is path × pattern)', () => {
    assert.throws(() => parseDockerignore(rep('*a', 2000)), /longer than 1000/);
  });
});
