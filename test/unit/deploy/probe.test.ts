// The readiness probe of apps users have (fixtures in the shapes of public FastAPI and Flask
// projects, written here): a FastAPI app with /health only, a Flask app with /healthz on a
// blueprint, an app with no health route but a Dockerfile HEALTHCHECK, a FastAPI app with
// no health route (its /openapi.json), a Flask app with nothing (a TCP probe).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseProbe, declaredRoutes, healthcheckPath, readinessPathOf } from '../../../src/deploy/core/probe';
import { generatedManifests } from '../../../src/deploy/core/manifests';

describe('readiness probes of plain apps', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-probe-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const dockerfile = (): string => {
    try {
      return readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    } catch {
      return '';
    }
  };
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('a FastAPI app with /health only is probed on /health', async () => {
    write('app/main.py', 'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n\n@app.post("/predict")\ndef predict(x: dict):\n    return x\n');
    const p = await chooseProbe(dir, dockerfile());
    assert.equal(p.path, '/health');
    assert.match(p.reason, /app[/\\]main\.py/);
  });

  it('/ready wins over /health; a Flask blueprint route counts', async () => {
    write('src/api/routes.py', "from flask import Blueprint\nbp = Blueprint('x', __name__)\n@bp.route('/healthz')\ndef h():\n    return 'ok'\n@bp.get('/ready')\ndef r():\n    return 'ok'\n");
    assert.equal((await chooseProbe(dir, dockerfile())).path, '/ready');
  });

  it('no health route: the Dockerfile HEALTHCHECK path', async () => {
    write('app.py', 'from flask import Flask\napp = Flask(__name__)\n@app.route("/predict", methods=["POST"])\ndef p():\n    return {}\n');
    write('Dockerfile', 'FROM python:3.12-slim\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:5000/alive || exit 1\nCMD ["python", "app.py"]\n');
    const p = await chooseProbe(dir, dockerfile());
    assert.equal(p.path, '/alive');
    assert.match(p.reason, /HEALTHCHECK/);
  });

  it('a FastAPI app without a health route: its own /openapi.json', async () => {
    write('main.py', 'import fastapi\napp = fastapi.FastAPI()\n@app.post("/predict")\ndef p():\n    return {}\n');
    assert.equal((await chooseProbe(dir, dockerfile())).path, '/openapi.json');
  });

  it('a Flask app with nothing to probe: a TCP probe, and the generated Deployment says so', async () => {
    write('app.py', 'from flask import Flask\napp = Flask(__name__)\n@app.route("/predict", methods=["POST"])\ndef p():\n    return {}\n');
    const p = await chooseProbe(dir, dockerfile());
    assert.equal(p.path, undefined);
    assert.match(p.reason, /TCP/);
    const [dep] = generatedManifests('plain-flask', 5000, p);
    assert.deepEqual((dep!.spec as { template: { spec: { containers: Array<{ readinessProbe: unknown }> } } }).template.spec.containers[0]!.readinessProbe, { tcpSocket: { port: 'http' }, periodSeconds: 5 });
    assert.equal(readinessPathOf(dep!), undefined);
  });

  it('skips virtualenvs, tests and links when reading the sources', async () => {
    write('.venv/lib/site.py', '@app.get("/ready")\n');
    write('tests/test_x.py', '@app.get("/ready")\n');
    symlinkSync('/etc', path.join(dir, 'etc-link'));
    write('app.py', 'from flask import Flask\n');
    assert.equal((await chooseProbe(dir, dockerfile())).path, undefined);
  });

  it('reads routes and HEALTHCHECKs as written', () => {
    assert.deepEqual(declaredRoutes('@app.get( "/health")\n@router.api_route(\'/v1/ready\', methods=["GET"])\napp.add_url_rule("/ping", view_func=f)\n'), ['/health', '/v1/ready', '/ping']);
    assert.equal(healthcheckPath('HEALTHCHECK NONE\n'), undefined);
    assert.equal(healthcheckPath('HEALTHCHECK CMD wget -qO- http://127.0.0.1:${PORT}/health\n'), '/health');
  });
});
