// The loaded syllabus with its progress: the one source both the tree and the
// overview read. Pure; the editor glue in service.ts feeds it and stores progress.
import type { OverviewModule, OverviewState, OverviewStrings, OverviewTopic } from '../../webview/contract/syllabus';
import type { TopicLink } from './actions';
import type { Module, Syllabus, Topic } from './parser';
import { allTopics } from './parser';
import type { Counts, ProgressMap, Reconciled } from './progress';
import { countTopics, reconcile, setDone } from './progress';

export class SyllabusModel {
  private reconciled: Reconciled;
  private readonly topicsByKey: Map<string, Topic>;

  constructor(
    readonly syllabus: Syllabus,
    stored: ProgressMap,
    /** Display title, used when the syllabus names none. */
    readonly fallbackTitle: string,
  ) {
    this.reconciled = reconcile(syllabus, stored);
    this.topicsByKey = new Map(allTopics(syllabus).map((t) => [t.key, t]));
  }

  get title(): string {
    return this.syllabus.title ?? this.fallbackTitle;
  }

  get progress(): ProgressMap {
    return this.reconciled.progress;
  }

  /** True when loading moved progress to reworded topics, so the caller should save it. */
  get migrated(): boolean {
    return this.reconciled.renamed.size > 0;
  }

  topic(key: string): Topic | undefined {
    return this.topicsByKey.get(key);
  }

  isDone(key: string): boolean {
    return this.reconciled.done.has(key);
  }

  /** Returns false when nothing changed. */
  setDone(key: string, done: boolean): boolean {
    if (!this.topicsByKey.has(key) || this.isDone(key) === done) return false;
    const next = setDone(this.syllabus, this.reconciled.progress, key, done);
    this.reconciled = reconcile(this.syllabus, next);
    return true;
  }

  countsFor(module: Module): Counts {
    return countTopics(module.topics, this.reconciled.done);
  }

  totals(): Counts & { hoursDone: number; hoursTotal: number } {
    let done = 0;
    let total = 0;
    let hoursDone = 0;
    let hoursTotal = 0;
    for (const m of this.syllabus.modules) {
      const c = this.countsFor(m);
      done += c.done;
      total += c.total;
      if (m.hours !== undefined && c.total > 0) {
        hoursTotal += m.hours;
        hoursDone += (m.hours * c.done) / c.total;
      }
    }
    return { done, total, hoursDone: Math.round(hoursDone * 10) / 10, hoursTotal };
  }

  overview(strings: OverviewStrings, linkFor: (t: Topic) => (TopicLink & { label: string }) | undefined): OverviewState {
    const modules: OverviewModule[] = this.syllabus.modules.map((m) => {
      const topics: OverviewTopic[] = [];
      const visit = (ts: readonly Topic[], depth: number): void => {
        for (const t of ts) {
          const link = linkFor(t);
          topics.push({ key: t.key, text: t.text, done: this.isDone(t.key), depth, ...(link ? { actionLabel: link.label } : {}) });
          visit(t.children, depth + 1);
        }
      };
      visit(m.topics, 0);
      const c = this.countsFor(m);
      return { key: m.key, title: m.title, ...(m.hours !== undefined ? { hours: m.hours } : {}), description: m.description, done: c.done, total: c.total, topics };
    });
    const t = this.totals();
    return {
      syllabusTitle: this.title,
      done: t.done,
      total: t.total,
      hoursDone: t.hoursDone,
      hoursTotal: t.hoursTotal,
      modules,
      problemCount: this.syllabus.problems.length,
      strings,
    };
  }
}
