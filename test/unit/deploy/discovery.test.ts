// Where users keep their manifests: at the repository's root beside params.yaml and a
// compose file, in deploy/ as one file of several documents, behind a kustomization, next
// to a Helm chart. The deploy finds the project's own, says which files it used, and
// refuses what it would not apply as kubectl would (Kustomize patches, paths outside).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProjectManifests } from '../../../src/deploy/core/manifests';
import { contextDirFor, dockerfileIn, isDockerfileName, planImage } from '../../../src/docker/core/project';

const deployment = (name: string, image = 'docker.io/someone/app:1.2'): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: web, image: ${image}, ports: [{ containerPort: 8000 }] }] }
`;
const service = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { selector: { app: ${name} }, ports: [{ port: 80, targetPort: 8000 }] }\n`;

describe('finding a project’s own manifests', () => {
  let dir = '';
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-find-manifests-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('at the root, beside YAML that is not Kubernetes’ (params.yaml, dvc.yaml, docker-compose.yml, mkdocs.yml)', async () => {
    write('params.yaml', 'train: { C: 1.0 }\n');
    write('dvc.yaml', 'stages: { train: { cmd: python train.py } }\n');
    write('docker-compose.yml', 'services: { api: { build: . } }\n');
    write('mkdocs.yml', 'site_name: x\n');
    write('deployment.yaml', deployment('shop'));
    write('service.yml', service('shop'));
    const found = await findProjectManifests(dir);
    assert.deepEqual(found.objects.map((o) => `${o.kind} ${o.metadata.name}`), ['Deployment shop', 'Service shop']);
    assert.deepEqual(found.files, ['deployment.yaml', 'service.yml']);
  });

  it('in deploy/, one file holding several documents', async () => {
    write('deploy/app.yaml', `${deployment('shop')}---\n${service('shop')}`);
    const found = await findProjectManifests(dir);
    assert.deepEqual(found.objects.map((o) => o.kind), ['Deployment', 'Service']);
    assert.deepEqual(found.files, ['deploy/app.yaml']);
  });

  it('k8s/ comes first; a folder without a Deployment is passed over, and the output says so', async () => {
    write('kubernetes/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: {}\n');
    write('manifests/all.yaml', deployment('from-manifests'));
    write('deployment.yaml', deployment('from-root'));
    let found = await findProjectManifests(dir);
    assert.equal(found.objects[0]!.metadata.name, 'from-manifests');
    assert.match(found.notes.join('\n'), /kubernetes\/: no Deployment in kubernetes\/config\.yaml/);
    write('k8s/deployment.yaml', deployment('from-k8s'));
    found = await findProjectManifests(dir);
    assert.equal(found.objects[0]!.metadata.name, 'from-k8s');
  });

  it('a kustomization: only the resources it lists', async () => {
    write('k8s/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: [deployment.yaml, service.yaml]\n');
    write('k8s/deployment.yaml', deployment('shop'));
    write('k8s/service.yaml', service('shop'));
    write('k8s/old-deployment.yaml', deployment('old'));
    const found = await findProjectManifests(dir);
    assert.deepEqual(found.files, ['k8s/deployment.yaml', 'k8s/service.yaml']);
  });

  it('a kustomization with patches, generators or outside resources: refused, saying to use kubectl apply -k', async () => {
    write('k8s/deployment.yaml', deployment('shop'));
    for (const extra of ['patches: [{ path: p.yaml }]', 'configMapGenerator: [{ name: c, literals: [a=b] }]', 'resources: [../../../etc/passwd.yaml]', 'resources: [https://example.com/x.yaml]', 'resources: [base]']) {
      write('k8s/kustomization.yaml', `resources: [deployment.yaml]\n${extra}\n`.replace(/^resources: \[deployment\.yaml\]\n(resources:)/, '$1'));
      await assert.rejects(findProjectManifests(dir), /k8s\/kustomization\.yaml uses .*kubectl apply -k k8s/);
    }
  });

  it('a Helm chart is not applied, and the output says so', async () => {
    write('deploy/Chart.yaml', 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
    write('deploy/templates/deployment.yaml', deployment('{{ .Release.Name }}'));
    const found = await findProjectManifests(dir);
    assert.deepEqual(found.objects, []);
    assert.match(found.notes.join('\n'), /deploy\/ is a Helm chart/);
  });

  it('objects it would not apply are refused naming their file, wherever they are', async () => {
    write('deployment.yaml', `${deployment('shop')}---\napiVersion: v1\nkind: Namespace\nmetadata: { name: prod }\n`);
    await assert.rejects(findProjectManifests(dir), /objects the deploy does not apply: deployment\.yaml: v1 Namespace prod/);
  });

  it('no manifests anywhere: none, so generated ones are used', async () => {
    write('params.yaml', 'a: 1\n');
    assert.deepEqual((await findProjectManifests(dir)).objects, []);
  });
});

describe('Dockerfiles by the names users give them', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-dockerfile-names-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows Dockerfile, dockerfile, Containerfile, Dockerfile.prod and api.Dockerfile, not .dockerignore', () => {
    for (const n of ['Dockerfile', 'dockerfile', 'Containerfile', 'Dockerfile.prod', 'dockerfile.dev', 'api.Dockerfile', 'serve.dockerfile']) assert.ok(isDockerfileName(n), n);
    for (const n of ['.dockerignore', 'Dockerfiles', 'README.md', 'mydockerfile']) assert.ok(!isDockerfileName(n), n);
  });

  it('picks Dockerfile first, then dockerfile, then the first Dockerfile.*', async () => {
    assert.equal(await dockerfileIn(dir), undefined);
    writeFileSync(path.join(dir, 'Dockerfile.md'), '# notes');
    assert.equal(await dockerfileIn(dir), undefined);
    writeFileSync(path.join(dir, 'Dockerfile.prod'), 'FROM x');
    writeFileSync(path.join(dir, 'Dockerfile.dev'), 'FROM x');
    assert.equal(path.basename((await dockerfileIn(dir))!), 'Dockerfile.dev');
    writeFileSync(path.join(dir, 'dockerfile'), 'FROM x');
    assert.equal(path.basename((await dockerfileIn(dir))!), 'dockerfile');
  });
});

describe('a Dockerfile kept in a subfolder and built from the folder above', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-context-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is built with the folder that holds what it copies (COPY app/requirements.txt), and that folder’s k8s/ is the project’s', async () => {
    mkdirSync(path.join(dir, 'app'));
    mkdirSync(path.join(dir, 'k8s'));
    writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM python\nWORKDIR /app\nCOPY app/requirements.txt .\nCOPY . .\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n');
    writeFileSync(path.join(dir, 'app', 'requirements.txt'), 'fastapi\n');
    writeFileSync(path.join(dir, 'k8s', 'deployment.yaml'), deployment('ml-api'));
    writeFileSync(path.join(dir, 'k8s', 'ingress.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: ml-api }\n');
    assert.equal(await contextDirFor(path.join(dir, 'app', 'Dockerfile')), dir);
    const plan = await planImage({ dockerfile: path.join(dir, 'app', 'Dockerfile') });
    assert.equal(plan.contextDir, dir);
    assert.equal(plan.dockerfile, 'app/Dockerfile');
    // Its Ingress is passed over with a note, not refused.
    const found = await findProjectManifests(dir);
    assert.deepEqual(found.objects.map((o) => o.kind), ['Deployment']);
    assert.match(found.notes.join('\n'), /not applied .*Ingress ml-api \(k8s\/ingress\.yaml\)/);
  });

  it('a Dockerfile whose sources are beside it keeps its own folder', async () => {
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python\nCOPY requirements.txt .\n');
    writeFileSync(path.join(dir, 'requirements.txt'), '\n');
    assert.equal(await contextDirFor(path.join(dir, 'Dockerfile')), dir);
  });
});
