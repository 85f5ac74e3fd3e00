// What a workload served from when to when: each deploy and rollback the extension makes
// appends an entry to an annotation on the Deployment (bounded), so "what was in production
// last Tuesday" has an answer even after a rollback reused an old ReplicaSet (whose creation
// time tells only when it first served). Without the annotation (a workload rolled by
// kubectl), the revisions' own times are used. No editor API.
import type { ServedVersion } from '../../registry/core/model';
import { servedText } from '../../registry/core/model';

/** The Deployment annotation holding the history (JSON array, oldest first). */
export const SERVED_HISTORY = 'mlops.workbench/served-history';
export const MAX_HISTORY = 50;

export interface ServedEntry {
  /** ISO time the revision started serving (its rollout finished). */
  readonly at: string;
  readonly revision: number;
  readonly image?: string;
  readonly modelVersion?: string;
  readonly served?: ServedVersion;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined);

/** The annotation's entries (from the cluster: checked, bounded), oldest first. */
export function parseServedHistory(text: string | undefined): ServedEntry[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(0, 256 * 1024));
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: ServedEntry[] = [];
  for (const e of raw.slice(-MAX_HISTORY)) {
    if (typeof e !== 'object' || e === null) continue;
    const o = e as Record<string, unknown>;
    const at = str(o.at);
    const revision = Number(o.revision);
    if (!at || Number.isNaN(Date.parse(at)) || !Number.isInteger(revision) || revision < 0) continue;
    const s = typeof o.served === 'object' && o.served !== null ? (o.served as Record<string, unknown>) : undefined;
    const name = str(s?.name);
    const version = str(s?.version);
    const alias = str(s?.alias);
    out.push({
      at,
      revision,
      ...(str(o.image) ? { image: str(o.image) } : {}),
      ...(str(o.modelVersion) ? { modelVersion: str(o.modelVersion) } : {}),
      ...(name && version ? { served: { name, version, ...(alias ? { alias } : {}) } } : {}),
    });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The history with `entry` appended (unless the last entry is the same revision serving the same), the oldest dropped past MAX_HISTORY. */
export function appendServed(history: readonly ServedEntry[], entry: ServedEntry): ServedEntry[] {
  const last = history[history.length - 1];
  if (last && last.revision === entry.revision && last.image === entry.image && servedKey(last) === servedKey(entry)) return [...history];
  return [...history, entry].slice(-MAX_HISTORY);
}

const servedKey = (e: ServedEntry): string => (e.served ? servedText(e.served) : (e.modelVersion ?? ''));

export interface ServingPeriod {
  readonly revision: number;
  /** "iris v7 (@champion)", else the image's model version label, else the image. */
  readonly what: string;
  readonly served?: ServedVersion;
  readonly from?: string;
  /** Undefined: still serving. */
  readonly to?: string;
  readonly current: boolean;
}

/** A revision as the timeline needs it (from the ReplicaSets). */
export interface TimelineRevision {
  readonly revision: number;
  readonly image: string;
  readonly modelVersion?: string;
  readonly served?: ServedVersion;
  readonly created?: Date;
  readonly current: boolean;
}

/**
 * The serving periods, newest first: from the recorded history when there is one (each
 * entry serves until the next), else from the revisions (each from its creation until the
 * next revision's creation).
 */
export function servingTimeline(history: readonly ServedEntry[], revisions: readonly TimelineRevision[], currentRevision: number): ServingPeriod[] {
  const label = (e: { served?: ServedVersion; modelVersion?: string; image?: string }): string => (e.served ? servedText(e.served) : (e.modelVersion ?? e.image ?? ''));
  if (history.length) {
    const periods: ServingPeriod[] = history.map((e, i) => {
      const next = history[i + 1];
      return { revision: e.revision, what: label(e), ...(e.served ? { served: e.served } : {}), from: e.at, ...(next ? { to: next.at } : {}), current: !next && e.revision === currentRevision };
    });
    // Rolled since by someone else (kubectl): the current revision, from when its ReplicaSet says if that is later.
    const last = periods[periods.length - 1]!;
    const cur = revisions.find((r) => r.current);
    if (last.revision !== currentRevision && cur) {
      const from = cur.created && cur.created.getTime() > Date.parse(last.from!) ? cur.created.toISOString() : undefined;
      periods[periods.length - 1] = { ...last, ...(from ? { to: from } : {}) };
      periods.push({ revision: cur.revision, what: label(cur), ...(cur.served ? { served: cur.served } : {}), ...(from ? { from } : {}), current: true });
    }
    return periods.reverse();
  }
  const byRevision = [...revisions].sort((a, b) => a.revision - b.revision);
  return byRevision
    .map((r, i) => {
      const next = byRevision[i + 1];
      return { revision: r.revision, what: label(r), ...(r.served ? { served: r.served } : {}), ...(r.created ? { from: r.created.toISOString() } : {}), ...(next?.created ? { to: next.created.toISOString() } : {}), current: r.current };
    })
    .reverse();
}
