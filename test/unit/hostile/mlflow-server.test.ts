// A shared tracking server anyone can log to, or one that is not MLflow at all: pages that
// never end, the same page token again, an answer of gigabytes, an answer that is not JSON,
// runs whose fields have the wrong types. Listing ends with a message or with the runs it
// could read; it never loops, never holds the whole flood in memory, never throws a TypeError.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowClient } from '../../../src/experiments/core/mlflow/client';
import { UserFacingError } from '../../../src/common/errors';

type Handler = (url: URL, body: string, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => handler(new URL(req.url ?? '/', 'http://x'), body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('a hostile MLflow server', function () {
  this.timeout(30_000);

  it('the same experiments page token again: listing stops with a message', async () => {
    const s = await serve((_u, _b, res) => res.end(JSON.stringify({ experiments: [{ experiment_id: '1', name: 'e', lifecycle_stage: 'active' }], next_page_token: 'again' })));
    try {
      await assert.rejects(new MlflowClient(s.url).experiments(), (e: unknown) => e instanceof UserFacingError && /kept sending more pages/.test(e.message));
    } finally {
      s.close();
    }
  });

  it('empty run pages with ever new tokens: the listing ends', async () => {
    let n = 0;
    const s = await serve((_u, _b, res) => res.end(JSON.stringify({ runs: [], next_page_token: `t${n++}` })));
    try {
      assert.deepEqual(await new MlflowClient(s.url).searchRuns({ experimentIds: ['1'] }), []);
      assert.ok(n < 5, `${n} pages asked for`);
    } finally {
      s.close();
    }
  });

  it('an answer without end is cut off, with a message', async () => {
    const s = await serve((_u, _b, res) => {
      res.write('{"experiments": [');
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const more = (): void => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end(']}');
      };
      more();
    });
    try {
      await assert.rejects(new MlflowClient(s.url).experiments(), (e: unknown) => e instanceof UserFacingError && /larger than 64 MB/.test(e.message));
    } finally {
      s.close();
    }
  });

  it('an answer that is not JSON is said so', async () => {
    const s = await serve((_u, _b, res) => res.end('<html>a login page</html>'));
    try {
      await assert.rejects(new MlflowClient(s.url).experiments(), (e: unknown) => e instanceof UserFacingError && /something other than JSON/.test(e.message));
    } finally {
      s.close();
    }
  });

  it('runs with fields of the wrong types are read as far as they go', async () => {
    const runs = [
      { info: 'x' },
      {},
      null,
      { info: { run_id: 7, experiment_id: ['a'], status: {}, start_time: 'soon' }, data: { params: 'p', metrics: [{ key: 'acc', value: '0.5' }, { value: 1 }, null], tags: [{ key: 'mlflow.runName', value: { a: 1 } }, { key: 'constructor', value: 'x' }] } },
    ];
    const s = await serve((_u, _b, res) => res.end(JSON.stringify({ runs })));
    try {
      const got = await new MlflowClient(s.url).searchRuns({ experimentIds: ['1'] });
      assert.equal(got.length, 4);
      const last = got[3]!;
      assert.equal(last.id, '7');
      assert.deepEqual(last.metrics, { acc: 0.5 });
      assert.equal(last.startTime, undefined);
      assert.equal(last.status, 'UNKNOWN');
    } finally {
      s.close();
    }
  });
});
