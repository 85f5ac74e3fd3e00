// From a registered version to serving, the editor-free parts: where a version's files are
// (the download URI's shapes MLflow servers answer), the swap into a project's model/ folder
// (a failed download leaves the project as it was), which projects serve a model, and the
// served history a Deployment carries (what served from when to when).
import { strict as assert } from 'node:assert';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { artifactLocation, installVersion, modelFolderState } from '../../src/registry/core/download';
import { projectsServing, recordedAlias } from '../../src/registry/core/serving';
import type { ModelVersion } from '../../src/registry/core/model';
import type { ModelApiProject } from '../../src/scaffold/core/projects';
import { MAX_HISTORY, appendServed, parseServedHistory, servingTimeline } from '../../src/kube/core/servedHistory';

const SERVER = 'http://127.0.0.1:5000';

describe('registry deploy', () => {
  describe('artifactLocation', () => {
    it('reads the proxy URIs mlflow server answers by default', () => {
      assert.deepEqual(artifactLocation('mlflow-artifacts:/1/models/m-abc/artifacts', SERVER), { kind: 'proxied', path: '1/models/m-abc/artifacts' });
      assert.deepEqual(artifactLocation('mlflow-artifacts://other:5000/0/run/artifacts/model', SERVER), { kind: 'proxied', path: '0/run/artifacts/model' });
      assert.deepEqual(artifactLocation('mlflow-artifacts:/2/a%20b/artifacts/', SERVER), { kind: 'proxied', path: '2/a b/artifacts' });
      assert.deepEqual(artifactLocation(`${SERVER}/api/2.0/mlflow-artifacts/artifacts/3/x/artifacts/model`, SERVER), { kind: 'proxied', path: '3/x/artifacts/model' });
    });

    it('reads local paths: absolute, file: URIs, and the relative ones MLflow 1.x recorded (against the store folder)', () => {
      assert.deepEqual(artifactLocation('/srv/mlflow/artifacts/1/abc/artifacts/model', SERVER), { kind: 'local', path: '/srv/mlflow/artifacts/1/abc/artifacts/model' });
      assert.deepEqual(artifactLocation('file:///srv/a%20b/model', SERVER), { kind: 'local', path: '/srv/a b/model' });
      assert.deepEqual(artifactLocation('./mlruns/1/abc/artifacts/model', SERVER, '/work/proj'), { kind: 'local', path: '/work/proj/mlruns/1/abc/artifacts/model' });
    });

    it('names the package MLflow needs for each bucket it cannot read itself', () => {
      assert.deepEqual(artifactLocation('s3://bucket/1/abc/artifacts/model', SERVER), { kind: 'unsupported', scheme: 's3', packages: ['boto3'] });
      assert.deepEqual(artifactLocation('gs://b/m', SERVER), { kind: 'unsupported', scheme: 'gs', packages: ['google-cloud-storage'] });
      assert.deepEqual(artifactLocation('wasbs://c@acct.blob.core.windows.net/m', SERVER), { kind: 'unsupported', scheme: 'wasbs', packages: ['azure-storage-blob', 'azure-identity'] });
      assert.equal(artifactLocation('https://elsewhere.example/files/m', SERVER).kind, 'unsupported');
    });
  });

  describe('installVersion', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-install-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    const fakeDownload = (files: Record<string, string>) => async (dest: string) => {
      await mkdir(dest, { recursive: true });
      for (const [f, text] of Object.entries(files)) await writeFile(path.join(dest, f), text);
      return { uri: 'mlflow-artifacts:/x', files: Object.keys(files).length, bytes: 1 };
    };

    it('puts the version into model/ with registered.json, replacing the previous download', async () => {
      assert.deepEqual(await modelFolderState(dir), { kind: 'absent' });
      await installVersion(dir, { name: 'iris', version: '1', alias: 'champion', runId: 'r1' }, fakeDownload({ MLmodel: 'v1', 'model.pkl': 'one' }));
      assert.deepEqual(await modelFolderState(dir), { kind: 'registered', served: { name: 'iris', version: '1', alias: 'champion' } });
      assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'model', 'registered.json'), 'utf8')), { name: 'iris', version: '1', alias: 'champion', run_id: 'r1' });
      await installVersion(dir, { name: 'iris', version: '2' }, fakeDownload({ MLmodel: 'v2' }));
      assert.deepEqual((await readdir(path.join(dir, 'model'))).sort(), ['MLmodel', 'registered.json']);
      assert.equal(await readFile(path.join(dir, 'model', 'MLmodel'), 'utf8'), 'v2');
      // Nothing left behind beside the project's files.
      assert.deepEqual(await readdir(path.join(dir, '.mlops')), []);
    });

    it('leaves the project as it was when the download fails halfway', async () => {
      await mkdir(path.join(dir, 'model'));
      await writeFile(path.join(dir, 'model', 'model.joblib'), 'mine');
      assert.deepEqual(await modelFolderState(dir), { kind: 'other' });
      await assert.rejects(
        installVersion(dir, { name: 'iris', version: '3' }, async (dest) => {
          await mkdir(dest, { recursive: true });
          await writeFile(path.join(dest, 'MLmodel'), 'partial');
          throw new Error('connection reset');
        }),
        /connection reset/,
      );
      assert.equal(await readFile(path.join(dir, 'model', 'model.joblib'), 'utf8'), 'mine');
      assert.deepEqual(await readdir(path.join(dir, 'model')), ['model.joblib']);
      assert.deepEqual(await readdir(path.join(dir, '.mlops')), []);
    });
  });

  describe('projects serving a model', () => {
    const project = (dir: string, uri?: string): ModelApiProject => ({ dir, name: path.basename(dir), framework: 'fastapi', scaffolded: true, ...(uri ? { modelSource: { kind: 'mlflow', uri } } : { modelSource: { kind: 'sample' } }) });
    const v = (version: string, aliases: string[]): ModelVersion => ({ name: 'iris classifier', version, aliases, tags: {} });

    it('are the ones scaffolded from a URI naming it (by alias or version)', () => {
      const all = [project('/a', 'models:/iris classifier@champion'), project('/b', 'models:/iris classifier/3'), project('/c', 'models:/other@champion'), project('/d'), project('/e', 'runs:/abc/model')];
      assert.deepEqual(projectsServing(all, 'iris classifier').map((p) => p.dir), ['/a', '/b']);
    });

    it('record the alias they follow only while the version holds it', () => {
      const follows = project('/a', 'models:/iris classifier@champion');
      assert.equal(recordedAlias(follows, v('2', ['champion'])), 'champion');
      // A rollback to v1, which no longer holds @champion: recorded as v1 alone.
      assert.equal(recordedAlias(follows, v('1', ['old'])), undefined);
      assert.equal(recordedAlias(project('/b', 'models:/iris classifier/2'), v('2', ['champion'])), undefined);
    });
  });

  describe('served history', () => {
    const at = (m: number): string => new Date(Date.UTC(2026, 11, 1, 10, m)).toISOString();
    const iris = (version: string, alias?: string) => ({ name: 'iris', version, ...(alias ? { alias } : {}) });

    it('keeps well-formed entries of what a cluster holds, oldest first, bounded', () => {
      const text = JSON.stringify([{ at: at(5), revision: 2, served: iris('2', 'champion') }, { at: 'yesterday', revision: 1 }, { at: at(1), revision: 1, served: { name: 'iris' } }, 'x', null, { at: at(9), revision: -1 }]);
      assert.deepEqual(parseServedHistory(text), [
        { at: at(1), revision: 1 },
        { at: at(5), revision: 2, served: iris('2', 'champion') },
      ]);
      assert.deepEqual(parseServedHistory('{not json'), []);
      assert.deepEqual(parseServedHistory(JSON.stringify({ at: at(1) })), []);
      let h = parseServedHistory(undefined);
      for (let i = 0; i < MAX_HISTORY + 10; i++) h = appendServed(h, { at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), revision: i + 1 });
      assert.equal(h.length, MAX_HISTORY);
      assert.equal(h[0]!.revision, 11);
    });

    it('does not repeat an unchanged redeploy', () => {
      const h = appendServed([], { at: at(1), revision: 1, image: 'a', served: iris('1') });
      assert.equal(appendServed(h, { at: at(2), revision: 1, image: 'a', served: iris('1') }).length, 1);
      assert.equal(appendServed(h, { at: at(2), revision: 2, image: 'b', served: iris('2') }).length, 2);
    });

    it('tells which version served from when to when, through a rollback that reused an old revision', () => {
      // v1 deployed (rev 1), v2 (rev 2), rolled back to v1 (its ReplicaSet again: rev 3).
      const history = [
        { at: at(0), revision: 1, served: iris('1', 'champion') },
        { at: at(10), revision: 2, served: iris('2', 'champion') },
        { at: at(20), revision: 3, served: iris('1', 'champion') },
      ];
      const timeline = servingTimeline(history, [], 3);
      assert.deepEqual(
        timeline.map((p) => [p.what, p.revision, p.from, p.to, p.current]),
        [
          ['iris v1 (@champion)', 3, at(20), undefined, true],
          ['iris v2 (@champion)', 2, at(10), at(20), false],
          ['iris v1 (@champion)', 1, at(0), at(10), false],
        ],
      );
    });

    it('falls back to the revisions, and adds a revision rolled out by someone else', () => {
      const revisions = [
        { revision: 2, image: 'api:2', served: iris('2'), created: new Date(at(10)), current: true },
        { revision: 1, image: 'api:1', modelVersion: 'sample-1', created: new Date(at(0)), current: false },
      ];
      assert.deepEqual(
        servingTimeline([], revisions, 2).map((p) => [p.what, p.from, p.to, p.current]),
        [
          ['iris v2', at(10), undefined, true],
          ['sample-1', at(0), at(10), false],
        ],
      );
      // Recorded up to revision 1; kubectl rolled out revision 2 since.
      const t = servingTimeline([{ at: at(0), revision: 1, modelVersion: 'sample-1' }], revisions, 2);
      assert.deepEqual(t.map((p) => [p.revision, p.from, p.to, p.current]), [
        [2, at(10), undefined, true],
        [1, at(0), at(10), false],
      ]);
    });
  });
});

describe('the model’s own requirements against the project’s', () => {
  it('names the model libraries the project does not install, not what MLflow merely saw imported', async () => {
    const { missingModelPackages } = await import('../../src/registry/core/serving');
    const model = 'mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\npsutil==7.2.2\npytest==9.2.0\nrich==15.0.0\nscikit-learn==1.9.1\nscipy==1.17.1\nskops==0.16.0';
    const project = '# pinned\nfastapi==0.165.0\nscikit-learn==1.9.1\nnumpy==2.4.6\npandas==3.1.1\nmlflow-skinny==3.17.2\n';
    assert.deepEqual(missingModelPackages(model, project), ['skops==0.16.0']);
    assert.deepEqual(missingModelPackages(model, `${project}skops==0.16.0\n`), []);
    assert.deepEqual(missingModelPackages('xgboost==3.2.0\ncloudpickle==3.1.1', 'xgboost-cpu==3.2.0; sys_platform == "linux"'), ['cloudpickle==3.1.1']);
    assert.deepEqual(missingModelPackages('', project), []);
  });
});

describe('GTO tags', () => {
  it('tell versions, deregistrations, stages (counted and simple) and deprecations apart; anything else is ignored', async () => {
    const { parseGtoTags, hasGtoTags, bySemverDesc } = await import('../../src/registry/core/gtoRegistry');
    const tag = (t: string, commit: string, date: number, message = '') => ({ tag: t, commit, date, message });
    const tags = [
      tag('churn@v0.0.1', 'c1', 1),
      tag('churn#prod#1', 'c1', 2),
      tag('churn@v0.1.0', 'c2', 3),
      tag('churn@v0.10.0', 'c3', 4),
      tag('churn#prod#2', 'c3', 5, 'Assigning stage prod to artifact churn version v0.10.0'),
      tag('churn#staging', 'c2', 6),
      tag('churn#prod!#3', 'c3', 7),
      tag('churn@v0.0.1!', 'c1', 8),
      tag('v1.0.0', 'c1', 1),
      tag('release@2024', 'c1', 1),
      tag('Bad Name@v1.0.0', 'c1', 1),
      tag('churn@vX', 'c1', 1),
      tag('gone@v1.0.0', 'c1', 1),
      tag('gone@v1.0.0!', 'c1', 2),
    ];
    const entries = parseGtoTags(tags, { churn: { type: 'model', path: 'm.pkl', description: 'Churn' } });
    assert.deepEqual(entries.map((e) => e.model.name), ['churn']);
    const churn = entries[0]!;
    assert.deepEqual(churn.versions.map((v) => v.version), ['v0.10.0', 'v0.1.0']);
    // prod's newest event (#3) unassigned it; staging (simple notation) points at the version on c2.
    assert.deepEqual(churn.model.aliases, { staging: 'v0.1.0' });
    assert.equal(churn.versions[1]!.source, 'c2:m.pkl');
    assert.equal(hasGtoTags(tags.slice(8, 12)), false);
    assert.deepEqual(['v1.2.0', 'v1.10.0', 'v1.10.0-rc1', 'v0.9.9'].sort(bySemverDesc), ['v1.10.0', 'v1.10.0-rc1', 'v1.2.0', 'v0.9.9']);
  });
});
