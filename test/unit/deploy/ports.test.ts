// Ports of the shapes users' projects have: a Dockerfile that EXPOSEs one port and starts the
// server on another, root manifests whose containerPort, probe or Service target another.
// Each disagreement is named with its file before anything is built.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { checkPorts } from '../../../src/deploy/core/ports';
import type { KubeObject } from '../../../src/deploy/core/manifests';
import { findProjectManifests } from '../../../src/deploy/core/manifests';
import { commandPort } from '../../../src/docker/core/project';
import { SAMPLE_FEATURES } from '../../../src/scaffold/core/model';
import { planProject } from '../../../src/scaffold/core/render';
import { loadTemplates } from '../scaffold/templates';

const deployment = (containerPort: number, probePort: number | string = 'http'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api' },
  spec: { template: { spec: { containers: [{ name: 'api', image: 'x', ports: [{ name: 'http', containerPort }], readinessProbe: { httpGet: { path: '/health', port: probePort } } }] } } },
});
const service = (targetPort: number | string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 80, targetPort }] } });

describe('ports that disagree', () => {
  it('reads the port from the command as users write it', () => {
    assert.equal(commandPort('CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]'), 8080);
    assert.equal(commandPort('CMD uvicorn main:app --port=9000'), 9000);
    assert.equal(commandPort('CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]'), 5000);
    assert.equal(commandPort('ENTRYPOINT ["flask", "run", "-h", "0.0.0.0", "-p", "5001"]'), 5001);
    assert.equal(commandPort('CMD ["python", "app.py"]'), undefined);
  });

  it('EXPOSE 80 with a server started on 8000: a warning, and the deploy uses 8000', () => {
    const r = checkPorts('FROM x\nEXPOSE 80\nCMD ["uvicorn", "main:app", "--port", "8000"]\n', []);
    assert.deepEqual(r.blocking, []);
    assert.deepEqual(r.warnings, ['the Dockerfile EXPOSEs 80 but its command listens on 8000']);
  });

  it('root manifests with a containerPort, a probe and a Service target the app does not listen on: refused, naming each file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-ports-'));
    try {
      // A repository's own manifests at its root, one file with both objects, as users keep them.
      writeFileSync(path.join(dir, 'deployment.yaml'), stringify(deployment(5000, 8080)));
      writeFileSync(path.join(dir, 'service.yaml'), stringify(service(9000)));
      const own = (await findProjectManifests(dir)).objects;
      const r = checkPorts('FROM x\nEXPOSE 8000\nCMD ["uvicorn", "main:app", "--port", "8000"]\n', own);
      assert.equal(r.blocking.length, 3);
      assert.match(r.blocking[0]!, /^deployment\.yaml's containerPort is 5000, but the Dockerfile's command listens on 8000/);
      assert.match(r.blocking[1]!, /^deployment\.yaml's readiness probe checks port 8080/);
      assert.match(r.blocking[2]!, /^service\.yaml's targetPort is 9000/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('named ports resolve, and agreeing ports pass', () => {
    assert.deepEqual(checkPorts('EXPOSE 8000\n', [deployment(8000), service('http')]), { blocking: [], warnings: [] });
  });

  for (const framework of ['fastapi', 'flask'] as const) {
    it(`the scaffold's own ${framework} project agrees with itself`, async () => {
      const files = new Map(planProject({ framework, projectName: 'iris-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8123, pythonVersion: '3.12' }, await loadTemplates()).map((f) => [f.path, f.content ?? '']));
      const own = ['k8s/deployment.yaml', 'k8s/service.yaml'].map((f) => parseYaml(files.get(f)!) as KubeObject);
      assert.deepEqual(checkPorts(files.get('Dockerfile')!, own), { blocking: [], warnings: [] });
    });
  }
});

describe('ports of a Deployment without a readiness probe', () => {
  it('an unnamed containerPort is not taken for the probe’s port', () => {
    const dep: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { template: { spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 8000 }] }] } } } };
    assert.deepEqual(checkPorts('EXPOSE 8080\nCMD ["uvicorn", "m:app", "--port", "8080"]\n', [dep]).blocking, ["the Deployment's containerPort is 8000, but the Dockerfile's command listens on 8080"]);
  });
});
