// Loads media/templates/model-api: every file, keyed by its path relative to it.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Templates } from './render';

export async function loadTemplates(dir: string): Promise<Templates> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.set(path.relative(dir, p).split(path.sep).join('/'), await readFile(p, 'utf8'));
    }
  };
  await walk(dir);
  return out;
}
