// The model registry against a real `mlflow server` (3.x, SQLite) whose models real MLflow
// code registered: versions from logged models, an alias, tags and descriptions, a deleted
// version, a model whose name has spaces and non-ASCII letters, an empty model, and a run
// whose model nobody registered yet. Each action of the Models view is made through the
// extension's client and checked with MLflow's own Python client; a registered version is
// loaded back by MLflow. The same store's runs and models written into a file store are read
// by the file-store reader and compared with what MLflow reports. An MLflow 2.22 server (its
// own venv) keeps stages: they are listed, transitioned, and a run's model is registered.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, UserFacingError, hasCode } from '../../src/common/errors';
import { findRunModel, loggedModel } from '../../src/experiments/core/runModel';
import { planImage } from '../../src/docker/core/project';
import { SAMPLE_FEATURES, featuresFromSignature } from '../../src/scaffold/core/model';
import { planProject } from '../../src/scaffold/core/render';
import { loadTemplates } from '../../src/scaffold/core/templates';
import { servedFrom } from '../../src/registry/core/model';
import { copyModelFolder, downloadVersion, installVersion, modelFolderState } from '../../src/registry/core/download';
import { MlflowFilesSource, MlflowServerSource } from '../../src/experiments/core/sources';
import { FileRegistry, hasFileRegistry } from '../../src/registry/core/fileRegistry';
import { MlflowRegistry } from '../../src/registry/core/mlflowRegistry';
import type { Server } from './helpers/processes';
import { freePort, root, run, startMlflowServer, stopAll, venvPython } from './helpers/processes';

/** Registers models the way users do, into whatever MLFLOW_TRACKING_URI names. */
const REGISTER = `
import mlflow, mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
c = MlflowClient()
mlflow.set_experiment("registry")
for i in range(3):
    with mlflow.start_run(run_name=f"iris C={10 ** i}"):
        model = LogisticRegression(C=10 ** i, max_iter=500).fit(X, y)
        mlflow.sklearn.log_model(model, name="model", input_example=X[:2], registered_model_name="iris-classifier")
c.set_registered_model_alias("iris-classifier", "champion", "2")
c.set_registered_model_tag("iris-classifier", "team", "ml")
c.update_registered_model("iris-classifier", description="Iris species")
c.set_model_version_tag("iris-classifier", "1", "validated", "true")
c.delete_model_version("iris-classifier", "3")
with mlflow.start_run(run_name="fraude") as r:
    mlflow.sklearn.log_model(LogisticRegression(max_iter=500).fit(X, y), name="model", registered_model_name="modèle de fraude v2")
c.create_registered_model("empty-model")
with mlflow.start_run(run_name="unregistered") as r:
    mlflow.sklearn.log_model(LogisticRegression(max_iter=500).fit(X, y), name="model", input_example=X[:2])
    print("UNREGISTERED=" + r.info.run_id)
`;

/** The same registry shapes written into a file store by MLflow's client, without training (the server test logs real models). */
const REGISTER_FILES = `
import mlflow
from mlflow import MlflowClient
c = MlflowClient()
mlflow.set_experiment("registry")
with mlflow.start_run(run_name="trained") as r:
    mlflow.log_metric("accuracy", 0.97)
run = r.info.run_id
c.create_registered_model("iris-classifier", tags={"team": "ml"}, description="Iris species")
for _ in range(3):
    c.create_model_version("iris-classifier", f"runs:/{run}/model", run)
c.set_registered_model_alias("iris-classifier", "champion", "2")
c.set_model_version_tag("iris-classifier", "1", "validated", "true")
c.delete_model_version("iris-classifier", "3")
c.create_registered_model("modèle de fraude v2")
c.create_model_version("modèle de fraude v2", f"runs:/{run}/model", run)
c.create_registered_model("empty-model")
`;

/** What MLflow's own client reports: model → {versions, aliases}. */
const REPORT = `
import json, sys
from mlflow import MlflowClient
c = MlflowClient()
out = {}
for m in c.search_registered_models():
    vs = c.search_model_versions(f"name='{m.name}'")
    out[m.name] = {"versions": sorted((int(v.version) for v in vs), reverse=True), "aliases": dict(m.aliases), "tags": dict(m.tags), "description": m.description or ""}
print("REPORT=" + json.dumps(out, ensure_ascii=False))
`;

/** The files under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

async function report(uri: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Record<string, { versions: number[]; aliases: Record<string, string>; tags: Record<string, string>; description: string }>> {
  const r = await run(venvPython(), ['-c', REPORT], { cwd: os.tmpdir(), env: { MLFLOW_TRACKING_URI: uri, ...extraEnv }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.out);
  return JSON.parse(/REPORT=(.*)/.exec(r.out)![1]!);
}

describe('model registry against a real MLflow server', function () {
  this.timeout(600_000);
  let server: Server;
  let registry: MlflowRegistry;
  let unregistered = '';
  let work = '';

  before(async function () {
    this.timeout(900_000);
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-'));
    server = await startMlflowServer(work);
    const r = await run(venvPython(), ['-c', REGISTER], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
    unregistered = /UNREGISTERED=([0-9a-f]{32})/.exec(r.out)![1]!;
    registry = new MlflowRegistry(new MlflowServerSource(server.url).client);
  });

  after(() => stopAll());

  it('lists every model with its live versions, aliases, tags and logged models, as MLflow reports them', async () => {
    const entries = await registry.list();
    const mlflow = await report(server.url);
    assert.deepEqual(
      Object.fromEntries(entries.map((e) => [e.model.name, { versions: e.versions.map((v) => Number(v.version)), aliases: e.model.aliases, tags: e.model.tags, description: e.model.description ?? '' }])),
      mlflow,
    );
    const iris = entries.find((e) => e.model.name === 'iris-classifier')!;
    assert.deepEqual(iris.versions.map((v) => v.version), ['2', '1'], 'the deleted v3 is not listed');
    assert.deepEqual(iris.versions[0]!.aliases, ['champion']);
    assert.deepEqual(iris.versions[1]!.tags, { validated: 'true' });
    assert.match(iris.versions[0]!.modelId ?? '', /^m-[0-9a-f]{32}$/, 'MLflow 3 records the logged model');
    assert.match(iris.versions[0]!.runId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(iris.versions[0]!.status, 'READY');
    assert.deepEqual(entries.find((e) => e.model.name === 'empty-model')!.versions, []);
    assert.equal(entries.find((e) => e.model.name === 'modèle de fraude v2')!.versions.length, 1);
  });

  it('moves and removes an alias, tags and describes, as MLflow then reads them', async () => {
    await registry.setAlias('iris-classifier', 'champion', '1');
    await registry.setAlias('iris-classifier', 'challenger', '2');
    assert.equal((await registry.versionByAlias('iris-classifier', 'champion')).version, '1');
    await registry.setModelTag('iris-classifier', 'owner', 'ana');
    await registry.deleteModelTag('iris-classifier', 'team');
    await registry.setVersionTag('iris-classifier', '2', 'reviewed', 'sí');
    await registry.describeVersion('iris-classifier', '2', 'más reciente');
    await registry.describeModel('modèle de fraude v2', 'détection de fraude');
    await registry.setAlias('modèle de fraude v2', 'prod', '1');
    let mlflow = await report(server.url);
    assert.deepEqual(mlflow['iris-classifier']!.aliases, { champion: '1', challenger: '2' });
    assert.deepEqual(mlflow['iris-classifier']!.tags, { owner: 'ana' });
    assert.equal(mlflow['modèle de fraude v2']!.description, 'détection de fraude');
    assert.deepEqual(mlflow['modèle de fraude v2']!.aliases, { prod: '1' });
    const v2 = await registry.version('iris-classifier', '2');
    assert.deepEqual([v2.tags.reviewed, v2.description], ['sí', 'más reciente']);

    await registry.deleteAlias('iris-classifier', 'challenger');
    mlflow = await report(server.url);
    assert.deepEqual(mlflow['iris-classifier']!.aliases, { champion: '1' });
    await assert.rejects(registry.versionByAlias('iris-classifier', 'challenger'), (err: unknown) => err instanceof UserFacingError && /alias challenger not found/.test(err.message));
  });

  it('a project made from models:/…@champion downloads the version the alias points at and records it for its image', async () => {
    const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
    const dir = path.join(work, 'iris-api');
    for (const f of planProject({ framework: 'fastapi', projectName: 'iris-api', modelSource: { kind: 'mlflow', uri: 'models:/iris-classifier@champion' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates)) {
      if (f.content === undefined) continue;
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    const r = await run(venvPython(), ['fetch_model.py'], { cwd: dir, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /downloaded models:\/iris-classifier\/1 /, 'the alias is resolved once, that version downloaded');
    const record = JSON.parse(readFileSync(path.join(dir, 'model', 'registered.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual([record.name, record.version, record.alias], ['iris-classifier', '1', 'champion']);
    assert.ok(existsSync(path.join(dir, 'model', 'MLmodel')));
    const plan = await planImage({ dockerfile: path.join(dir, 'Dockerfile') });
    assert.deepEqual(servedFrom(plan.labels), { name: 'iris-classifier', version: '1', alias: 'champion' });
  });

  it('Deploy This Version brings the version into a project itself (artifacts on the server’s disk): the files fetch_model.py gets, loaded by MLflow', async () => {
    const dir = path.join(work, 'iris-api-ext');
    mkdirSync(dir);
    const got = await installVersion(dir, { name: 'iris-classifier', version: '2', alias: 'challenger' }, (dest) => downloadVersion(registry.client, 'iris-classifier', '2', dest));
    assert.ok(got.files >= 3, `files: ${got.files}`);
    assert.ok(path.isAbsolute(got.uri), `a local artifact root gives a path: ${got.uri}`);
    // (registered_model_meta: what MLflow's models:/ download adds of its own; registered.json: the record.)
    const mine = (f: string): boolean => f !== 'registered.json' && f !== 'registered_model_meta';
    const byFetch = listFiles(path.join(work, 'iris-api', 'model')).filter(mine);
    assert.deepEqual(listFiles(path.join(dir, 'model')).filter(mine), byFetch, 'the same files as MLflow’s own download');
    assert.ok(byFetch.includes('MLmodel') && byFetch.length >= 5, byFetch.join(', '));
    assert.deepEqual(await modelFolderState(dir), { kind: 'registered', served: { name: 'iris-classifier', version: '2', alias: 'challenger' } });
    const load = `import mlflow, numpy\nm = mlflow.pyfunc.load_model(${JSON.stringify(path.join(dir, 'model'))})\nprint("PRED=" + str(list(m.predict(numpy.array([[5.1, 3.5, 1.4, 0.2]])))))`;
    const r = await run(venvPython(), ['-c', load], { cwd: work, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PRED=\[(np\.int64\()?0\)?\]/);
  });

  it('registers a run’s logged model as a new version that MLflow loads and predicts with', async () => {
    const source = new MlflowServerSource(server.url);
    const found = await findRunModel(source, await source.client.run(unregistered));
    assert.match(found?.uri ?? '', /^models:\/m-[0-9a-f]{32}$/);
    const modelId = found!.uri.slice('models:/'.length);
    const v = await registry.register('iris-classifier', found!.uri, unregistered, modelId);
    assert.equal(v.version, '4', 'after v1, v2 and the deleted v3');
    assert.equal(v.modelId, modelId);
    // The version's logged model carries the signature MLflow inferred from the input example.
    const logged = await loggedModel(source, v.modelId!);
    assert.deepEqual(featuresFromSignature(logged.inputs), ['x0', 'x1', 'x2', 'x3'].map((name) => ({ name, type: 'float' })));
    await registry.setAlias('iris-classifier', 'candidate', v.version);
    const load = `import mlflow, numpy\nm = mlflow.pyfunc.load_model("models:/iris-classifier@candidate")\nprint("PRED=" + str(list(m.predict(numpy.array([[5.1, 3.5, 1.4, 0.2]])))))`;
    const r = await run(venvPython(), ['-c', load], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PRED=\[(np\.int64\()?0\)?\]/);
    // A model registered under a new name is made first.
    const fresh = await registry.register('nuevo modelo', found!.uri, unregistered, modelId);
    assert.equal(fresh.version, '1');
    assert.equal(await registry.ensureModel('nuevo modelo'), false, 'an existing model is kept');
  });

  it('deletes a version (its alias goes with it) and a whole model', async () => {
    await registry.deleteVersion('iris-classifier', '4');
    await registry.deleteModel('empty-model');
    const mlflow = await report(server.url);
    assert.deepEqual(mlflow['iris-classifier']!.versions, [2, 1]);
    assert.equal(mlflow['iris-classifier']!.aliases.candidate, undefined);
    assert.equal(mlflow['empty-model'], undefined);
    assert.ok(!(await registry.list()).some((e) => e.model.name === 'empty-model'));
  });

  it('says what to do when the server stops answering mid-way', async () => {
    const port = await freePort();
    const gone = new MlflowRegistry(new MlflowServerSource(`http://127.0.0.1:${port}`).client);
    await assert.rejects(gone.setAlias('iris-classifier', 'x', '1'), (err: unknown) => err instanceof UserFacingError && /No MLflow server answers/.test(err.message));
    await assert.rejects(registry.setAlias('no-such-model', 'x', '1'), (err: unknown) => hasCode(err, ErrorCode.notFound));
  });

  it('reads a file store’s registry as MLflow wrote it, and the same as MLflow reports', async () => {
    const store = path.join(work, 'files', 'mlruns');
    const uri = `file://${store}`;
    const env = { MLFLOW_ALLOW_FILE_STORE: 'true' };
    mkdirSync(path.dirname(store), { recursive: true });
    const r = await run(venvPython(), ['-c', REGISTER_FILES], { cwd: path.dirname(store), env: { MLFLOW_TRACKING_URI: uri, ...env }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
    assert.ok(await hasFileRegistry(store));
    const { entries, problems } = await new FileRegistry(store).list();
    assert.deepEqual(problems, []);
    const mlflow = await report(uri, env);
    assert.deepEqual(
      Object.fromEntries(entries.map((e) => [e.model.name, { versions: e.versions.map((v) => Number(v.version)), aliases: e.model.aliases, tags: e.model.tags, description: e.model.description ?? '' }])),
      mlflow,
    );
    const iris = entries.find((e) => e.model.name === 'iris-classifier')!;
    assert.deepEqual(iris.versions.map((v) => v.version), ['2', '1'], 'the deleted v3 (its folder stays) is not listed');
    assert.deepEqual(iris.versions[0]!.aliases, ['champion']);
    assert.deepEqual(iris.versions[1]!.tags, { validated: 'true' });
    assert.match(iris.versions[0]!.runId ?? '', /^[0-9a-f]{32}$/);
  });
});

/** MLflow 2.x registers with stages: two versions, one in Production, one in Staging. */
const REGISTER_2X = `
import mlflow, mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
c = MlflowClient()
mlflow.set_experiment("stages")
for i in range(2):
    with mlflow.start_run(run_name=f"v{i + 1}"):
        mlflow.sklearn.log_model(LogisticRegression(C=10 ** i, max_iter=500).fit(X, y), "model", registered_model_name="churn")
c.transition_model_version_stage("churn", "1", "Production")
c.transition_model_version_stage("churn", "2", "Staging")
with mlflow.start_run(run_name="next") as r:
    mlflow.sklearn.log_model(LogisticRegression(max_iter=500).fit(X, y), "model")
    print("NEXT=" + r.info.run_id)
`;

const STAGES_2X = `
import json
from mlflow import MlflowClient
print("STAGES=" + json.dumps({v.version: v.current_stage for v in MlflowClient().search_model_versions("name='churn'")}))
`;

describe('model registry: deploying a file store’s version (the store’s own folders)', function () {
  this.timeout(600_000);
  let root = '';
  const LOG_INTO_FILES = `
import os, tempfile
import mlflow, mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
m = LogisticRegression(max_iter=500).fit(X, y)
mlflow.set_experiment("files")
with mlflow.start_run() as r:
    mlflow.sklearn.log_model(m, name="model", registered_model_name="logged in files")
    d = tempfile.mkdtemp()
    mlflow.sklearn.save_model(m, os.path.join(d, "model"))
    mlflow.log_artifacts(os.path.join(d, "model"), "model")
c = MlflowClient()
c.create_registered_model("run-files")
c.create_model_version("run-files", f"runs:/{r.info.run_id}/model", r.info.run_id)
c.create_registered_model("elsewhere")
c.create_model_version("elsewhere", "/etc", r.info.run_id)
`;

  before(async function () {
    this.timeout(900_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-files-'));
    root = path.join(work, 'mlruns');
    const r = await run(venvPython(), ['-c', LOG_INTO_FILES], { cwd: work, env: { MLFLOW_TRACKING_URI: `file://${root}`, MLFLOW_ALLOW_FILE_STORE: 'true' }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
  });

  it('finds each version’s model in the store (MLflow 3 logged model and runs:/ artifacts), copied into a project MLflow loads; a source outside the store is not followed', async () => {
    const { entries } = await new FileRegistry(root).list();
    const files = new MlflowFilesSource(root);
    for (const name of ['logged in files', 'run-files']) {
      const v = entries.find((e) => e.model.name === name)!.versions[0]!;
      const folder = await files.modelFolder(v.source ?? '', v.runId);
      assert.ok(folder, `${name}: ${v.source}`);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-files-api-'));
      await installVersion(dir, { name, version: v.version }, async (dest) => ({ uri: folder, ...(await copyModelFolder(folder, dest, { name, version: v.version })) }));
      const load = `import mlflow, numpy\nm = mlflow.pyfunc.load_model(${JSON.stringify(path.join(dir, 'model'))})\nprint("PRED=" + str(list(m.predict(numpy.array([[5.1, 3.5, 1.4, 0.2]])))))`;
      const r = await run(venvPython(), ['-c', load], { cwd: dir, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /PRED=\[(np\.int64\()?0\)?\]/, name);
    }
    const outside = entries.find((e) => e.model.name === 'elsewhere')!.versions[0]!;
    assert.equal(await files.modelFolder(outside.source ?? '', outside.runId), undefined, 'a version naming /etc is not copied from');
  });
});

describe('model registry: a server that serves its artifacts (mlflow-artifacts:/, its default)', function () {
  this.timeout(600_000);
  let server: Server;
  let work = '';
  const REGISTER_PROXIED = `
import mlflow, mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
mlflow.set_experiment("proxied")
with mlflow.start_run(run_name="tree"):
    mlflow.sklearn.log_model(LogisticRegression(max_iter=500).fit(X, y), name="model", input_example=X[:2], registered_model_name="árbol iris")
c = MlflowClient()
c.create_registered_model("on-s3")
c.create_model_version("on-s3", "s3://some-bucket/models/iris", None)
`;

  before(async function () {
    this.timeout(900_000);
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-proxied-'));
    server = await startMlflowServer(work, undefined, { proxied: true });
    const r = await run(venvPython(), ['-c', REGISTER_PROXIED], { cwd: os.tmpdir(), env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
  });

  after(() => stopAll());

  it('downloads a version through the server’s artifact proxy, into a project MLflow then loads', async () => {
    const client = new MlflowServerSource(server.url).client;
    const dir = path.join(work, 'arbol-api');
    mkdirSync(dir);
    const progress: number[] = [];
    const got = await installVersion(dir, { name: 'árbol iris', version: '1' }, (dest) => downloadVersion(client, 'árbol iris', '1', dest, { onProgress: (p) => progress.push(p.files) }));
    assert.match(got.uri, /^mlflow-artifacts:/);
    assert.equal(progress.at(-1), got.files);
    assert.ok(listFiles(path.join(dir, 'model')).includes('MLmodel'));
    const load = `import mlflow, numpy\nm = mlflow.pyfunc.load_model(${JSON.stringify(path.join(dir, 'model'))})\nprint("PRED=" + str(list(m.predict(numpy.array([[6.7, 3.0, 5.2, 2.3]])))))`;
    const r = await run(venvPython(), ['-c', load], { cwd: work, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PRED=\[(np\.int64\()?2\)?\]/);
  });

  it('a version kept in a bucket is refused with the package MLflow would need, and the project is left as it was', async () => {
    const client = new MlflowServerSource(server.url).client;
    const dir = path.join(work, 's3-api');
    mkdirSync(dir);
    await assert.rejects(
      installVersion(dir, { name: 'on-s3', version: '1' }, (dest) => downloadVersion(client, 'on-s3', '1', dest)),
      (err: unknown) => err instanceof UserFacingError && /s3:\/\/some-bucket/.test(err.message) && /boto3/.test(err.message) && /fetch_model\.py/.test(err.message),
    );
    assert.deepEqual(await modelFolderState(dir), { kind: 'absent' });
  });
});

describe('model registry against a real MLflow 2.x server (stages)', function () {
  this.timeout(600_000);
  let server: Server;
  let python = '';
  let registry: MlflowRegistry;
  let next = '';
  let work = '';
  const stages = async (): Promise<Record<string, string>> => {
    const r = await run(python, ['-c', STAGES_2X], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    return JSON.parse(/STAGES=(.*)/.exec(r.out)![1]!);
  };

  before(async function () {
    this.timeout(900_000);
    python = execFileSync('bash', [path.join(root, 'test', 'env', 'python-mlflow2-server-release.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-registry2-'));
    server = await startMlflowServer(work, python);
    const r = await run(python, ['-c', REGISTER_2X], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
    next = /NEXT=([0-9a-f]{32})/.exec(r.out)![1]!;
    registry = new MlflowRegistry(new MlflowServerSource(server.url).client);
  });

  after(() => stopAll());

  it('lists the stages; a transition with archiving moves the others as MLflow does', async () => {
    const [churn] = await registry.list();
    assert.equal(await registry.client.version(), '2.22.1');
    assert.deepEqual(churn!.versions.map((v) => [v.version, v.stage]), [['2', 'Staging'], ['1', 'Production']]);
    assert.equal(churn!.versions[0]!.modelId, undefined, 'MLflow 2 has no logged models');
    await registry.transitionStage('churn', '2', 'Production', true);
    assert.deepEqual(await stages(), { '1': 'Archived', '2': 'Production' });
    // Aliases exist on 2.x too (2.3+): the view offers them alongside stages.
    await registry.setAlias('churn', 'production', '2');
    assert.equal((await registry.versionByAlias('churn', 'production')).version, '2');
  });

  it('registers an MLflow 2 run’s model (runs:/…) as a version MLflow loads', async () => {
    const source = new MlflowServerSource(server.url);
    const found = await findRunModel(source, await source.client.run(next));
    assert.equal(found?.uri, `runs:/${next}/model`);
    const v = await registry.register('churn', found!.uri, next);
    assert.equal(v.version, '3');
    const load = `import mlflow\nm = mlflow.pyfunc.load_model("models:/churn/3")\nprint("PRED=" + str(list(m.predict([[5.1, 3.5, 1.4, 0.2]]))))`;
    const r = await run(python, ['-c', load], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PRED=\[(np\.int64\()?0\)?\]/);
  });
});
