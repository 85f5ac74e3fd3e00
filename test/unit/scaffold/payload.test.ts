// The one reader of a project's sample /predict body (scaffold/core/payload.ts), on
// project folders shaped as users and cloned repositories have them.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAMPLE_PAYLOAD_FILE, samplePayloadFile, samplePayloadOf } from '../../../src/scaffold/core/payload';

describe('sample payload (scaffold/core/payload)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-payload-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const marker = (samplePayload: string) => {
    mkdirSync(path.join(dir, '.mlops'), { recursive: true });
    writeFileSync(path.join(dir, '.mlops', 'project.json'), JSON.stringify({ name: 'x', samplePayload }));
  };

  it('a plain project: sample-payload.json, or nothing', async () => {
    assert.equal(await samplePayloadOf(dir), undefined);
    writeFileSync(path.join(dir, SAMPLE_PAYLOAD_FILE), '{"instances": [[1, 2]]}');
    assert.deepEqual(await samplePayloadOf(dir), { instances: [[1, 2]] });
  });

  it('the marker’s samplePayload wins over sample-payload.json', async () => {
    mkdirSync(path.join(dir, 'examples'));
    writeFileSync(path.join(dir, 'examples', 'body.json'), '{"from": "marker"}');
    writeFileSync(path.join(dir, SAMPLE_PAYLOAD_FILE), '{"from": "default"}');
    marker('examples/body.json');
    assert.deepEqual(await samplePayloadOf(dir), { from: 'marker' });
  });

  it('a marker naming a file outside the project is refused, not read', async () => {
    marker('../../.docker/config.json');
    await assert.rejects(samplePayloadFile(dir), /outside the project/);
    marker('/etc/passwd');
    await assert.rejects(samplePayloadFile(dir), /outside the project/);
  });

  it('a link (to anywhere) or an oversized body is refused', async () => {
    const secret = path.join(dir, '..', `${path.basename(dir)}-secret.json`);
    writeFileSync(secret, '{"token": "s3cr3t"}');
    try {
      symlinkSync(secret, path.join(dir, SAMPLE_PAYLOAD_FILE));
      await assert.rejects(samplePayloadFile(dir), /not a regular file/);
    } finally {
      rmSync(secret, { force: true });
    }
    rmSync(path.join(dir, SAMPLE_PAYLOAD_FILE));
    writeFileSync(path.join(dir, SAMPLE_PAYLOAD_FILE), Buffer.alloc(2 * 1024 * 1024, 32));
    await assert.rejects(samplePayloadFile(dir), /over 1 MB/);
  });

  it('invalid JSON says which file', async () => {
    writeFileSync(path.join(dir, SAMPLE_PAYLOAD_FILE), '{ nope');
    await assert.rejects(samplePayloadOf(dir), new RegExp(`${SAMPLE_PAYLOAD_FILE} is not valid JSON`));
  });
});
