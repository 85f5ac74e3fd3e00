// Engines and servers that never answer: a Docker engine at a TCP address that accepts the
// connection and then says nothing, one whose address drops the connection attempt (a
// blackhole, made here by a listener whose backlog is full), and a tracking server that
// never replies. Every request that is not a stream ends with a message naming the
// engine and what was asked, instead of hanging the command and the deploy.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { Socket } from 'node:net';
import type { Server } from 'node:net';
import { DockerClient } from '../../../src/docker/core/client';
import { withConnectTimeout } from '../../../src/docker/core/connection';
import http from 'node:http';
import { UserFacingError } from '../../../src/common/errors';
import kubeFetch from '../../../src/kube/core/fetch';

describe('engines and servers that never answer', function () {
  this.timeout(30_000);
  let silent: Server;
  let port = 0;
  const held: Socket[] = [];
  before(async () => {
    // Accepts every connection and never writes a byte.
    silent = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  after(() => {
    held.forEach((s) => s.destroy());
    silent.close();
  });

  for (const call of ['version', 'images', 'containers', 'inspectImage', 'removeImage', 'stop'] as const) {
    it(`Docker ${call}() on an engine that accepts and never replies ends with a message`, async () => {
      const client = await DockerClient.at({ kind: 'tcp', host: '127.0.0.1', port, source: 'test' } as never, { timeoutMs: 500 });
      const started = Date.now();
      const work = call === 'version' ? client.version() : call === 'images' ? client.images() : call === 'containers' ? client.containers() : call === 'inspectImage' ? client.inspectImage('x') : call === 'removeImage' ? client.removeImage('x') : client.stop('x');
      await assert.rejects(work, (e: unknown) => e instanceof UserFacingError && /did not answer within 0\.5 s/.test(e.message));
      assert.ok(Date.now() - started < 5_000);
    });
  }

  it('a connection attempt nobody answers (a blackholed address) fails after the connect timeout, not minutes of SYN retries', async () => {
    // A blackhole cannot be made on loopback: the agent's connection is a socket that never connects.
    const agent = new http.Agent();
    (agent as unknown as { createConnection: () => Socket }).createConnection = () => new Socket();
    withConnectTimeout(agent, 300);
    const started = Date.now();
    const socket = (agent as unknown as { createConnection: (o: object) => Socket }).createConnection({ host: '10.255.255.1', port: 2375 });
    const err = await new Promise<Error>((resolve) => socket.once('error', resolve));
    assert.match(err.message, /ETIMEDOUT 10\.255\.255\.1:2375 \(no answer in 0\.3 s\)/);
    assert.ok(Date.now() - started < 3_000);
  });

  it('the Kubernetes client’s fetch: a silent API server ends with a timeout; a watch is not timed', async () => {
    const started = Date.now();
    await assert.rejects(kubeFetch(`http://127.0.0.1:${port}/api/v1/namespaces`, { timeoutMs: 300 }), (e: Error & { code?: string }) => e.code === 'ETIMEDOUT' && /within 0\.3 s/.test(e.message));
    assert.ok(Date.now() - started < 3_000);
    const abort = new AbortController();
    let settled = false;
    const watch = kubeFetch(`http://127.0.0.1:${port}/api/v1/pods?watch=true`, { timeoutMs: 300, signal: abort.signal }).then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(settled, false, 'a watch waits as long as the server keeps it open');
    abort.abort();
    await watch;
  });
});
