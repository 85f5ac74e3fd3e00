// Progress is what the user changed, keyed by topic identity (the normalised text),
// so reordering keeps everything and rewording keeps what can be matched.
import type { Syllabus, Topic } from './parser';
import { allTopics } from './parser';
import { own } from '../../common/objects';

/** Stored form: topic key → done. Only topics the user toggled are stored. */
export type ProgressMap = Readonly<Record<string, boolean>>;

export interface Reconciled {
  /** Keys of the syllabus's topics that are done now. */
  readonly done: ReadonlySet<string>;
  /** The stored map, with reworded topics moved to their new keys; equal to the input when nothing moved. */
  readonly progress: ProgressMap;
  /** old key → new key, for what was matched by similarity. */
  readonly renamed: ReadonlyMap<string, string>;
}

/** How alike two topic texts must be (Dice coefficient over words) to carry progress across a rewording. */
export const REWORD_THRESHOLD = 0.6;

function words(key: string): string[] {
  return key.replace(/~\d+$/, '').split(' ').filter((w) => w.length > 0);
}

export function similarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const w of wa) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of wb) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  return (2 * common) / (wa.length + wb.length);
}

/**
 * Applies stored progress to a syllabus. Stored keys that match no topic are kept
 * (a topic removed today may come back tomorrow) unless a reworded topic claims
 * them: then the entry moves to the new key. Pairs are taken best-first.
 */
export function reconcile(syllabus: Syllabus, stored: ProgressMap): Reconciled {
  const topics = allTopics(syllabus);
  const byKey = new Map(topics.map((t) => [t.key, t]));
  const unmatchedStored = Object.keys(stored).filter((k) => !byKey.has(k));
  const unclaimedTopics = topics.filter((t) => !(t.key in stored));

  const renamed = new Map<string, string>();
  if (unmatchedStored.length > 0 && unclaimedTopics.length > 0) {
    const pairs: Array<{ from: string; to: Topic; score: number }> = [];
    for (const from of unmatchedStored) {
      for (const to of unclaimedTopics) {
        const score = similarity(from, to.key);
        if (score >= REWORD_THRESHOLD) pairs.push({ from, to, score });
      }
    }
    pairs.sort((x, y) => y.score - x.score || x.to.line - y.to.line);
    const usedTo = new Set<string>();
    for (const p of pairs) {
      if (renamed.has(p.from) || usedTo.has(p.to.key)) continue;
      renamed.set(p.from, p.to.key);
      usedTo.add(p.to.key);
    }
  }

  let progress: ProgressMap = stored;
  if (renamed.size > 0) {
    const next: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(stored)) next[renamed.get(k) ?? k] = v;
    progress = next;
  }

  const done = new Set<string>();
  for (const t of topics) {
    const v = own(progress, t.key);
    if (v ?? t.doneInSource) done.add(t.key);
  }
  return { done, progress, renamed };
}

/** The stored map after the user sets a topic; an entry equal to the source's state is dropped. */
export function setDone(syllabus: Syllabus, progress: ProgressMap, key: string, done: boolean): ProgressMap {
  const topic = allTopics(syllabus).find((t) => t.key === key);
  const next: Record<string, boolean> = { ...progress };
  if (topic && topic.doneInSource === done) delete next[key];
  else next[key] = done;
  return next;
}

export interface Counts {
  readonly done: number;
  readonly total: number;
}

export function countTopics(topics: readonly Topic[], done: ReadonlySet<string>): Counts {
  let d = 0;
  let total = 0;
  const visit = (ts: readonly Topic[]): void => {
    for (const t of ts) {
      total++;
      if (done.has(t.key)) d++;
      visit(t.children);
    }
  };
  visit(topics);
  return { done: d, total };
}
