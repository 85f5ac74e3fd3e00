// The rollout classifier on Deployment and pod objects recorded from the real test cluster
// (test/unit/fixtures/rollout/record.sh): each failure is told apart, with its evidence.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { classifyRollout } from '../../../src/kube/core/rollout';

const recorded = (name: string): { deployment: k8s.V1Deployment; pods: k8s.V1Pod[] } => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'rollout', `${name}.json`), 'utf8')) as { deployment: k8s.V1Deployment; pods: k8s.V1Pod[] };
const verdict = (name: string, final = false) => {
  const r = recorded(name);
  return classifyRollout(r.deployment, r.pods, { final });
};

describe('rollout classifier (kube/core/rollout) on recorded objects', () => {
  it('a healthy rollout is available at its revision', () => {
    assert.deepEqual(verdict('healthy'), { kind: 'available', revision: 1 });
  });

  it('an image the node cannot pull (ErrImagePull / ImagePullBackOff) names the image and the reason', () => {
    const v = verdict('image-pull');
    assert.equal(v.kind, 'image');
    if (v.kind !== 'image') return;
    assert.equal(v.image, 'registry.invalid/nope:1');
    assert.match(v.reason, /^(ErrImagePull|ImagePullBackOff)$/);
    assert.match(v.message ?? '', /registry\.invalid/);
  });

  it('a crash loop names the pod, the container and the exit code', () => {
    const v = verdict('crash-loop');
    assert.equal(v.kind, 'crash');
    if (v.kind !== 'crash') return;
    assert.equal(v.container, 'api');
    assert.equal(v.exitCode, 3);
    assert.equal(v.oomKilled, false);
    assert.match(v.pod, /^crash-loop-/);
  });

  it('an app killed for memory is told apart from one that exits', () => {
    const v = verdict('oom-killed');
    assert.equal(v.kind, 'crash');
    if (v.kind === 'crash') assert.equal(v.oomKilled, true);
  });

  it('an unschedulable pod says why the scheduler refused it', () => {
    const v = verdict('unschedulable');
    assert.equal(v.kind, 'unschedulable');
    if (v.kind === 'unschedulable') assert.match(v.message, /Insufficient cpu/);
  });

  it('a ReplicaSet that cannot create pods (a missing ServiceAccount) fails at once, with the API server’s words', () => {
    const v = verdict('failed-create');
    assert.equal(v.kind, 'failedCreate');
    if (v.kind === 'failedCreate') assert.match(v.message, /serviceaccount "does-not-exist" not found/);
  });

  it('a pod that never becomes ready ends at the progress deadline', () => {
    const v = verdict('progress-deadline');
    assert.equal(v.kind, 'deadline');
    if (v.kind === 'deadline') assert.match(v.message, /has timed out progressing/);
  });

  it('a rollout under way is progressing (the healthy Deployment before its pod is ready)', () => {
    const { deployment, pods } = recorded('healthy');
    const early = structuredClone(deployment);
    early.status = { ...early.status, availableReplicas: 0, readyReplicas: 0 };
    assert.deepEqual(classifyRollout(early, pods.map((p) => ({ ...p, status: { ...p.status, conditions: [] } }))), { kind: 'progressing' });
  });

  it('a pod that runs but never becomes ready fails once its probe has had its chance, not at the rollout timeout', () => {
    const { deployment, pods } = recorded('progress-deadline');
    const dep = structuredClone(deployment);
    // Before the Deployment's own deadline: only the pod says it.
    dep.status = { ...dep.status, conditions: (dep.status?.conditions ?? []).filter((c) => c.type !== 'Progressing') };
    const started = new Date(String(pods[0]!.status!.containerStatuses![0]!.state!.running!.startedAt)).getTime();
    assert.deepEqual(classifyRollout(dep, pods, { now: started + 10_000 }), { kind: 'progressing' });
    const v = classifyRollout(dep, pods, { now: started + 60_000 });
    assert.equal(v.kind, 'notReady');
    if (v.kind === 'notReady') assert.equal(v.seconds, 60);
  });
});
