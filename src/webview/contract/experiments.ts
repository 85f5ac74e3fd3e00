// Messages between the experiments webviews (runs table, compare, run details) and the
// extension. Both sides import this file; each union's `type` field is the discriminant.

/** A run as the webviews show it (the run model, plus its experiment's name). */
export interface ViewRun {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly experimentId: string;
  readonly experimentName: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly parentId?: string;
  readonly gitCommit?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** What a panel needs to come back after a window reload: its source, experiments and runs. */
export interface RestoreRef {
  readonly sourceId: string;
  readonly experimentIds: readonly string[];
  readonly runIds?: readonly string[];
}

// ---- Runs table ----------------------------------------------------------------

export interface TableState {
  readonly title: string;
  readonly sourceLabel: string;
  /** True when the filter is evaluated by an MLflow server, false when applied locally. */
  readonly serverFilter: boolean;
  readonly filter: string;
  readonly runs: readonly ViewRun[];
  readonly paramKeys: readonly string[];
  readonly metricKeys: readonly string[];
  readonly tagKeys: readonly string[];
  readonly error?: string;
  readonly elapsedMs?: number;
  readonly restore: RestoreRef;
  readonly strings: Readonly<Record<string, string>>;
}

/** Kept by the webview across reloads (getState/setState). */
export interface TableWebviewState {
  /** Column ids: "name", "status", "start", "metrics.<k>", "params.<k>", "tags.<k>". */
  readonly columns?: readonly string[];
  readonly sort?: { readonly column: string; readonly desc: boolean };
  readonly selected: readonly string[];
  readonly scrollTop: number;
  readonly restore?: RestoreRef;
}

export type ToTable = { readonly type: 'state'; readonly state: TableState } | { readonly type: 'loading'; readonly loading: boolean };

export type FromTable =
  | { readonly type: 'ready' }
  | { readonly type: 'filter'; readonly filter: string }
  | { readonly type: 'compare'; readonly runIds: readonly string[] }
  | { readonly type: 'details'; readonly runId: string }
  | { readonly type: 'refresh' };

// ---- Compare -------------------------------------------------------------------

export interface CompareState {
  readonly title: string;
  readonly runs: readonly ViewRun[];
  readonly paramKeys: readonly string[];
  readonly metricKeys: readonly string[];
  readonly restore: RestoreRef;
  readonly strings: Readonly<Record<string, string>>;
}

export interface CompareWebviewState {
  readonly restore?: RestoreRef;
  readonly historyMetric?: string;
  readonly scatterParam?: string;
  readonly scatterMetric?: string;
  readonly parallelMetric?: string;
}

/** One run's history of one metric: [step, value] pairs. */
export type Series = ReadonlyArray<readonly [number, number]>;

export type ToCompare =
  | { readonly type: 'state'; readonly state: CompareState }
  | { readonly type: 'history'; readonly metric: string; readonly series: Readonly<Record<string, Series>>; readonly error?: string };

export type FromCompare = { readonly type: 'ready' } | { readonly type: 'history'; readonly metric: string } | { readonly type: 'details'; readonly runId: string };

// ---- Run details ----------------------------------------------------------------

export interface ArtifactItem {
  readonly path: string;
  readonly isDir: boolean;
  readonly size?: number;
}

export interface DetailsState {
  readonly run: ViewRun;
  readonly sourceLabel: string;
  /** Each metric's history values, for the sparklines (empty when the source keeps none). */
  readonly histories: Readonly<Record<string, readonly number[]>>;
  readonly artifacts: readonly ArtifactItem[];
  /** The logged model's signature (MLmodel's `signature`), when there is one. */
  readonly signature?: { readonly modelUri: string; readonly inputs?: string; readonly outputs?: string };
  readonly canScaffold: boolean;
  readonly restore: RestoreRef;
  readonly strings: Readonly<Record<string, string>>;
}

export type ToDetails =
  | { readonly type: 'state'; readonly state: DetailsState }
  | { readonly type: 'artifacts'; readonly dir: string; readonly entries: readonly ArtifactItem[]; readonly error?: string };

export type FromDetails =
  | { readonly type: 'ready' }
  | { readonly type: 'listArtifacts'; readonly dir: string }
  | { readonly type: 'openArtifact'; readonly path: string }
  | { readonly type: 'copy'; readonly text: string }
  | { readonly type: 'scaffold' };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function isFromTable(v: unknown): v is FromTable {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'filter':
      return typeof v.filter === 'string';
    case 'compare':
      return Array.isArray(v.runIds) && v.runIds.every((x) => typeof x === 'string');
    case 'details':
      return typeof v.runId === 'string';
    default:
      return false;
  }
}

export function isFromCompare(v: unknown): v is FromCompare {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'history':
      return typeof v.metric === 'string';
    case 'details':
      return typeof v.runId === 'string';
    default:
      return false;
  }
}

export function isFromDetails(v: unknown): v is FromDetails {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'ready':
    case 'scaffold':
      return true;
    case 'listArtifacts':
      return typeof v.dir === 'string';
    case 'openArtifact':
      return typeof v.path === 'string';
    case 'copy':
      return typeof v.text === 'string';
    default:
      return false;
  }
}

/** The sorted union of keys over runs, for one of params/metrics/tags. */
export function keysOf(runs: readonly ViewRun[], field: 'params' | 'metrics' | 'tags'): string[] {
  const set = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r[field])) set.add(k);
  return [...set].sort((a, b) => a.localeCompare(b));
}
