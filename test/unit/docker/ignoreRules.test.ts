// .dockerignore for a user's project: the shape users have (their code in src/, a .venv, a
// data folder, mlruns, a .env with secrets), `COPY . .` or named sources. What the
// Dockerfile copies stays in; what no image needs is left out; the scaffold's allow-list,
// which made the next build fail at its first COPY, is not used.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextEntries } from '../../../src/docker/core/context';
import { copiedSources, deriveDockerignore } from '../../../src/docker/core/ignoreRules';

describe('a .dockerignore derived from the Dockerfile', () => {
  let dir = '';
  const write = (rel: string, text = 'x'): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-ignore-'));
    for (const f of ['src/shop/app.py', 'requirements.txt', '.venv/bin/python', 'data/train.csv', 'mlruns/0/meta.yaml', '.env', '.git/HEAD', 'notebooks/eda.ipynb', 'model/model.joblib']) write(f);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads COPY and ADD sources as Docker does (flags, JSON form, continuations, other stages)', () => {
    assert.deepEqual(copiedSources('COPY --chown=app requirements.txt ./\nCOPY ["src/", "/app/src"]\nADD model/ \\\n  /model\nCOPY --from=build /opt/venv /opt/venv\n'), ['requirements.txt', 'src', 'model']);
  });

  it('COPY of named sources: they are sent, the .venv, data, mlruns, .git and .env are not', async () => {
    const dockerfile = 'FROM python\nCOPY requirements.txt .\nCOPY src/ ./src\nCOPY model ./model\n';
    const derived = await deriveDockerignore(dir, dockerfile);
    assert.deepEqual(derived.excluded, ['.git', '.venv', 'mlruns', 'data', '.env']);
    const sent = (await contextEntries(dir, 'Dockerfile', derived.text)).map((e) => e.rel);
    for (const f of ['src/shop/app.py', 'requirements.txt', 'model/model.joblib']) assert.ok(sent.includes(f), f);
    for (const f of ['.venv/bin/python', 'data/train.csv', '.env', '.git/HEAD']) assert.ok(!sent.includes(f), f);
  });

  it('a folder the Dockerfile copies is kept even when it is one of the usual suspects', async () => {
    const derived = await deriveDockerignore(dir, 'FROM python\nCOPY . .\nCOPY data/train.csv /data/\n');
    assert.deepEqual(derived.kept, ['data']);
    assert.ok(!derived.excluded.includes('data'));
  });
});
