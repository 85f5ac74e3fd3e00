// Hostile artifact listings: a tracking server anyone can log to (a small hostile server
// here, since a real MLflow server will not list such paths) and a committed store whose
// artifact folder links out. What they list must never become a file name outside the
// run's own cache folder, and a failed download must leave what was there.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowClient } from '../../../src/experiments/core/mlflow/client';
import { artifactDestination, isSafeArtifactPath } from '../../../src/experiments/core/artifacts';
import { writeAtomically } from '../../../src/common/files';
import { MlflowFilesSource } from '../../../src/experiments/core/sources';

const HOSTILE_PATHS = [
  '../../../../settings.json',
  'model/../../../.bashrc',
  '/etc/passwd',
  'C:/Users/me/x',
  'c:\\evil',
  'model\\..\\..\\x',
  'a\u0000b',
  'a/./b',
  'a//b',
  '',
  '.',
  '..',
  'ok/\nnewline',
  'x'.repeat(5000),
];

describe('hostile artifact paths', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-hostile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const p of HOSTILE_PATHS) {
    it(`refuses ${JSON.stringify(p.slice(0, 40))} as a file name`, () => {
      assert.equal(isSafeArtifactPath(p), false);
      assert.equal(artifactDestination(path.join(dir, 'cache'), p), undefined);
    });
  }

  it('accepts plain nested paths, under the root', () => {
    for (const p of ['model/MLmodel', 'plots/roc curve (v2).png', 'a/b/c/d.txt', '..hidden/x', 'x..y']) {
      assert.equal(isSafeArtifactPath(p), true, p);
      const dest = artifactDestination(path.join(dir, 'cache'), p)!;
      assert.ok(dest.startsWith(path.join(dir, 'cache') + path.sep), dest);
    }
  });

  describe('a hostile MLflow server', () => {
    let server: http.Server;
    let base = '';
    before(async () => {
      server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        res.setHeader('content-type', 'application/json');
        if (url.pathname.endsWith('/artifacts/list')) {
          const under = url.searchParams.get('path');
          const files = [...HOSTILE_PATHS.map((p) => ({ path: p, is_dir: false, file_size: 10 })), { path: 'model', is_dir: true }, { path: 'model/MLmodel', is_dir: false, file_size: 'NaN' }, { path: 'plots/roc.png', is_dir: false, file_size: 5 }, { path: '__proto__', is_dir: 'yes' }];
          res.end(JSON.stringify({ root_uri: 'x', files: under ? files.filter((f) => typeof f.path === 'string') : files }));
          return;
        }
        if (url.pathname.endsWith('/get-artifact')) {
          // Half a file, then the connection drops.
          res.setHeader('content-type', 'application/octet-stream');
          res.write('partial');
          setTimeout(() => res.destroy(), 20);
          return;
        }
        res.statusCode = 404;
        res.end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('lists only plain relative paths, and only under the folder asked for', async () => {
      const client = new MlflowClient(base);
      const root = await client.artifacts('r1');
      assert.deepEqual(root.map((e) => e.path).sort(), ['__proto__', 'model', 'model/MLmodel', 'plots/roc.png']);
      assert.equal(root.find((e) => e.path === '__proto__')?.isDir, false, 'is_dir is true only when it is true');
      assert.equal(root.find((e) => e.path === 'model/MLmodel')?.size, undefined, 'a size that is not a number is left out');
      const inModel = await client.artifacts('r1', 'model');
      assert.deepEqual(inModel.map((e) => e.path), ['model/MLmodel']);
    });

    it('a download that breaks off leaves the earlier file as it was, and no temporary file', async () => {
      const dest = path.join(dir, 'cache', 'model', 'MLmodel');
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, 'the earlier, complete copy');
      const client = new MlflowClient(base);
      await assert.rejects(client.downloadArtifact('r1', 'model/MLmodel', dest));
      assert.equal(readFileSync(dest, 'utf8'), 'the earlier, complete copy');
      assert.deepEqual(readdirSync(path.dirname(dest)), ['MLmodel']);
    });
  });

  it('writeAtomically: a failed write keeps the original; a good one replaces it whole', async () => {
    const dest = path.join(dir, 'f.txt');
    writeFileSync(dest, 'old');
    await assert.rejects(
      writeAtomically(dest, async (out) => {
        await new Promise<void>((r) => out.end('new but ', () => r()));
        throw new Error('cancelled');
      }),
    );
    assert.equal(readFileSync(dest, 'utf8'), 'old');
    await writeAtomically(dest, (out) => new Promise<void>((r) => out.end('new', () => r())));
    assert.equal(readFileSync(dest, 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['f.txt']);
  });

  it('a committed file store whose artifacts link out: links are neither listed nor copied', async () => {
    const store = path.join(dir, 'mlruns');
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'aws_secret_access_key = x');
    const art = path.join(store, '0', 'r1', 'artifacts');
    mkdirSync(path.join(art, 'model'), { recursive: true });
    writeFileSync(path.join(art, 'model', 'MLmodel'), 'flavors: {}\n');
    symlinkSync(secret, path.join(art, 'credentials'));
    symlinkSync('/dev/zero', path.join(art, 'zero'));
    symlinkSync(dir, path.join(art, 'up'));
    writeFileSync(path.join(store, '0', 'meta.yaml'), `artifact_location: file://${path.join(store, '0')}\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n`);
    writeFileSync(path.join(store, '0', 'r1', 'meta.yaml'), `artifact_uri: file://${art}\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: r1\nrun_name: r\nstatus: 3\nstart_time: 1\n`);
    const source = new MlflowFilesSource(store);
    const [run] = await source.runs(['0']);
    assert.ok(run, 'the run is read');
    const listed = await source.artifacts(run);
    assert.deepEqual(listed.map((e) => e.path), ['model']);
    const out = path.join(dir, 'out');
    await assert.rejects(source.downloadArtifact(run, 'credentials', out), /not a regular file/);
    await assert.rejects(source.downloadArtifact(run, 'up/secret', out), /outside|not a regular file|ENOENT|no such file/i);
    await assert.rejects(source.downloadArtifact(run, '../../../../secret', out), /outside/);
    assert.equal(existsSync(out), false);
  });
});
