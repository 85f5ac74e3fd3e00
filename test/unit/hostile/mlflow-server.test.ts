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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => (server.close(), server.closeAllConnections()) };
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

describe('registry searches paged by offset, several pages at a time', function () {
  this.timeout(30_000);
  const PAGE = 2500;
  const token = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64');
  const versionsAt = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ name: `m${Math.floor((from + i) / 10)}`, version: String(((from + i) % 10) + 1) }));

  /** A registry of `total` versions; `tokens` makes each page's next token from its end offset. */
  async function registry(total: number, tokens: (end: number) => string | undefined, seen: { offsets: number[]; inFlight: number; most: number }) {
    return serve((u, _b, res) => {
      if (u.pathname.endsWith('registered-models/search')) return res.end(JSON.stringify({ registered_models: [] }));
      const t = u.searchParams.get('page_token');
      const offset = !t ? 0 : /^t\d+$/.test(t) ? Number(t.slice(1)) : (JSON.parse(Buffer.from(t, 'base64').toString('utf8')) as { offset: number }).offset;
      const max = Number(u.searchParams.get('max_results'));
      seen.offsets.push(offset);
      seen.most = Math.max(seen.most, ++seen.inFlight);
      // Answered a little later, so pages asked for together are in flight together.
      setTimeout(() => {
        seen.inFlight--;
        const end = Math.min(total, offset + max);
        const next = end < total ? tokens(end) : undefined;
        res.end(JSON.stringify({ model_versions: versionsAt(offset, end), ...(next ? { next_page_token: next } : {}) }));
      }, 30);
    });
  }

  it('asks for the pages after the first together, and joins them in order', async () => {
    const seen = { offsets: [] as number[], inFlight: 0, most: 0 };
    const s = await registry(9000, token, seen);
    try {
      const c = new MlflowClient(s.url);
      const all = await c.allPagesByOffset(
        (t, opts) => c.rest<{ model_versions?: unknown[]; next_page_token?: string }>('GET', 'model-versions/search', undefined, { max_results: PAGE, page_token: t }, opts),
        (r) => r.model_versions ?? [],
        PAGE,
      );
      assert.equal(all.length, 9000);
      assert.deepEqual(all.map((v) => `${(v as { name: string }).name}/${(v as { version: string }).version}`), versionsAt(0, 9000).map((v) => `${v.name}/${v.version}`));
      assert.ok(seen.most >= 3, `at most ${seen.most} pages in flight`);
      assert.deepEqual([...new Set(seen.offsets)].sort((a, b) => a - b).slice(0, 4), [0, 2500, 5000, 7500]);
      // Speculative: the first four at once, before the first page's token is seen.
      const early = { offsets: [] as number[], inFlight: 0, most: 0 };
      const s2 = await registry(9000, token, early);
      try {
        const c2 = new MlflowClient(s2.url);
        const again = await c2.allPagesByOffset((t, opts) => c2.rest<{ model_versions?: unknown[]; next_page_token?: string }>('GET', 'model-versions/search', undefined, { max_results: PAGE, page_token: t }, opts), (r) => r.model_versions ?? [], PAGE, { speculative: true });
        assert.equal(again.length, 9000);
        assert.equal(early.most, 4);
      } finally {
        s2.close();
      }
    } finally {
      s.close();
    }
  });

  it('a server whose tokens are not offsets is followed page by page, and the same token twice stops it', async () => {
    const seen = { offsets: [] as number[], inFlight: 0, most: 0 };
    const s = await registry(6000, (end) => `t${end}`, seen);
    try {
      const c = new MlflowClient(s.url);
      const all = await c.allPagesByOffset((t, opts) => c.rest<{ model_versions?: unknown[]; next_page_token?: string }>('GET', 'model-versions/search', undefined, { max_results: PAGE, page_token: t }, opts), (r) => r.model_versions ?? [], PAGE);
      assert.equal(all.length, 6000);
      assert.equal(seen.most, 1);
    } finally {
      s.close();
    }
    // Asked for speculatively, offset pages a server does not page by are dropped: each version once.
    const seen2 = { offsets: [] as number[], inFlight: 0, most: 0 };
    const s3 = await registry(6000, (end) => `t${end}`, seen2);
    try {
      const c = new MlflowClient(s3.url);
      const all = await c.allPagesByOffset((t, opts) => c.rest<{ model_versions?: unknown[]; next_page_token?: string }>('GET', 'model-versions/search', undefined, { max_results: PAGE, page_token: t }, opts), (r) => r.model_versions ?? [], PAGE, { speculative: true });
      assert.deepEqual(all.map((v) => `${(v as { name: string }).name}/${(v as { version: string }).version}`), versionsAt(0, 6000).map((v) => `${v.name}/${v.version}`));
    } finally {
      s3.close();
    }
    const again = await serve((_u, _b, res) => res.end(JSON.stringify({ model_versions: versionsAt(0, PAGE), next_page_token: 'same' })));
    try {
      const c = new MlflowClient(again.url);
      await assert.rejects(
        c.allPagesByOffset((t, opts) => c.rest<{ model_versions?: unknown[]; next_page_token?: string }>('GET', 'model-versions/search', undefined, { max_results: PAGE, page_token: t }, opts), (r) => r.model_versions ?? [], PAGE),
        (e: unknown) => e instanceof UserFacingError && /kept sending more pages/.test(e.message),
      );
    } finally {
      again.close();
    }
  });
});
