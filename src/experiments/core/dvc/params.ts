// What `dvc exp run -S` changes in the workspace: params.yaml (or the file a `-S file:key=v`
// names) is rewritten with the new values, and DVC leaves it so when the experiment fails.
// A snapshot taken before the run tells what changed and puts it back, on the user's word.
// No editor API.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isInside, writeAtomically } from '../../../common/files';

export type ParamsSnapshot = ReadonlyMap<string, string | undefined>;

/** The params files an `exp run` may rewrite: params.yaml and each file a `-S file:key=value` names (inside the repository). */
export function paramsFilesOf(args: readonly string[]): string[] {
  const files = new Set(['params.yaml']);
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] !== '-S' && args[i] !== '--set-param') continue;
    const m = /^([^=:]+\.(?:ya?ml|json|toml|py)):/.exec(args[i + 1]!);
    if (m && isInside(path.normalize(m[1]!))) files.add(path.normalize(m[1]!));
  }
  return [...files];
}

export async function snapshotParams(repo: string, args: readonly string[]): Promise<ParamsSnapshot> {
  const out = new Map<string, string | undefined>();
  for (const f of paramsFilesOf(args)) out.set(f, await readFile(path.join(repo, f), 'utf8').catch(() => undefined));
  return out;
}

/** The files of the snapshot whose content is not what it was. */
export async function changedParams(repo: string, before: ParamsSnapshot): Promise<string[]> {
  const changed: string[] = [];
  for (const [f, text] of before) {
    const now = await readFile(path.join(repo, f), 'utf8').catch(() => undefined);
    if (text !== undefined && now !== text) changed.push(f);
  }
  return changed;
}

/** Writes back the files' content as it was (only files that existed before). */
export async function restoreParams(repo: string, before: ParamsSnapshot, files: readonly string[]): Promise<void> {
  for (const f of files) {
    const text = before.get(f);
    if (text === undefined) continue;
    await writeAtomically(path.join(repo, f), (out) => new Promise<void>((resolve, reject) => out.end(text, (err?: Error | null) => (err ? reject(err) : resolve()))));
  }
}
