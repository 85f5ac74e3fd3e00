// The build context, as Docker sends it: the files .dockerignore keeps (its own rules,
// matched as the Docker CLI matches them, see dockerignore.ts, plus the files Docker always sends), packed as a tar
// stream, and measured before a build so a huge context can be reported. No editor API.
import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';
import type { DockerignorePattern } from './dockerignore';
import { DockerignoreSyntaxError, isExcluded, parseDockerignore } from './dockerignore';

/** Docker's exclusion rules, plus the files Docker always sends. A pattern Docker refuses is an error naming it. */
export async function contextFilter(rulesText: string, dockerfile = 'Dockerfile'): Promise<{ excluded(rel: string): boolean; mayHoldExceptions(dirRel: string): boolean }> {
  let patterns: DockerignorePattern[];
  try {
    patterns = parseDockerignore(rulesText);
  } catch (err) {
    if (err instanceof DockerignoreSyntaxError) throw new UserFacingError(t('.dockerignore: {0}. Docker refuses it too; fix or remove that line.', err.message));
    throw err;
  }
  // As Docker does: an excluded folder is still walked only when an exception pattern
  // starts with the folder's path ("!data/keep/**" for "data/").
  const exceptions = patterns.filter((p) => p.exclusion).map((p) => p.text);
  const always = new Set([dockerfile.split(path.sep).join('/'), '.dockerignore']);
  return {
    excluded: (rel: string) => !always.has(rel) && isExcluded(patterns, rel),
    mayHoldExceptions: (dirRel: string) => exceptions.some((e) => `${e}/`.startsWith(`${dirRel}/`)),
  };
}

interface ContextEntry {
  /** "/"-separated, relative to the context. */
  readonly rel: string;
  readonly abs: string;
  readonly stat: Stats;
}

/**
 * What Docker's CLI puts in a build context: an excluded folder is skipped whole, unless
 * an exception pattern starts with its path ("!app/**" for "app/"); then it is walked
 * but, like Docker, not added itself. Symbolic links are sent as links.
 */
export async function contextEntries(dir: string, dockerfile = 'Dockerfile', rules?: string): Promise<ContextEntry[]> {
  const text = rules ?? (await readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => ''));
  const filter = await contextFilter(text, dockerfile);
  const out: ContextEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(dir, rel))).sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = path.join(dir, childRel);
      const stat = await lstat(abs);
      const excluded = filter.excluded(childRel);
      if (stat.isDirectory()) {
        if (!excluded) out.push({ rel: childRel, abs, stat });
        if (!excluded || filter.mayHoldExceptions(childRel)) await walk(childRel);
      } else if (!excluded) out.push({ rel: childRel, abs, stat });
    }
  };
  await walk('');
  return out;
}

/**
 * The build context as a tar stream (tar-stream), exactly the entries Docker's CLI would
 * send, owned by root as the CLI sends them. Files are streamed, never read whole.
 */
export async function packContext(dir: string, dockerfile = 'Dockerfile'): Promise<Readable> {
  const [entries, tarStream] = await Promise.all([contextEntries(dir, dockerfile), import('tar-stream')]);
  const pack = tarStream.pack();
  void (async () => {
    for (const e of entries) {
      const header = { name: e.rel, mode: e.stat.mode & 0o7777, mtime: e.stat.mtime, uid: 0, gid: 0 };
      if (e.stat.isDirectory()) pack.entry({ ...header, type: 'directory' });
      else if (e.stat.isSymbolicLink()) pack.entry({ ...header, type: 'symlink', linkname: await readlink(e.abs) });
      else if (e.stat.isFile()) {
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...header, type: 'file', size: e.stat.size }, (err) => (err ? reject(err) : resolve()));
          const source = createReadStream(e.abs);
          source.on('error', reject);
          source.pipe(sink);
        });
      }
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return pack as unknown as Readable;
}

export interface ContextSize {
  readonly sentBytes: number;
  readonly sentFiles: number;
  /** The biggest top-level entries that are sent, biggest first. */
  readonly largestSent: ReadonlyArray<{ readonly path: string; readonly bytes: number }>;
}

/** What a build would send, judged by `rules` (default: the folder's own .dockerignore). */
export async function measureContext(dir: string, dockerfile = 'Dockerfile', rules?: string): Promise<ContextSize> {
  const files = (await contextEntries(dir, dockerfile, rules)).filter((e) => !e.stat.isDirectory());
  const sentBytes = files.reduce((n, e) => n + e.stat.size, 0);
  const top = new Map<string, number>();
  for (const e of files) {
    const head = e.rel.includes('/') ? `${e.rel.split('/')[0]}/` : e.rel;
    top.set(head, (top.get(head) ?? 0) + e.stat.size);
  }
  const largestSent = [...top].map(([p, bytes]) => ({ path: p, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return { sentBytes, sentFiles: files.length, largestSent };
}
