// Writing a file so that no reader ever sees half of it, and a failed or cancelled write
// leaves what was there before. No editor API.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Whether a path.relative() answer stays inside its base (".." is a segment, "..x" a name). */
export function isInside(rel: string): boolean {
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Streams into a temporary file beside `dest` and renames it over `dest` once `write`
 * resolves; on any failure (a cancel, a broken connection) the temporary file goes and
 * `dest` is as it was.
 */
export async function writeAtomically(dest: string, write: (out: WriteStream) => Promise<unknown>): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await write(createWriteStream(tmp, { flags: 'wx' }));
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
