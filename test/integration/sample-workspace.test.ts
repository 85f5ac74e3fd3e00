// The sample workspace's model API is what the templates generate today, and its own
// tests pass with the model committed beside it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScaffoldOptions } from '../../src/scaffold/core/model';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { root, run, venvPython } from './helpers/processes';

const dir = path.join(root, 'sample-workspace', 'iris-api');

describe('the sample workspace', function () {
  this.timeout(300_000);

  it('holds the scaffolded iris-api exactly as the templates render it now', async () => {
    const marker = JSON.parse(readFileSync(path.join(dir, '.mlops', 'project.json'), 'utf8'));
    const options: ScaffoldOptions = { framework: marker.framework, projectName: marker.name, modelSource: marker.modelSource, features: marker.features, port: marker.port, pythonVersion: marker.python };
    const plan = planProject(options, await loadTemplates(path.join(root, 'media', 'templates', 'model-api')));
    const stale = plan.filter((f) => f.content !== undefined && readFileSync(path.join(dir, f.path), 'utf8') !== f.content).map((f) => f.path);
    assert.deepEqual(stale, [], 'stale: run `npx tsx scripts/regenerate-sample.ts`');
  });

  it('its own tests pass with its committed model', async () => {
    const r = await run(venvPython(), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: dir });
    assert.equal(r.code, 0, r.out);
  });
});
