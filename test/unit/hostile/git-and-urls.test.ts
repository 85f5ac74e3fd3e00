// Hostile git input: a run's commit tag written by anyone who can log to a shared MLflow
// server, and a remote URL holding a token, which must not travel into image labels (they
// are pushed with the image), source ids (saved in webview state) or labels on screen.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isCommitId, withoutCredentials } from '../../../src/common/urls';
import { gitState } from '../../../src/git/core/client';
import { imageLabels } from '../../../src/docker/core/model';
import { MlflowServerSource } from '../../../src/experiments/core/sources';

describe('hostile git input', () => {
  for (const tag of ['--output=/home/u/.bashrc', '-p', 'HEAD', 'main', 'abc', 'a'.repeat(65), 'deadbeef --', 'deadbee\n-x', '', undefined, 42]) {
    it(`a recorded commit ${JSON.stringify(tag)} is not a commit id`, () => assert.equal(isCommitId(tag), false));
  }
  it('real commit ids are', () => {
    for (const c of ['deadbee', 'a'.repeat(40), 'A1B2C3D4E5F6', 'f'.repeat(64)]) assert.equal(isCommitId(c), true, c);
  });

  const cases: Array<[string, string]> = [
    ['https://oauth2:glpat-SECRET@gitlab.example/x.git', 'https://gitlab.example/x.git'],
    ['https://ghp_SECRET@github.com/o/r.git', 'https://github.com/o/r.git'],
    ['http://user:pw@mlflow.internal:5000/', 'http://mlflow.internal:5000/'],
    ['ssh://git:pw@host/r.git', 'ssh://git@host/r.git'],
    ['ssh://git@host/r.git', 'ssh://git@host/r.git'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['https://github.com/o/r.git', 'https://github.com/o/r.git'],
  ];
  for (const [url, shown] of cases) {
    it(`${url} is shown as ${shown}`, () => assert.equal(withoutCredentials(url), shown));
  }

  it('a real repository whose origin holds a token: gitState and the image label have no token', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-git-'));
    try {
      const git = (...a: string[]): string => execFileSync('git', a, { cwd: dir, encoding: 'utf8' });
      git('init', '-q');
      git('-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-q', '--allow-empty', '-m', 'x');
      git('remote', 'add', 'origin', 'https://oauth2:glpat-SECRET@gitlab.example/team/model.git');
      const state = await gitState(dir);
      assert.equal(state?.remote, 'https://gitlab.example/team/model.git');
      const labels = imageLabels({ title: 'm', version: '1', created: new Date(0), git: { sha: 'a'.repeat(40), dirty: false, remote: 'https://oauth2:glpat-SECRET@gitlab.example/x.git' } });
      assert.doesNotMatch(JSON.stringify(labels), /SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an MLflow server URI with a password is neither in the source id nor its label', () => {
    const s = new MlflowServerSource('https://me:hunter2@mlflow.example');
    assert.doesNotMatch(`${s.id} ${s.label}`, /hunter2|me:/);
  });
});
