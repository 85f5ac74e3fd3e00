// The fetch client-node gets in the bundle (src/kube/core/fetch.ts), against a real HTTPS server
// that asks for a client certificate: the certificate of the request's agent reaches the
// server even when the agent is swapped for the global one, which is what the editor's
// proxy support does to requests for hosts other than localhost (the e2e tier shows the
// real case). Also: statuses and bodies, streaming and abort, network errors named by code.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import fetch, { FetchError } from '../../../src/kube/core/fetch';

describe('client-node fetch with client certificates', function () {
  this.timeout(30_000);
  let dir = '';
  let server: https.Server;
  let base = '';
  const pem = (name: string): Buffer => readFileSync(path.join(dir, name));

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-fetch-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
    for (const [name, subj, ext] of [['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', '/CN=admin/O=system:masters', 'extendedKeyUsage=clientAuth']] as const) {
      writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
    }
    server = https.createServer({ key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const user = (req.socket as TLSSocket).authorized && peer.subject ? peer.subject.CN : 'system:anonymous';
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"type":"ADDED"}\n');
        return; // never ends, as a watch
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-user': user });
        res.end(JSON.stringify({ user, method: req.method, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server?.closeAllConnections();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agent = () => new https.Agent({ ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') });

  it('authenticates with the agent\'s client certificate, also when the agent is replaced on the way', async () => {
    assert.equal(((await (await fetch(`${base}/who`, { agent: agent() })).json()) as { user: string }).user, 'admin');
    // What the editor's proxy support does: the request goes out through the global agent, with the CA kept.
    const original = https.request;
    (https as { request: unknown }).request = (url: URL, options: https.RequestOptions, cb?: () => void) => original(url, { ...options, agent: https.globalAgent }, cb);
    try {
      const r = await fetch(`${base}/who`, { agent: agent() });
      assert.equal(r.headers.get('x-user'), 'admin');
    } finally {
      (https as { request: unknown }).request = original;
    }
  });

  it('sends the method, headers and body, and reads statuses, headers, text and JSON', async () => {
    const r = await fetch(`${base}/post`, { method: 'post', body: '{"a":1}', headers: { 'content-type': 'application/json' }, agent: agent() });
    assert.equal(r.status, 200);
    assert.equal(r.ok, true);
    assert.deepEqual(await r.json(), { user: 'admin', method: 'POST', body: '{"a":1}' });
    const missing = await fetch(`${base}/missing`, { agent: agent() });
    assert.equal(missing.status, 404);
    assert.equal(missing.ok, false);
    assert.match(await missing.text(), /"user":"admin"/);
  });

  it('streams a body that never ends until aborted, then closes it', async () => {
    const controller = new AbortController();
    const r = await fetch(`${base}/stream`, { agent: agent(), signal: controller.signal });
    const first = await new Promise<string>((resolve) => r.body.once('data', (c: Buffer) => resolve(c.toString())));
    assert.equal(first, '{"type":"ADDED"}\n');
    const closed = new Promise<void>((resolve) => r.body.once('close', resolve));
    r.body.on('error', () => undefined);
    controller.abort();
    await closed;
    await assert.rejects(fetch(`${base}/stream`, { agent: agent(), signal: controller.signal }), /aborted/);
  });

  it('names a network failure by its code, as node-fetch does', async () => {
    const err = await fetch('https://127.0.0.1:1/x', { agent: agent() }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FetchError);
    assert.equal((err as FetchError).code, 'ECONNREFUSED');
  });
});
