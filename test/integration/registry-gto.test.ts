// DVC's model registry, GTO, as a team keeps it: a git repository whose artifacts are declared
// in dvc.yaml, versions registered and stages assigned by the real `gto` (its own venv),
// a version deregistered, a stage moved on and one unassigned, an artifact deprecated. The
// Models view's reader (git tags only, no Python) must say what `gto show` says.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GtoRegistry, hasGtoTags, readGitTags } from '../../src/registry/core/gtoRegistry';
import { root, run } from './helpers/processes';

describe('GTO registry (real gto, real git)', function () {
  this.timeout(600_000);
  let repo = '';
  let gto = '';
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  const g = async (...args: string[]): Promise<string> => {
    const r = await run(gto, args, { cwd: repo, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    return r.out;
  };

  before(async function () {
    this.timeout(900_000);
    const python = execFileSync('bash', [path.join(root, 'test', 'env', 'python-gto-release.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    gto = path.join(path.dirname(python), 'gto');
    repo = mkdtempSync(path.join(os.tmpdir(), 'mlops-gto-'));
    git('init', '-q');
    git('config', 'user.email', 'ana@example.com');
    git('config', 'user.name', 'Ana');
    mkdirSync(path.join(repo, 'models'));
    writeFileSync(path.join(repo, 'models', 'churn.pkl'), 'one');
    writeFileSync(path.join(repo, 'dvc.yaml'), 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n    desc: Churn classifier\n    labels: [tabular, xgboost]\n  text-model:\n    path: models/text\n    type: model\n');
    git('add', '-A');
    git('commit', '-qm', 'first model');
    await g('register', 'churn');
    await g('assign', 'churn', '--stage', 'prod');
    await g('register', 'text-model');
    writeFileSync(path.join(repo, 'models', 'churn.pkl'), 'two');
    git('commit', '-qam', 'retrained');
    await g('register', 'churn', '--bump-minor');
    await g('assign', 'churn', '--version', 'v0.1.0', '--stage', 'staging');
    await g('assign', 'churn', '--version', 'v0.1.0', '--stage', 'prod');
    writeFileSync(path.join(repo, 'models', 'churn.pkl'), 'three');
    git('commit', '-qam', 'again');
    await g('register', 'churn', '--version', 'v0.10.0');
    await g('assign', 'churn', '--version', 'v0.10.0', '--stage', 'dev');
    // (gto deprecate NAME VERSION STAGE unassigns a stage.)
    await g('deprecate', 'churn', 'v0.10.0', 'dev');
    await g('deprecate', 'churn', 'v0.0.1');
    await g('register', 'old-model');
    await g('deprecate', 'old-model');
    // The simple notation (`name#stage`, no counter) that some teams use.
    await g('register', 'simple-model');
    await g('assign', 'simple-model', '--version', 'v0.0.1', '--stage', 'prod', '--simple', 'true');
  });

  it('reads every artifact’s live versions and stages as gto show reports them', async () => {
    const tags = await readGitTags(repo);
    assert.ok(hasGtoTags(tags));
    const { entries, problems } = await new GtoRegistry(repo).list();
    assert.deepEqual(problems, []);
    const report = JSON.parse(await g('show', '--json')) as Record<string, { version: string | null; stage: Record<string, string | null> }>;
    for (const [name, r] of Object.entries(report)) {
      const e = entries.find((x) => x.model.name === name);
      if (!r.version) {
        assert.ok(!e || e.versions.length === 0, `${name}: gto shows no version`);
        continue;
      }
      assert.ok(e, `${name} is listed`);
      assert.equal(e.versions[0]!.version, r.version, `${name}: latest version`);
      assert.deepEqual(e.model.aliases, Object.fromEntries(Object.entries(r.stage).filter(([, v]) => v)), `${name}: stages`);
      const versions = (JSON.parse(await g('show', name, '--json')) as Array<{ version: string }>).map((v) => v.version);
      assert.deepEqual(e.versions.map((v) => v.version), versions, `${name}: versions, newest first`);
    }
    const churn = entries.find((e) => e.model.name === 'churn')!;
    assert.deepEqual(churn.versions.map((v) => v.version), ['v0.10.0', 'v0.1.0'], 'v0.10.0 sorts above v0.1.0; the deprecated v0.0.1 is gone');
    assert.deepEqual(churn.model.aliases, { prod: 'v0.1.0', staging: 'v0.1.0' }, 'prod moved on to v0.1.0; dev was unassigned');
    assert.equal(churn.model.description, 'Churn classifier');
    assert.deepEqual(churn.model.tags, { type: 'model', path: 'models/churn.pkl', labels: 'tabular, xgboost' });
    assert.equal(churn.versions[1]!.tags.commit, git('rev-list', '-n', '1', 'churn@v0.1.0').trim());
    assert.match(churn.versions[1]!.source ?? '', /^[0-9a-f]{12}:models\/churn\.pkl$/);
    assert.ok(tags.some((t) => t.tag === 'simple-model#prod'), tags.map((t) => t.tag).join(' '));
    assert.deepEqual(entries.find((e) => e.model.name === 'simple-model')!.model.aliases, { prod: 'v0.0.1' });
  });

  it('follows a change made with gto afterwards, and a repository without GTO tags has none', async () => {
    await g('assign', 'text-model', '--version', 'v0.0.1', '--stage', 'prod');
    const { entries } = await new GtoRegistry(repo).list();
    assert.deepEqual(entries.find((e) => e.model.name === 'text-model')!.model.aliases, { prod: 'v0.0.1' });
    const plain = mkdtempSync(path.join(os.tmpdir(), 'mlops-nogto-'));
    execFileSync('git', ['init', '-q'], { cwd: plain });
    execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: plain });
    execFileSync('git', ['tag', 'v1.0.0'], { cwd: plain });
    execFileSync('git', ['tag', 'release@2024'], { cwd: plain });
    assert.equal(hasGtoTags(await readGitTags(plain)), false);
  });
});
