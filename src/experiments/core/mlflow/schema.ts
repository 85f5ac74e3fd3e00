// Which MLflow wrote a workspace's mlflow.db, and what serving it would do to it. MLflow's
// server upgrades an older database's schema in place, and the MLflow that wrote it cannot
// open it afterwards: a database the user keeps (often committed to git) is never changed
// without their word. An older schema is served from a copy in the extension's storage
// (refreshed when the original changes); a newer one is refused, naming the MLflow to
// install. Read with SQLite's read-only mode: not even a journal is written beside it.
// No editor API.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../../../common/cancellation';
import { UserFacingError } from '../../../common/errors';
import { t } from '../../../common/l10n';
import { run } from '../../../common/process';
import { onPath, toolEnv } from '../../../common/tools';

export interface SchemaState {
  /** The database's alembic revision; null: no MLflow table (an empty file). */
  readonly current: string | null;
  /** The newest revision the installed MLflow knows, and all it knows. */
  readonly head?: string;
  readonly known: readonly string[];
  /** The installed MLflow's version. */
  readonly version?: string;
  /** The database has tables but none of MLflow's. */
  readonly foreign?: boolean;
}

const SCRIPT = `
import json, os, sqlite3, sys, urllib.parse
out = {"known": []}
db = sys.argv[1]
try:
    con = sqlite3.connect("file:" + urllib.parse.quote(db) + "?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            out["current"] = row[0] if row else None
        else:
            out["current"] = None
            out["foreign"] = len(tables) > 0
    finally:
        con.close()
except Exception as e:
    out["error"] = str(e)
try:
    import mlflow
    from alembic.script import ScriptDirectory
    import mlflow.store
    d = ScriptDirectory(os.path.join(os.path.dirname(mlflow.store.__file__), "db_migrations"))
    out["head"] = d.get_current_head()
    out["known"] = [r.revision for r in d.walk_revisions()]
    out["version"] = mlflow.__version__
except Exception as e:
    out["mlflowError"] = str(e)
print("MLOPS-SCHEMA " + json.dumps(out))
`;

/** The Python an MLflow command runs in: [python, -m, mlflow]'s, or the `mlflow` script's shebang. */
export async function pythonOf(command: readonly string[]): Promise<string> {
  if (command[1] === '-m' && command[0]) return command[0];
  const script = command[0] && path.isAbsolute(command[0]) ? command[0] : onPath(command[0] ?? 'mlflow');
  const first = script ? (await readFile(script, 'utf8').catch(() => '')).split('\n', 1)[0] ?? '' : '';
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  // "#!/usr/bin/env python3" names the interpreter by its name.
  return m ? (m[1]!.endsWith('/env') && m[2] ? m[2] : m[1]!) : 'python3';
}

export async function readSchema(command: readonly string[], db: string, token?: CancellationTokenLike): Promise<SchemaState> {
  const python = await pythonOf(command);
  const r = await run(python, ['-c', SCRIPT, db], { env: toolEnv([python, '-m', 'mlflow']), timeoutMs: 60_000, ...(token ? { token } : {}) });
  const line = r.stdout.split('\n').find((l) => l.startsWith('MLOPS-SCHEMA '));
  if (!line) throw new UserFacingError(t('Could not read the schema of {0}: {1}', path.basename(db), r.stderr.trim().split('\n').slice(-1)[0] ?? ''), r.stderr);
  const j = JSON.parse(line.slice('MLOPS-SCHEMA '.length)) as { current?: string | null; head?: string; known?: string[]; version?: string; foreign?: boolean; error?: string; mlflowError?: string };
  if (j.error) throw new UserFacingError(t('{0} is not a SQLite database MLflow can read: {1}', path.basename(db), j.error));
  if (j.mlflowError && !j.head) throw new UserFacingError(t('MLflow is not installed in {0} ({1}). Install it (pip install mlflow) or set mlops.python.path to a Python that has it.', python, j.mlflowError.split('\n')[0] ?? ''));
  return { current: j.current ?? null, ...(j.head ? { head: j.head } : {}), known: j.known ?? [], ...(j.version ? { version: j.version } : {}), ...(j.foreign ? { foreign: true } : {}) };
}

export interface ServePlan {
  /** The database the server opens: the original, or its copy. */
  readonly db: string;
  /** Set when a copy is served: why, for the view and the log. */
  readonly copy?: { readonly reason: string; readonly refreshed: boolean };
}

/** Where the copy of `db` lives in the extension's storage. */
export function copyDirFor(storageDir: string, db: string): string {
  return path.join(storageDir, 'mlflow-copies', createHash('sha256').update(path.resolve(db)).digest('hex').slice(0, 16));
}

/**
 * What to serve for a workspace's mlflow.db: the file itself when its schema is the installed
 * MLflow's (or it is empty: MLflow makes its tables), else a copy the server may upgrade.
 */
export async function planServe(state: SchemaState, db: string, storageDir: string): Promise<ServePlan> {
  if (state.foreign) throw new UserFacingError(t('{0} is a SQLite database, but not one of MLflow\'s (it has no alembic_version table).', path.basename(db)));
  if (state.current === null || state.current === state.head) return { db };
  if (!state.known.includes(state.current)) {
    throw new UserFacingError(
      t('{0} was written by a newer MLflow than the installed {1} (its schema {2} is unknown to it). Upgrade MLflow in that Python (pip install -U mlflow), or select a Python with a newer one.', path.basename(db), state.version ?? '?', state.current),
    );
  }
  const dir = copyDirFor(storageDir, db);
  const copy = path.join(dir, 'mlflow.db');
  const info = await stat(db);
  const stamp = JSON.stringify({ source: path.resolve(db), size: info.size, mtimeMs: info.mtimeMs });
  const had = await readFile(path.join(dir, 'source.json'), 'utf8').catch(() => '');
  const fresh = had === stamp && (await stat(copy).catch(() => undefined)) !== undefined;
  if (!fresh) {
    await mkdir(dir, { recursive: true });
    const tmp = `${copy}.part`;
    await copyFile(db, tmp);
    await rename(tmp, copy);
    await writeFile(path.join(dir, 'source.json'), stamp);
  }
  return {
    db: copy,
    copy: {
      reason: t('{0} was written by an older MLflow (schema {1}); serving it would upgrade it in place for MLflow {2}, and the older MLflow could no longer open it. A copy is served instead; the original stays as it is.', path.basename(db), state.current, state.version ?? ''),
      refreshed: !fresh,
    },
  };
}
