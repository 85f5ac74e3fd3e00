// Which kind of cluster a context is, and how an image gets into it.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterFacts } from '../../../src/kube/core/detect';
import { detectCluster } from '../../../src/kube/core/detect';
import { onPath } from '../../../src/common/tools';
import { isLocalRegistry, normalizedRef, planDelivery } from '../../../src/deploy/core/delivery';

const facts = (over: Partial<ClusterFacts>): ClusterFacts => ({ context: 'ctx', cluster: 'c', server: 'https://127.0.0.1:6443', nodes: [], ...over });
const opts = { setting: 'auto' as const, registry: 'localhost:5000', containerdAddress: '/run/containerd/containerd.sock', containerdOnThisHost: false };

describe('cluster detection', () => {
  it('knows each local distribution by its nodes, whatever the context is called', () => {
    assert.deepEqual(detectCluster(facts({ context: 'mine', nodes: [{ name: 'dev-control-plane', providerID: 'kind://docker/dev/dev-control-plane', containerRuntimeVersion: 'containerd://1.7.1' }] })), {
      kind: 'kind',
      evidence: 'node dev-control-plane has provider ID kind://docker/dev/dev-control-plane',
      runtime: 'containerd',
      clusterName: 'dev',
    });
    assert.equal(detectCluster(facts({ nodes: [{ name: 'minikube', labels: { 'minikube.k8s.io/name': 'prof' }, containerRuntimeVersion: 'docker://24' }] })).clusterName, 'prof');
    assert.deepEqual(
      (({ kind, clusterName }) => ({ kind, clusterName }))(detectCluster(facts({ nodes: [{ name: 'k3d-demo-server-0', providerID: 'k3s://k3d-demo-server-0' }] }))),
      { kind: 'k3d', clusterName: 'demo' },
    );
    assert.equal(detectCluster(facts({ nodes: [{ name: 'n1', labels: { 'microk8s.io/cluster': 'true' } }] })).kind, 'microk8s');
    assert.equal(detectCluster(facts({ nodes: [{ name: 'docker-desktop', osImage: 'Docker Desktop' }] })).kind, 'docker-desktop');
    assert.equal(detectCluster(facts({ nodes: [{ name: 'lima-rancher-desktop' }] })).kind, 'rancher-desktop');
  });

  it('falls back to the context names the tools give when nodes cannot be listed', () => {
    assert.deepEqual(
      (({ kind, clusterName }) => ({ kind, clusterName }))(detectCluster(facts({ context: 'kind-ml' }))),
      { kind: 'kind', clusterName: 'ml' },
    );
    assert.equal(detectCluster(facts({ context: 'k3d-x' })).clusterName, 'x');
    assert.equal(detectCluster(facts({ context: 'minikube' })).kind, 'minikube');
    assert.equal(detectCluster(facts({ context: 'docker-desktop' })).kind, 'docker-desktop');
    assert.equal(detectCluster(facts({ context: 'prod-eu', nodes: [{ name: 'ip-10-0-0-1' }] })).kind, 'generic');
  });
});

describe('image delivery', () => {
  const d = (f: Partial<ClusterFacts>) => detectCluster(facts(f));

  it('picks the route each kind of cluster needs', () => {
    const route = (f: Partial<ClusterFacts>, o = {}) => planDelivery('api:1', d(f), { ...opts, ...o }).route;
    assert.equal(route({ context: 'docker-desktop' }), 'shared-daemon');
    assert.equal(route({ context: 'kind-a' }), 'kind');
    assert.equal(route({ context: 'k3d-a' }), 'k3d');
    assert.equal(route({ context: 'minikube' }), 'minikube');
    assert.equal(route({ context: 'minikube', nodes: [{ name: 'minikube', labels: { 'minikube.k8s.io/name': 'minikube' }, containerRuntimeVersion: 'docker://24' }] }, { env: { MINIKUBE_ACTIVE_DOCKERD: 'minikube' } }), 'shared-daemon');
    assert.equal(route({ nodes: [{ name: 'lima-rancher-desktop', containerRuntimeVersion: 'docker://24' }] }), 'shared-daemon');
    assert.equal(route({ nodes: [{ name: 'lima-rancher-desktop', containerRuntimeVersion: 'containerd://1.7' }] }), 'registry');
    assert.equal(route({}, { containerdOnThisHost: true }), 'containerd');
    assert.equal(route({}), 'registry');
  });

  it('lets the setting override the route, and says so', () => {
    const p = planDelivery('api:1', d({ context: 'kind-a' }), { ...opts, setting: 'registry' });
    assert.equal(p.route, 'registry');
    assert.equal(p.imageRef, 'localhost:5000/api:1');
    assert.match(p.description, /Pushed to the local registry localhost:5000 \(the mlops\.kubernetes\.imageDelivery setting\)/);
  });

  it('asks before pushing anywhere but this machine', () => {
    for (const r of ['localhost:5000', '127.0.0.1:15000', '[::1]:5000', 'http://localhost:5000/']) assert.equal(isLocalRegistry(r), true, r);
    for (const r of ['docker.io', 'ghcr.io/me', 'registry.example:5000', '10.0.0.5:5000', 'localhost.evil.example']) assert.equal(isLocalRegistry(r), false, r);
    const p = planDelivery('api:1', d({}), { ...opts, registry: 'ghcr.io/me' });
    assert.equal(p.needsConsent, true);
    assert.equal(p.imageRef, 'ghcr.io/me/api:1');
  });

  it('names images as containerd does, to tell whether it already has one', () => {
    assert.equal(normalizedRef('iris-api:0.1.0-0123456789ab'), 'docker.io/library/iris-api:0.1.0-0123456789ab');
    assert.equal(normalizedRef('team/iris-api:1'), 'docker.io/team/iris-api:1');
    assert.equal(normalizedRef('localhost/iris-api:1'), 'localhost/iris-api:1');
    assert.equal(normalizedRef('127.0.0.1:15000/iris-api:1'), '127.0.0.1:15000/iris-api:1');
    assert.equal(normalizedRef('ghcr.io/me/iris-api:1'), 'ghcr.io/me/iris-api:1');
  });

  it('finds a CLI on the PATH without running it: executable files only, first directory first', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-onpath-'));
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((d) => path.join(dir, d));
      for (const d of [a, b, c]) mkdirSync(d);
      writeFileSync(path.join(a, 'docker'), 'not executable', { mode: 0o644 });
      mkdirSync(path.join(b, 'docker'));
      writeFileSync(path.join(c, 'docker'), '#!/bin/sh\n', { mode: 0o755 });
      const env = { PATH: [a, b, c].join(path.delimiter) };
      assert.equal(onPath('docker', env), path.join(c, 'docker'));
      assert.equal(onPath('ctr', env), undefined);
      assert.equal(onPath('docker', {}), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
