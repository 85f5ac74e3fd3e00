import { strict as assert } from 'node:assert';
import { parse as parseYaml } from 'yaml';
import type { ScaffoldOptions } from '../../../src/scaffold/core/model';
import { SAMPLE_FEATURES } from '../../../src/scaffold/core/model';
import { comparePlan, planProject } from '../../../src/scaffold/core/render';
import { loadTemplates } from './templates';

let templates: Map<string, string>;
before(async () => {
  templates = await loadTemplates();
});
const base: ScaffoldOptions = { framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8123, pythonVersion: '3.12' };
const byPath = (o: ScaffoldOptions): Map<string, string | undefined> => new Map(planProject(o, templates).map((f) => [f.path, f.content]));

describe('scaffold templates', () => {
  for (const framework of ['fastapi', 'flask'] as const) {
    for (const modelSource of [{ kind: 'sample' }, { kind: 'file', path: '/ws/models/churn.joblib' }, { kind: 'mlflow', uri: 'models:/iris/2' }] as const) {
      it(`${framework} with a ${modelSource.kind} model: every file rendered, nothing left unrendered`, () => {
        const files = byPath({ ...base, framework, modelSource });
        for (const need of ['app/main.py', 'app/model.py', 'app/schemas.py', 'Dockerfile', '.dockerignore', 'k8s/deployment.yaml', 'k8s/service.yaml', 'tests/test_api.py', 'requirements.txt', '.mlops/project.json', 'README.md']) {
          assert.ok(files.has(need), need);
        }
        assert.equal(files.has('train.py'), modelSource.kind === 'sample');
        assert.equal(files.has('fetch_model.py'), modelSource.kind === 'mlflow');
        for (const [p, text] of files) {
          if (text === undefined) continue;
          assert.doesNotMatch(text, /\{\{[#^/]?[a-zA-Z.]+\}\}/, `${p} has an unrendered tag`);
        }
        const marker = JSON.parse(files.get('.mlops/project.json')!);
        assert.equal(marker.framework, framework);
        assert.equal(marker.port, 8123);
        assert.equal(marker.modelSource.kind, modelSource.kind);
        const k8s = parseYaml(files.get('k8s/deployment.yaml')!);
        assert.equal(k8s.spec.template.spec.containers[0].ports[0].containerPort, 8123);
        assert.equal(k8s.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
        assert.equal(parseYaml(files.get('k8s/service.yaml')!).metadata.name, 'iris-api');
        assert.deepEqual(Object.keys(JSON.parse(files.get('sample-payload.json')!)), SAMPLE_FEATURES.map((f) => f.name));
      });
    }
  }

  it('the framework decides the server and the requirements', () => {
    const fa = byPath(base);
    const fl = byPath({ ...base, framework: 'flask' });
    assert.match(fa.get('gunicorn.conf.py')!, /uvicorn_worker\.UvicornWorker/);
    assert.match(fl.get('gunicorn.conf.py')!, /worker_class = "sync"/);
    assert.match(fa.get('requirements.txt')!, /^fastapi==/m);
    assert.doesNotMatch(fa.get('requirements.txt')!, /^flask==/m);
    assert.match(fl.get('requirements.txt')!, /^flask==/m);
    assert.match(fl.get('app/main.py')!, /openapi_document/);
  });

  it('the Dockerfile takes BASE_IMAGE, runs as non-root and checks its health', () => {
    const d = byPath(base).get('Dockerfile')!;
    assert.match(d, /^ARG BASE_IMAGE=python:3\.12-slim$/m);
    assert.match(d, /^USER 10001/m);
    assert.match(d, /^HEALTHCHECK /m);
    assert.match(d, /^EXPOSE 8123$/m);
  });

  it('copies a model file instead of rendering it', () => {
    const plan = planProject({ ...base, modelSource: { kind: 'file', path: '/ws/models/churn.joblib' } }, templates);
    assert.deepEqual(plan.find((f) => f.path === 'model/churn.joblib'), { path: 'model/churn.joblib', copyFrom: '/ws/models/churn.joblib' });
  });

  it('a feature name that is not an identifier becomes an alias', () => {
    const files = byPath({ ...base, features: [{ name: 'sepal length (cm)', type: 'float' }, { name: 'is_new', type: 'bool', example: true }, { name: 'city', type: 'str' }] });
    const schemas = files.get('app/schemas.py')!;
    assert.match(schemas, /sepal_length_cm: Number = Field\(alias="sepal length \(cm\)", examples=\[0\.5\]\)/);
    assert.match(schemas, /is_new: Flag = Field\(alias="is_new", examples=\[True\]\)/);
    assert.match(files.get('requirements.txt')!, /^pandas==/m, 'text features are scored through a DataFrame');
  });

  it('compares a plan with what is on disk', () => {
    const plan = planProject(base, templates);
    const readme = plan.find((f) => f.path === 'README.md')!.content!;
    const statuses = comparePlan(plan, (p) => (p === 'README.md' ? readme : p === 'Dockerfile' ? 'FROM mine' : undefined));
    assert.equal(statuses.find((f) => f.path === 'README.md')!.status, 'unchanged');
    assert.equal(statuses.find((f) => f.path === 'Dockerfile')!.status, 'conflict');
    assert.equal(statuses.find((f) => f.path === 'app/main.py')!.status, 'new');
  });
});
