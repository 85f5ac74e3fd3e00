// DVC's model registry, GTO: read from the repository's git tags as `gto` writes them —
// `name@v1.2.3` registers a version on the tagged commit, `name@v1.2.3!` deregisters it,
// `name#stage#N` (or simply `name#stage`) assigns a stage to the version registered on that
// commit (the highest N of a stage wins, then the newest), `name#stage!#N` unassigns it, `name@deprecated#N` deprecates the artifact —
// and the artifacts' type, path, description and labels from `dvc.yaml` (`artifacts:`) or
// `artifacts.yaml`. Read-only: git is only asked to list tags (no hook, no fsmonitor).
// No editor API.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../../common/process';
import type { FileStoreProblem } from '../../experiments/core/mlflow/fileStore';
import type { ModelEntry } from './mlflowRegistry';
import type { ModelVersion } from './model';

/** One tag as `git for-each-ref` lists it. */
export interface GitTag {
  readonly tag: string;
  /** The commit it points at (an annotated tag's target). */
  readonly commit: string;
  /** Seconds since the epoch: the tagger's date (the commit's, for a lightweight tag). */
  readonly date: number;
  readonly message: string;
}

export interface GtoArtifact {
  readonly type?: string;
  readonly path?: string;
  readonly description?: string;
  readonly labels?: readonly string[];
}

const SEMVER = /^v(\d{1,9})\.(\d{1,9})\.(\d{1,9})([-+][0-9A-Za-z.+-]{1,64})?$/;
const NAME = '([a-z0-9](?:[a-z0-9/_:-]{0,198}[a-z0-9])?)';
const REGISTER = new RegExp(`^${NAME}@(v[^@#!]+)(!)?$`);
// `name#stage#N`, or the simple notation `name#stage` (no counter: the newest tag wins).
const ASSIGN = new RegExp(`^${NAME}#([a-z0-9][a-z0-9-]{0,62})(!)?(?:#(\\d{1,9}))?$`);
const DEPRECATE = new RegExp(`^${NAME}@deprecated#(\\d{1,9})$`);

/** Newest first: v1.10.0 before v1.9.0; a pre-release before its release. */
export function bySemverDesc(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) return b.localeCompare(a);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pb[i]) - Number(pa[i]);
    if (d) return d;
  }
  if (!pa[4] !== !pb[4]) return pa[4] ? 1 : -1;
  return (pb[4] ?? '').localeCompare(pa[4] ?? '');
}

/** The registry the tags make: each artifact with its live versions (newest first) and its stages. */
export function parseGtoTags(tags: readonly GitTag[], artifacts: Readonly<Record<string, GtoArtifact>> = {}): ModelEntry[] {
  type Reg = { version: string; commit: string; date: number; live: boolean };
  const regs = new Map<string, Map<string, Reg>>();
  const assigns: Array<{ name: string; stage: string; n: number; date: number; commit: string; unassign: boolean; message: string }> = [];
  const deprecated = new Map<string, number>();
  // Registrations first, in time order (a deregistration after its registration).
  for (const t of [...tags].sort((a, b) => a.date - b.date)) {
    const r = REGISTER.exec(t.tag);
    if (r) {
      const [, name, version, bang] = r as unknown as [string, string, string, string | undefined];
      if (!SEMVER.test(version)) continue;
      const byVersion = regs.get(name) ?? new Map<string, Reg>();
      regs.set(name, byVersion);
      if (bang) {
        const reg = byVersion.get(version);
        if (reg) reg.live = false;
      } else byVersion.set(version, { version, commit: t.commit, date: t.date, live: true });
      continue;
    }
    const a = ASSIGN.exec(t.tag);
    if (a) {
      assigns.push({ name: a[1]!, stage: a[2]!, unassign: !!a[3], n: a[4] ? Number(a[4]) : 0, date: t.date, commit: t.commit, message: t.message });
      continue;
    }
    const d = DEPRECATE.exec(t.tag);
    if (d) deprecated.set(d[1]!, t.date);
  }
  const entries: ModelEntry[] = [];
  for (const [name, byVersion] of regs) {
    const live = [...byVersion.values()].filter((r) => r.live);
    // A stage is the version its latest event (highest counter) assigned, unless that event unassigned it.
    const stages: Record<string, string> = {};
    const latest = new Map<string, (typeof assigns)[number]>();
    for (const e of assigns.filter((x) => x.name === name)) {
      const cur = latest.get(e.stage);
      if (!cur || e.n > cur.n || (e.n === cur.n && e.date > cur.date)) latest.set(e.stage, e);
    }
    for (const [stage, e] of latest) {
      if (e.unassign) continue;
      const onCommit = live.filter((r) => r.commit === e.commit).sort((x, y) => bySemverDesc(x.version, y.version));
      const named = /\bversion (v\S+)/.exec(e.message)?.[1];
      const version = (named && live.some((r) => r.version === named) ? named : undefined) ?? onCommit[0]?.version;
      if (version) stages[stage] = version;
    }
    const meta = artifacts[name] ?? {};
    const metaTags: Record<string, string> = {
      ...(meta.type ? { type: meta.type } : {}),
      ...(meta.path ? { path: meta.path } : {}),
      ...(meta.labels?.length ? { labels: meta.labels.join(', ') } : {}),
      ...(deprecated.has(name) ? { deprecated: new Date(deprecated.get(name)! * 1000).toISOString() } : {}),
    };
    const versions: ModelVersion[] = live
      .sort((x, y) => bySemverDesc(x.version, y.version))
      .map((r) => ({
        name,
        version: r.version,
        aliases: Object.keys(stages).filter((s) => stages[s] === r.version).sort(),
        tags: { commit: r.commit },
        ...(meta.path ? { source: `${r.commit.slice(0, 12)}:${meta.path}` } : {}),
        created: r.date * 1000,
      }));
    if (versions.length === 0 && !deprecated.has(name)) continue;
    entries.push({
      model: { name, tags: metaTags, aliases: stages, latestVersions: versions.slice(0, 1), ...(meta.description ? { description: meta.description } : {}), ...(versions[0] ? { updated: versions[0].created } : {}) },
      versions,
    });
  }
  return entries.sort((a, b) => a.model.name.localeCompare(b.model.name));
}

/** The artifacts `dvc.yaml` (`artifacts:`) and `artifacts.yaml` declare, as the work tree has them. */
export async function readGtoArtifacts(repo: string, problems: FileStoreProblem[] = []): Promise<Record<string, GtoArtifact>> {
  const { parse } = await import('yaml');
  const out: Record<string, GtoArtifact> = Object.create(null) as Record<string, GtoArtifact>;
  for (const file of ['artifacts.yaml', 'dvc.yaml']) {
    let text: string;
    try {
      text = await readFile(path.join(repo, file), 'utf8');
    } catch {
      continue;
    }
    if (text.length > 1024 * 1024) {
      problems.push({ path: path.join(repo, file), message: 'larger than 1 MB; not read' });
      continue;
    }
    let doc: unknown;
    try {
      doc = parse(text, { logLevel: 'error', maxAliasCount: 100 });
    } catch (err) {
      problems.push({ path: path.join(repo, file), message: (err as Error).message });
      continue;
    }
    const section = file === 'dvc.yaml' ? (doc as { artifacts?: unknown } | null)?.artifacts : doc;
    if (typeof section !== 'object' || section === null || Array.isArray(section)) continue;
    for (const [name, raw] of Object.entries(section as Record<string, unknown>)) {
      if (typeof raw !== 'object' || raw === null) continue;
      const a = raw as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 1000 ? v : undefined);
      out[name] = {
        ...(str(a.type) ? { type: str(a.type) } : {}),
        ...(str(a.path) ? { path: str(a.path) } : {}),
        ...(str(a.desc) ?? str(a.description) ? { description: str(a.desc) ?? str(a.description) } : {}),
        ...(Array.isArray(a.labels) ? { labels: a.labels.filter((l): l is string => typeof l === 'string').slice(0, 50) } : {}),
      };
    }
  }
  return { ...out };
}

/** The repository's tags, as `gto` reads them (annotated: the target commit and the tagger's date). */
export async function readGitTags(repo: string, git = 'git'): Promise<GitTag[]> {
  const format = ['%(refname:strip=2)', '%(objectname)', '%(*objectname)', '%(creatordate:unix)', '%(contents:subject)'].join('%00');
  const r = await run(git, ['-c', 'core.fsmonitor=false', 'for-each-ref', '--format', format, 'refs/tags'], { cwd: repo, timeoutMs: 30_000, maxStdoutBytes: 64 * 1024 * 1024 });
  if (r.code !== 0) throw new Error(`git for-each-ref failed in ${repo}: ${r.stderr.trim().slice(0, 300)}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tag = '', object = '', target = '', date = '0', message = ''] = line.split('\0');
      return { tag, commit: target || object, date: Number(date) || 0, message };
    });
}

/** Whether the tags hold any GTO registration. */
export function hasGtoTags(tags: readonly GitTag[]): boolean {
  return tags.some((t) => REGISTER.test(t.tag) && SEMVER.test(REGISTER.exec(t.tag)![2]!));
}

export class GtoRegistry {
  constructor(readonly repo: string) {}

  async list(): Promise<{ entries: ModelEntry[]; problems: FileStoreProblem[] }> {
    const problems: FileStoreProblem[] = [];
    const [tags, artifacts] = await Promise.all([readGitTags(this.repo), readGtoArtifacts(this.repo, problems)]);
    return { entries: parseGtoTags(tags, artifacts), problems };
  }
}
