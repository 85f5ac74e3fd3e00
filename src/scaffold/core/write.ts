// Writes a plan to disk. Files that exist are written only when the caller decided
// so (the editor asks the user first); everything else is left as it is.
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../../common/cancellation';
import { isInside } from '../../common/files';
import { throwIfCancelled } from '../../common/cancellation';
import type { FileStatus, PlannedFile } from './render';
import { comparePlan } from './render';

export type Decision = 'write' | 'skip';

/** Reads what the plan's files hold on disk now (text, or bytes for the model). */
export async function inspectPlan(dir: string, plan: readonly PlannedFile[]): Promise<Array<PlannedFile & { status: FileStatus }>> {
  const existing = new Map<string, string | Uint8Array>();
  for (const f of plan) {
    try {
      const data = await readFile(path.join(dir, f.path));
      existing.set(f.path, f.content !== undefined ? data.toString('utf8') : data);
    } catch {
      // not there: a new file
    }
  }
  return comparePlan(plan, (p) => existing.get(p));
}

/**
 * Writes the plan into `dir`. A file that exists is overwritten only when
 * `decide` says 'write' for it; returns the paths written. Nothing is written outside `dir`:
 * a folder on the way that is a link leading out, or a file that is a link, is skipped
 * (`onSkipped` says which and why). A file planned as new that appeared meanwhile (after
 * the user saw the plan) is not overwritten.
 */
export async function writePlan(
  dir: string,
  plan: ReadonlyArray<PlannedFile & { status: FileStatus }>,
  decide: (f: PlannedFile) => Decision = () => 'skip',
  token?: CancellationTokenLike,
  onSkipped?: (path: string, why: 'link' | 'outside' | 'appeared') => void,
): Promise<string[]> {
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  for (const f of plan) {
    throwIfCancelled(token);
    if (f.status === 'unchanged') continue;
    if (f.status === 'conflict' && decide(f) !== 'write') continue;
    const target = path.join(dir, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    const parent = path.relative(root, await realpath(path.dirname(target)));
    if (!isInside(parent)) {
      onSkipped?.(f.path, 'outside');
      continue;
    }
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) {
      onSkipped?.(f.path, 'link');
      continue;
    }
    // New files are created exclusively: one made since the plan was shown stays as it is.
    const exclusive = f.status === 'new';
    try {
      if (f.content !== undefined) await writeFile(target, f.content, { encoding: 'utf8', flag: exclusive ? 'wx' : 'w' });
      else if (f.copyFrom) await copyFile(f.copyFrom, target, exclusive ? constants.COPYFILE_EXCL : 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        onSkipped?.(f.path, 'appeared');
        continue;
      }
      throw err;
    }
    written.push(f.path);
  }
  return written;
}
