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

/**
 * TableState as it travels to the webview: the runs as one string (see encodeRuns). A
 * string crosses the extension host → editor → webview hops as one copy, and JSON.parse of
 * columns is several times faster than a structured clone of 10,000 run objects.
 */
export type TableWire = Omit<TableState, 'runs'> & { readonly runs: string };

export type ToTable = { readonly type: 'state'; readonly state: TableWire } | { readonly type: 'loading'; readonly loading: boolean };

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
  /** Why the artifacts could not be listed (shown instead of "No artifacts."). */
  readonly artifactsError?: string;
  /** The logged model's signature (MLmodel's `signature`), when there is one. */
  readonly signature?: { readonly modelUri: string; readonly inputs?: string; readonly outputs?: string };
  readonly canScaffold: boolean;
  /** The run's model can be registered (a run on an MLflow server). */
  readonly canRegister?: boolean;
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
  | { readonly type: 'scaffold' }
  | { readonly type: 'register' };

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
    case 'register':
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

// ---- Runs by column --------------------------------------------------------------

type Cell = string | number | null;
interface RunColumns {
  readonly v: 1;
  readonly n: number;
  /** Experiments as [id, name] pairs; runs refer to them by index. */
  readonly experiments: ReadonlyArray<readonly [string, string]>;
  readonly experiment: readonly number[];
  readonly fields: Readonly<Record<'id' | 'name' | 'status' | 'startTime' | 'endTime' | 'parentId' | 'gitCommit', readonly Cell[]>>;
  readonly params: Readonly<Record<string, readonly Cell[]>>;
  readonly metrics: Readonly<Record<string, readonly Cell[]>>;
  readonly tags: Readonly<Record<string, readonly Cell[]>>;
}

const FIELDS = ['id', 'name', 'status', 'startTime', 'endTime', 'parentId', 'gitCommit'] as const;

/** JSON has no NaN or infinities (MLflow logs them): they travel as strings. */
function metricCell(v: number | undefined): Cell {
  if (v === undefined) return null;
  return Number.isFinite(v) ? v : String(v);
}

function column<T>(runs: readonly ViewRun[], field: 'params' | 'metrics' | 'tags', keys: readonly string[], cell: (v: T | undefined) => Cell): Record<string, Cell[]> {
  const own = (o: Readonly<Record<string, T>>, k: string): T | undefined => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
  return Object.fromEntries(keys.map((k) => [k, runs.map((r) => cell(own(r[field] as Readonly<Record<string, T>>, k)))]));
}

export interface RunKeys {
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly tags: readonly string[];
}

/**
 * Runs as one JSON string of columns (each key written once, not once per run). `keys`
 * must cover every key the runs have; it is worked out from them when not given.
 */
export function encodeRuns(runs: readonly ViewRun[], keys: RunKeys = { params: keysOf(runs, 'params'), metrics: keysOf(runs, 'metrics'), tags: keysOf(runs, 'tags') }): string {
  const experiments = new Map<string, number>();
  const experimentList: Array<[string, string]> = [];
  const experiment = runs.map((r) => {
    let i = experiments.get(r.experimentId);
    if (i === undefined) {
      i = experimentList.push([r.experimentId, r.experimentName]) - 1;
      experiments.set(r.experimentId, i);
    }
    return i;
  });
  const fields = Object.fromEntries(FIELDS.map((f) => [f, runs.map((r) => r[f] ?? null)])) as unknown as RunColumns['fields'];
  const cols: RunColumns = {
    v: 1,
    n: runs.length,
    experiments: experimentList,
    experiment,
    fields,
    params: column<string>(runs, 'params', keys.params, (v) => v ?? null),
    metrics: column<number>(runs, 'metrics', keys.metrics, metricCell),
    tags: column<string>(runs, 'tags', keys.tags, (v) => v ?? null),
  };
  return JSON.stringify(cols);
}

/** A table's state as it is posted: its runs encoded with the keys the state already lists. */
export function tableWire(state: TableState): TableWire {
  return { ...state, runs: encodeRuns(state.runs, { params: state.paramKeys, metrics: state.metricKeys, tags: state.tagKeys }) };
}

/** The runs encodeRuns wrote, as objects again (a malformed string is an error). */
export function decodeRuns(text: string): ViewRun[] {
  const c = JSON.parse(text) as RunColumns;
  if (!isObj(c) || c.v !== 1 || typeof c.n !== 'number' || !Array.isArray(c.experiment)) throw new Error('not a run list');
  const runs: ViewRun[] = new Array(c.n);
  const groups = (['params', 'metrics', 'tags'] as const).map((g) => Object.entries(c[g]));
  for (let i = 0; i < c.n; i++) {
    // Object.fromEntries defines own properties: a key such as "__proto__" stays a key.
    const [p, m, t] = groups.map((g, j) => Object.fromEntries(g.flatMap(([k, col]) => (col[i] === null ? [] : [[k, j === 1 ? Number(col[i]) : col[i]]]))));
    const [experimentId, experimentName] = c.experiments[c.experiment[i]];
    const run: Record<string, unknown> = { experimentId, experimentName, params: p, metrics: m, tags: t };
    for (const f of FIELDS) if (c.fields[f][i] !== null) run[f] = c.fields[f][i];
    runs[i] = run as unknown as ViewRun;
  }
  return runs;
}

/** The sorted union of keys over runs, for one of params/metrics/tags. */
export function keysOf(runs: readonly ViewRun[], field: 'params' | 'metrics' | 'tags'): string[] {
  const set = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r[field])) set.add(k);
  return [...set].sort((a, b) => a.localeCompare(b));
}

/** Each run's label in a chart or a table: its name, with a short id when another run has the same name. */
export function runLabels(runs: readonly ViewRun[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return new Map(runs.map((r) => [r.id, (count.get(r.name) ?? 0) > 1 ? `${r.name} (${r.id.slice(0, 7)})` : r.name]));
}

/**
 * A run's points as the chart draws them: one value per step (a metric logged twice at one
 * step, as a training loop and an evaluation callback both do, keeps its last value), in step order.
 */
export function byStep(points: Series | undefined): Array<[number, number]> {
  const last = new Map<number, number>();
  for (const [step, value] of points ?? []) last.set(step, value);
  return [...last].sort((a, b) => a[0] - b[0]);
}

/**
 * A param as people read it: a list of plain values as MLflow stores one (str() of a Python
 * list: '[64, 32]', "['relu', 'tanh']"; or JSON) as "64, 32" / "relu, tanh". Anything else as it is.
 */
export function paramText(v: string | undefined): string {
  if (v === undefined) return '';
  const text = v.trim();
  if (!text.startsWith('[') || !text.endsWith(']') || text.length > 10_000) return v;
  // One pass over the items: quoted strings (no escapes), numbers, True/False/None/null/true/false.
  const items: string[] = [];
  let i = 1;
  const end = text.length - 1;
  const skip = (): void => {
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skip();
  if (i === end) return '';
  for (;;) {
    skip();
    const c = text[i];
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= end || text.slice(i + 1, close).includes('\\')) return v;
      items.push(text.slice(i + 1, close));
      i = close + 1;
    } else {
      let j = i;
      while (j < end && text[j] !== ',') j++;
      const token = text.slice(i, j).trim();
      if (!/^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|True|False|None|true|false|null)$/.test(token)) return v;
      items.push(token);
      i = j;
    }
    skip();
    if (i === end) return items.join(', ');
    if (text[i] !== ',') return v;
    i++;
  }
}
