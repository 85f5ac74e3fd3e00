// Every parser of untrusted input, fed arbitrary and adversarial text by fast-check: it
// returns, or refuses with the error made for the user (UserFacingError, a filter's or a
// .dockerignore's syntax error); it never throws anything else (a TypeError on a missing
// field, a RangeError from recursion) and never hangs (each run is timed by mocha).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { UserFacingError } from '../../../src/common/errors';
import { parseSyllabus } from '../../../src/syllabus/core/parser';
import { parseExpShow } from '../../../src/experiments/core/dvc/client';
import { MlflowFileStore } from '../../../src/experiments/core/mlflow/fileStore';
import { FilterSyntaxError, compileFilter } from '../../../src/experiments/core/filter';
import { DockerignoreSyntaxError, isExcluded, parseDockerignore } from '../../../src/docker/core/dockerignore';
import { declaresBaseImage, exposedPort } from '../../../src/docker/core/project';
import { findProjectManifests } from '../../../src/deploy/core/manifests';
import { parseProjectMarker, detectFramework } from '../../../src/scaffold/core/projects';
import type { Run } from '../../../src/experiments/core/model';

// One seed, so CI runs are repeatable; MLOPS_FUZZ_SEED=<n> (or "random") explores further.
if (process.env.MLOPS_FUZZ_SEED !== 'random') fc.configureGlobal({ seed: Number(process.env.MLOPS_FUZZ_SEED ?? 20261201) });

const expected = (err: unknown): boolean => err instanceof UserFacingError || err instanceof FilterSyntaxError || err instanceof DockerignoreSyntaxError;
function survives(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!expected(err)) throw err;
  }
}
async function survivesAsync(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (!expected(err)) throw err;
  }
}

/** Text made of the characters each format gives meaning to, plus anything. */
const textOf = (chars: string[]): fc.Arbitrary<string> => fc.oneof(fc.string({ unit: fc.constantFrom(...chars), maxLength: 300 }), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.anything({ maxDepth: 4 }));
const RUN: Run = { id: 'r', name: 'n', status: 'FINISHED', experimentId: '0', params: { C: '1' }, metrics: { acc: 0.9 }, tags: { t: 'x' } };
const RUNS = 300;

describe('fuzzed parsers of untrusted input', function () {
  this.timeout(60_000);

  it('syllabus Markdown', () => {
    fc.assert(fc.property(textOf(['#', ' ', '\n', '-', '*', '[', ']', 'x', '✅', '☑', '\uFE0F', '`', '~', '(', ')', 'h', '1', '.', ':', '<', '!', '-', '>', '\t', '\r']), (s) => survives(() => parseSyllabus(s))), { numRuns: RUNS });
  });

  it('DVC exp show JSON', () => {
    const rev = fc.record({ rev: fc.oneof(fc.string(), fc.constant('workspace'), fc.integer() as fc.Arbitrary<unknown>), name: fc.option(fc.string()), data: fc.option(fc.record({ params: jsonish, metrics: jsonish, timestamp: jsonish })), error: fc.option(jsonish) }, { requiredKeys: [] });
    const row = fc.record({ rev: fc.string(), experiments: fc.option(fc.array(fc.record({ revs: fc.oneof(fc.array(rev), jsonish), executor: fc.option(jsonish), name: fc.option(jsonish) }, { requiredKeys: [] }))) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(fc.array(fc.oneof(row, rev, jsonish)), jsonish), (v) => survives(() => parseExpShow(JSON.stringify(v) ?? 'null'))), { numRuns: RUNS });
    fc.assert(fc.property(fc.string(), (s) => survives(() => parseExpShow(s))), { numRuns: 100 });
  });

  it('MLflow filters', () => {
    const filter = textOf(['m', 'e', 't', 'r', 'i', 'c', 's', '.', 'p', 'a', 'r', 'm', ' ', '=', '!', '<', '>', "'", '"', '`', '%', '_', 'A', 'N', 'D', 'I', 'L', 'K', '(', ')', ',', '1', '0', 'x']);
    fc.assert(fc.property(filter, (s) => survives(() => compileFilter(s)(RUN))), { numRuns: RUNS });
  });

  it('.dockerignore and Dockerfiles', () => {
    const pattern = textOf(['*', '?', '[', ']', '^', '-', '\\', '/', '!', '#', '.', 'a', 'b', '\n', ' ']);
    const file = textOf(['a', 'b', '/', '.', '-', '*']);
    fc.assert(fc.property(pattern, file, (p, f) => survives(() => isExcluded(parseDockerignore(p), f))), { numRuns: RUNS });
    const dockerfile = textOf(['E', 'X', 'P', 'O', 'S', 'A', 'R', 'G', ' ', '\t', '\n', '8', '0', '=', 'B', 'I', 'M', '\\']);
    fc.assert(fc.property(dockerfile, (d) => survives(() => [exposedPort(d), declaresBaseImage(d)])), { numRuns: RUNS });
  });

  it('project markers and framework detection', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), jsonish.map((v) => JSON.stringify(v) ?? '')), (text) => survives(() => parseProjectMarker('/p', text))), { numRuns: RUNS });
    fc.assert(fc.property(fc.string(), fc.array(fc.string(), { maxLength: 3 }), (r, srcs) => survives(() => detectFramework(r, srcs))), { numRuns: RUNS });
  });

  describe('files on disk', () => {
    let dir = '';
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-fuzz-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('Kubernetes manifests', async () => {
      const yaml = textOf(['a', 'k', 'i', 'n', 'd', ':', ' ', '\n', '-', '{', '}', '[', ']', '&', '*', '!', '|', '>', '#', '"', "'", 'D', 'e', 'p', 'l', 'o', 'y', 'm', 't', 'v', '1', '/']);
      const docs = fc.array(fc.oneof(yaml, jsonish.map((v) => JSON.stringify(v) ?? '')), { maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(docs, async (texts) => {
          mkdirSync(path.join(dir, 'k8s'), { recursive: true });
          writeFileSync(path.join(dir, 'k8s', 'deployment.yaml'), texts.join('\n---\n'));
          await survivesAsync(() => findProjectManifests(dir));
        }),
        { numRuns: 150 },
      );
    });

    it('an MLflow file store', async () => {
      const value = fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''), fc.constantFrom('run_id: [', 'status: {', 'lifecycle_stage: deleted', ': :', '&a [*a, *a]', '1 x y\n2', 'NaN NaN NaN', ''));
      await fc.assert(
        fc.asyncProperty(value, value, value, value, async (expMeta, runMeta, param, metric) => {
          const run = path.join(dir, 'mlruns', '1', 'r1');
          for (const d of ['params', 'metrics', 'tags']) mkdirSync(path.join(run, d), { recursive: true });
          writeFileSync(path.join(dir, 'mlruns', '1', 'meta.yaml'), expMeta);
          writeFileSync(path.join(run, 'meta.yaml'), runMeta);
          writeFileSync(path.join(run, 'params', 'p'), param);
          writeFileSync(path.join(run, 'metrics', 'm'), metric);
          const store = new MlflowFileStore(path.join(dir, 'mlruns'));
          await survivesAsync(async () => {
            await store.experiments();
            const { runs } = await store.runs('1');
            for (const r of runs) assert.equal(typeof r.id, 'string');
            await store.metricHistory('1', 'r1', 'm');
          });
        }),
        { numRuns: 150 },
      );
    });
  });
});
