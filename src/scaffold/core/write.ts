// Writes a plan to disk. Files that exist are written only when the caller decided
// so (the editor asks the user first); everything else is left as it is.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CancellationTokenLike } from '../../common/cancellation';
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
 * `decide` says 'write' for it; returns the paths written.
 */
export async function writePlan(
  dir: string,
  plan: ReadonlyArray<PlannedFile & { status: FileStatus }>,
  decide: (f: PlannedFile) => Decision = () => 'skip',
  token?: CancellationTokenLike,
): Promise<string[]> {
  const written: string[] = [];
  for (const f of plan) {
    throwIfCancelled(token);
    if (f.status === 'unchanged') continue;
    if (f.status === 'conflict' && decide(f) !== 'write') continue;
    const target = path.join(dir, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    if (f.content !== undefined) await writeFile(target, f.content, 'utf8');
    else if (f.copyFrom) await copyFile(f.copyFrom, target);
    written.push(f.path);
  }
  return written;
}
