// What a deploy applies when a project has no k8s folder of its own.
import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../../src/deploy/core/manifests';
import { deleteCandidates, generatedManifests, kubeNameFor, prepareManifests, findProjectManifests, templateManifests } from '../../../src/deploy/core/manifests';
import { imageNameFor } from '../../../src/docker/core/project';
import fc from 'fast-check';
import { SAMPLE_FEATURES } from '../../../src/scaffold/core/model';
import { planProject } from '../../../src/scaffold/core/render';
import { loadTemplates, templatesRoot } from '../scaffold/templates';

const what = { namespace: 'team', image: 'iris-api:1.0.0-abc', pullPolicy: 'IfNotPresent' as const, modelVersion: 'v1', imageId: 'sha256:abc' };
type Container = { securityContext?: unknown; livenessProbe?: unknown; readinessProbe?: unknown; startupProbe?: unknown; resources?: unknown };
const container = (objects: KubeObject[]): Container => ((objects.find((o) => o.kind === 'Deployment')!.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!);

describe('generated manifests (deploy/core/manifests)', () => {
  it('a scaffolded project without its k8s folder deploys exactly what its k8s folder would have held', async () => {
    const templates = await loadTemplates();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-manifests-'));
    try {
      // The scaffold writes k8s/ for "iris-api" on port 8123; the deploy reads it as the project's own.
      for (const f of planProject({ framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8123, pythonVersion: '3.12' }, templates)) {
        if (!f.path.startsWith('k8s/') || f.content === undefined) continue;
        mkdirSync(path.join(dir, 'k8s'), { recursive: true });
        writeFileSync(path.join(dir, f.path), f.content);
      }
      const fromFolder = prepareManifests((await findProjectManifests(dir)).objects, what);
      const fromTemplate = prepareManifests(await templateManifests(templatesRoot, 'iris-api', 8123), what);
      assert.deepEqual(fromTemplate, fromFolder);
      const c = container(fromTemplate);
      for (const part of ['securityContext', 'livenessProbe', 'readinessProbe', 'startupProbe', 'resources'] as const) assert.ok(c[part], `the template's ${part}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a plain app gets its port and a readiness probe, and no assumption about its image’s user or writable paths', () => {
    const objects = prepareManifests(generatedManifests('shop-api', 5000), { ...what, image: 'shop-api:1' });
    const c = container(objects);
    assert.equal(c.securityContext, undefined);
    assert.ok(c.readinessProbe);
    assert.deepEqual(objects.map((o) => o.kind), ['Deployment', 'Service']);
  });
});

describe('Kubernetes names from folder names', () => {
  const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  for (const [folder, name] of [
    ['my_project_2024', 'my-project-2024'],
    ['2024.model', 'app-2024-model'],
    ['Iris API', 'iris-api'],
    ['__x__', 'x'],
    ['ünïcode', 'n-code'],
    ['---', 'model-api'],
  ] as const) {
    it(`"${folder}" deploys as "${name}"`, () => {
      const [dep, svc] = generatedManifests(imageNameFor(folder), 8000);
      assert.equal(dep!.metadata.name, name);
      assert.equal(svc!.metadata.name, name);
      assert.match(name, DNS1035);
    });
  }
  it('any folder name gives a valid Service name of at most 63 characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (folder) => {
        const n = kubeNameFor(folder);
        assert.match(n, DNS1035, JSON.stringify(folder));
        assert.ok(n.length <= 63);
      }),
      { numRuns: 500 },
    );
  });
});

describe('what Delete removes with a Deployment', () => {
  it('the objects its deploy applied, whatever their names, as the Deployment records them', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop-api' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'x' }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-svc' } },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'shop-hpa' } },
    ];
    const applied = prepareManifests(objects, { ...what, project: '/ws/shop' });
    const recorded = applied[0]!.metadata.annotations!['mlops.workbench/objects'];
    assert.equal(recorded, 'Service/shop-svc,HorizontalPodAutoscaler/shop-hpa');
    assert.ok(applied.every((o) => o.metadata.annotations?.['mlops.workbench/project'] === '/ws/shop'), 'each object names its project');
    assert.deepEqual(deleteCandidates('shop-api', 'team', recorded).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['v1 Service team/shop-svc', 'autoscaling/v2 HorizontalPodAutoscaler team/shop-hpa']);
  });

  it('a Deployment of an older deploy (no record): its Service and autoscaler of the same name', () => {
    assert.deepEqual(deleteCandidates('iris-api', 'team', undefined).map((o) => `${o.kind}/${o.metadata.name}`), ['Service/iris-api', 'HorizontalPodAutoscaler/iris-api']);
  });

  it('a record someone edited cannot name other kinds, other namespaces or invalid names', () => {
    assert.deepEqual(deleteCandidates('a', 'team', 'ClusterRoleBinding/admin,Namespace/kube-system,Service/../x,Service/ok,Secret/s,Service/kube-system/y').map((o) => `${o.kind}/${o.metadata.name}`), ['Service/ok']);
  });
});
