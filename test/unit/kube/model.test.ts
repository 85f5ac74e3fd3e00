// What the Kubernetes tree and deployment panel show, from API objects shaped as the
// server returns them; registry credentials from a Docker config as `docker login` writes it.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { dockerConfigCredentials, groupByNamespace, registrySecretKey, summarizeDeployment, summarizePod } from '../../../src/kube/core/model';

const deployment = (over: { replicas?: number; ready?: number; updated?: number; progressing?: { status: string; reason: string; message?: string }; available?: string }): V1Deployment => ({
  metadata: { name: 'iris-api', namespace: 'ml', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '3', 'mlops.workbench/project': '/w/iris-api' } },
  spec: {
    replicas: over.replicas ?? 1,
    selector: { matchLabels: { app: 'iris-api' } },
    template: {
      metadata: { annotations: { 'mlops.workbench/model-version': '0.2.0', 'mlops.workbench/git-commit': 'abc123' } },
      spec: { containers: [{ name: 'sidecar', image: 'busybox', ports: [{ containerPort: 9999 }] }, { name: 'api', image: 'iris-api:0.2.0-0123456789ab', ports: [{ name: 'metrics', containerPort: 9100 }, { name: 'http', containerPort: 8000 }] }] },
    },
  },
  status: {
    observedGeneration: 2,
    readyReplicas: over.ready ?? 1,
    updatedReplicas: over.updated ?? 1,
    conditions: [
      { type: 'Progressing', status: over.progressing?.status ?? 'True', reason: over.progressing?.reason ?? 'NewReplicaSetAvailable', ...(over.progressing?.message ? { message: over.progressing.message } : {}) },
      { type: 'Available', status: over.available ?? 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment does not have minimum availability.' },
    ],
  },
});

describe('Kubernetes tree model', () => {
  it('summarizes an available Deployment with its model version, revision, project and the api container\'s http port', () => {
    const s = summarizeDeployment(deployment({}));
    assert.equal(s.state, 'available');
    assert.equal(s.revision, 3);
    assert.equal(s.modelVersion, '0.2.0');
    assert.equal(s.gitCommit, 'abc123');
    assert.equal(s.project, '/w/iris-api');
    assert.equal(s.image, 'iris-api:0.2.0-0123456789ab');
    assert.equal(s.port, 8000);
  });

  it('tells rolling out, failing and scaled to zero apart', () => {
    assert.equal(summarizeDeployment(deployment({ ready: 0, updated: 1, available: 'False' })).state, 'progressing');
    assert.equal(summarizeDeployment(deployment({ replicas: 2, ready: 1 })).state, 'progressing');
    const failing = summarizeDeployment(deployment({ ready: 0, available: 'False', progressing: { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' } }));
    assert.equal(failing.state, 'failing');
    assert.match(failing.message ?? '', /timed out/);
    assert.equal(summarizeDeployment(deployment({ replicas: 0, ready: 0 })).state, 'stopped');
  });

  it('says a pod\'s state as kubectl does', () => {
    const pod = (status: V1Pod['status'], deleting = false): V1Pod => ({ metadata: { name: 'p', annotations: { 'mlops.workbench/model-version': '0.1.0' }, ...(deleting ? { deletionTimestamp: new Date() } : {}) }, status });
    const crash = summarizePod(pod({ phase: 'Running', containerStatuses: [{ name: 'api', image: 'i', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    assert.deepEqual([crash.status, crash.restarts, crash.ready, crash.modelVersion], ['CrashLoopBackOff', 4, false, '0.1.0']);
    const ok = summarizePod(pod({ phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'api', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] }));
    assert.deepEqual([ok.status, ok.ready, ok.ip], ['Running', true, '10.0.0.5']);
    const leaving = summarizePod(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }, true));
    assert.deepEqual([leaving.status, leaving.ready], ['Terminating', false]);
    assert.equal(summarizePod(pod({ phase: 'Pending' })).status, 'Pending');
  });

  it('groups workloads by namespace, the deploy target first even when empty', () => {
    const w = (name: string, namespace: string) => ({ ...summarizeDeployment(deployment({})), name, namespace });
    const groups = groupByNamespace([w('b', 'ml'), w('a', 'ml'), w('x', 'alpha')], 'team');
    assert.deepEqual(groups.map((g) => [g.namespace, g.workloads.map((x) => x.name)]), [['team', []], ['alpha', ['x']], ['ml', ['a', 'b']]]);
  });

  it('reads registry credentials from the Docker config, by host, and nothing from a credential helper', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-dockercfg-'));
    try {
      const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'https://registry.example.com/v1/': { auth: auth('me', 'pa:ss') }, 'ghcr.io': {} }, credsStore: 'desktop' }));
      const env = { DOCKER_CONFIG: dir };
      assert.deepEqual(await dockerConfigCredentials('registry.example.com/team', env), { username: 'me', password: 'pa:ss' });
      assert.equal(await dockerConfigCredentials('ghcr.io', env), undefined);
      assert.equal(await dockerConfigCredentials('other.example.com', env), undefined);
      writeFileSync(path.join(dir, 'config.json'), '{ not json');
      assert.equal(await dockerConfigCredentials('registry.example.com', env), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps stored credentials by registry host: a login for ghcr.io serves ghcr.io/org and its URL forms', () => {
    const key = registrySecretKey('ghcr.io');
    for (const same of ['ghcr.io/org', 'ghcr.io/org/team', 'https://ghcr.io/v2/', ' GHCR.IO ']) assert.equal(registrySecretKey(same), key, same);
    assert.notEqual(registrySecretKey('ghcr.io:5000'), key);
    assert.notEqual(registrySecretKey('quay.io/org'), key);
  });
});
