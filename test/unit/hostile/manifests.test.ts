// A cloned repository's k8s folder is applied by one click: anything but the kinds the
// deploy owns (a ClusterRoleBinding to cluster-admin, a Namespace, a DaemonSet), an
// autoscaler aimed at another workload, or a YAML bomb, is refused before anything is
// built, with the object named.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProjectManifests } from '../../../src/deploy/core/manifests';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: x }] }
`;
const HPA = (target: string): string => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: api }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }, minReplicas: 1, maxReplicas: 3 }
`;

describe('hostile manifests', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-manifests-'));
    mkdirSync(path.join(dir, 'k8s'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string): void => writeFileSync(path.join(dir, 'k8s', file), text);

  const hidden: Array<[string, string]> = [
    ['ClusterRoleBinding', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: pwn }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\nsubjects: [{ kind: ServiceAccount, name: default, namespace: default }]\n'],
    ['Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: kube-system }\n'],
    ['DaemonSet', 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: miner }\n'],
    ['Secret', 'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\n'],
    ['a Deployment of another API group', 'apiVersion: evil.example/v1\nkind: Deployment\nmetadata: { name: api2 }\n'],
    ['an object with no name', 'apiVersion: v1\nkind: Service\nmetadata: {}\n'],
  ];
  for (const [what, doc] of hidden) {
    it(`refuses ${what} hidden in hpa.yaml, naming it`, async () => {
      write('deployment.yaml', DEPLOYMENT);
      write('hpa.yaml', `${HPA('api')}---\n${doc}`);
      await assert.rejects(findProjectManifests(dir), (err: Error) => /objects the deploy does not apply/.test(err.message) && err.message.includes('k8s/hpa.yaml'));
    });
  }

  it('refuses an autoscaler aimed at another project’s Deployment', async () => {
    write('deployment.yaml', DEPLOYMENT);
    write('hpa.yaml', HPA('someone-else'));
    await assert.rejects(findProjectManifests(dir), /HorizontalPodAutoscaler api → Deployment someone-else/);
  });

  it('refuses a YAML alias bomb without expanding it', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    write('deployment.yaml', `${DEPLOYMENT}---\n${lines.join('\n')}\n`);
    await assert.rejects(findProjectManifests(dir));
  });

  it('applies what it owns: Deployment, Service, its own autoscaler, a ConfigMap', async () => {
    write('deployment.yaml', `${DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { a: b }\n`);
    write('service.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec: { ports: [{ port: 80 }] }\n');
    write('hpa.yaml', HPA('api'));
    assert.deepEqual((await findProjectManifests(dir)).objects.map((o) => o.kind), ['Deployment', 'ConfigMap', 'HorizontalPodAutoscaler', 'Service']);
  });
});
