// A committed mlflow.db of an older MLflow (2.9, written here by that release in its own
// venv), opened with today's MLflow: never upgraded in place. Its schema is read without
// writing a byte; an older one is served from a copy, with every run the older MLflow logged,
// and the repository's `git status` stays clean; a database of a newer MLflow is refused,
// naming what to install; MLflow databases in subfolders and under other names are found.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planServe, readSchema } from '../../src/experiments/core/mlflow/schema';
import { LocalMlflowServer, findLocalStores } from '../../src/experiments/core/mlflow/server';
import { MlflowServerSource } from '../../src/experiments/core/sources';
import { OLD_STORE_SCRIPT, commitAll } from '../helpers/userProjects';
import { root, run, venvPython } from './helpers/processes';

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('an older MLflow’s mlflow.db, opened with today’s MLflow', function () {
  this.timeout(300_000);
  let repo = '';
  let storage = '';
  let oldPython = '';
  const today = (): string[] => [venvPython(), '-m', 'mlflow'];
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  before(async function () {
    this.timeout(600_000);
    oldPython = execFileSync('bash', [path.join(root, 'test', 'env', 'python-mlflow-release.sh'), '2.9.2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    repo = mkdtempSync(path.join(os.tmpdir(), 'mlops-old-db-'));
    storage = mkdtempSync(path.join(os.tmpdir(), 'mlops-old-db-storage-'));
    const logged = await run(oldPython, ['-c', OLD_STORE_SCRIPT], { cwd: repo, timeoutMs: 180_000, env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
    assert.equal(logged.code, 0, logged.out);
    assert.match(logged.out, /LOGGED 2\.9\.2/);
    commitAll(repo, 'runs of MLflow 2.9');
  });
  after(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  it('reads the schema without writing anything: older than the installed MLflow’s', async () => {
    const before = sha(path.join(repo, 'mlflow.db'));
    const state = await readSchema(today(), path.join(repo, 'mlflow.db'));
    assert.ok(state.current && state.head && state.current !== state.head, JSON.stringify(state));
    assert.ok(state.known.includes(state.current), 'a revision today’s MLflow knows');
    assert.equal(sha(path.join(repo, 'mlflow.db')), before);
    assert.equal(git('status', '--porcelain'), '');
  });

  it('serves a copy with every run the older MLflow logged; the repository stays as it was', async () => {
    const db = path.join(repo, 'mlflow.db');
    const before = sha(db);
    const [store] = await findLocalStores(repo);
    assert.deepEqual(store, { kind: 'sqlite', path: db });
    const plan = await planServe(await readSchema(today(), db), db, storage);
    assert.ok(plan.copy, 'a copy');
    assert.match(plan.copy.reason, /written by an older MLflow .* the original stays as it is/);
    assert.ok(plan.db.startsWith(storage), plan.db);
    const server = await LocalMlflowServer.start({ command: today(), store: store!, copy: { db: plan.db, reason: plan.copy.reason }, logFile: path.join(storage, 'server.log') });
    try {
      const source = new MlflowServerSource(server.url);
      const churn = (await source.experiments()).find((e) => e.name === 'churn')!;
      assert.ok(churn, 'the experiment');
      const runs = await source.runs([churn.id]);
      // Deleted runs are not listed, as in MLflow's own UI; the failed one is.
      assert.deepEqual(runs.map((r) => `${r.name} ${r.status}`).sort(), ['logreg-C0.1 FAILED', 'logreg-C1.0 FINISHED']);
      assert.equal(runs.find((r) => r.name === 'logreg-C1.0')!.params.C, '1.0');
    } finally {
      await server.stop();
    }
    assert.equal(sha(db), before, 'mlflow.db is byte for byte as it was');
    assert.equal(git('status', '--porcelain', '--ignored'), '', 'nothing new or changed in the repository');
    // The copy was upgraded, not the original.
    assert.equal((await readSchema(today(), plan.db)).current, (await readSchema(today(), plan.db)).head);
    // Unchanged original: the copy is reused; a changed one is copied again.
    assert.equal((await planServe(await readSchema(today(), db), db, storage)).copy?.refreshed, false);
  });

  it('what the server would do to the original: it upgrades the database in place (why a copy is served)', async () => {
    const victim = mkdtempSync(path.join(os.tmpdir(), 'mlops-old-db-victim-'));
    try {
      copyFileSync(path.join(repo, 'mlflow.db'), path.join(victim, 'mlflow.db'));
      const old = (await readSchema(today(), path.join(victim, 'mlflow.db'))).current;
      const server = await LocalMlflowServer.start({ command: today(), store: { kind: 'sqlite', path: path.join(victim, 'mlflow.db') }, logFile: path.join(victim, 'server.log') });
      await server.stop();
      const now = (await readSchema(today(), path.join(victim, 'mlflow.db'))).current;
      assert.notEqual(now, old);
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
  });

  it('a database of a newer MLflow is refused, naming what to install', async () => {
    const newer = path.join(storage, 'newer', 'mlflow.db');
    mkdirSync(path.dirname(newer), { recursive: true });
    copyFileSync(path.join(repo, 'mlflow.db'), newer);
    execFileSync(oldPython, ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE alembic_version SET version_num=\'0123456789ab\'"); c.commit()', newer]);
    await assert.rejects(planServe(await readSchema(today(), newer), newer, storage), /written by a newer MLflow than the installed 3\.\d+\.\d+ .*pip install -U mlflow/);
  });

  it('finds MLflow databases in subfolders and under other names, not other SQLite files', async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-find-stores-'));
    try {
      mkdirSync(path.join(ws, 'notebooks', 'tracking'), { recursive: true });
      copyFileSync(path.join(repo, 'mlflow.db'), path.join(ws, 'notebooks', 'tracking', 'runs.sqlite'));
      execFileSync(oldPython, ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE users(id)"); c.commit()', path.join(ws, 'notebooks', 'app.db')]);
      mkdirSync(path.join(ws, '.venv', 'lib'), { recursive: true });
      copyFileSync(path.join(repo, 'mlflow.db'), path.join(ws, '.venv', 'lib', 'mlflow.db'));
      writeFileSync(path.join(ws, 'README.md'), '# x\n');
      assert.deepEqual((await findLocalStores(ws)).map((s) => path.relative(ws, s.path)), [path.join('notebooks', 'tracking', 'runs.sqlite')]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
