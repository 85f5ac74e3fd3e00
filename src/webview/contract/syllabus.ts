// Messages between the syllabus overview webview and the extension. Both sides
// import this file; the union's `type` field is the discriminant.

export interface OverviewTopic {
  readonly key: string;
  readonly text: string;
  readonly done: boolean;
  readonly depth: number;
  /** Localised label of the linked action, when the topic links to a feature that exists. */
  readonly actionLabel?: string;
}

export interface OverviewModule {
  readonly key: string;
  readonly title: string;
  readonly hours?: number;
  readonly description: string;
  readonly done: number;
  readonly total: number;
  readonly topics: readonly OverviewTopic[];
}

export interface OverviewStrings {
  readonly heading: string;
  readonly filterAll: string;
  readonly filterDone: string;
  readonly filterTodo: string;
  readonly total: string;
  readonly hours: string;
  readonly problems: string;
  readonly empty: string;
}

export interface OverviewState {
  readonly syllabusTitle: string;
  readonly done: number;
  readonly total: number;
  readonly hoursDone: number;
  readonly hoursTotal: number;
  readonly modules: readonly OverviewModule[];
  readonly problemCount: number;
  readonly strings: OverviewStrings;
}

export type TopicFilter = 'all' | 'done' | 'todo';

/** What the webview keeps with getState/setState across reloads. */
export interface OverviewWebviewState {
  readonly filter: TopicFilter;
  readonly collapsed: readonly string[];
}

export type ToWebview = { readonly type: 'state'; readonly state: OverviewState };

export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'toggle'; readonly key: string; readonly done: boolean }
  | { readonly type: 'runAction'; readonly key: string }
  | { readonly type: 'showProblems' };

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'ready':
    case 'showProblems':
      return true;
    case 'toggle':
      return typeof v.key === 'string' && typeof v.done === 'boolean';
    case 'runAction':
      return typeof v.key === 'string';
    default:
      return false;
  }
}
