// MLflow's tracking server over its REST API (2.x and 3.x), with no editor API:
// experiments, paged run search with filter and order, metric histories, artifacts
// (listed, and downloaded as a stream); the model registry's calls go through rest().
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CancellationTokenLike } from '../../../common/cancellation';
import { throwIfCancelled } from '../../../common/cancellation';
import { ErrorCode, UserFacingError, errorMessage } from '../../../common/errors';
import { writeAtomically } from '../../../common/files';
import { own } from '../../../common/objects';
import { isSafeArtifactPath } from '../artifacts';
import type { ArtifactEntry, Experiment, MetricPoint, Run } from '../model';
import { runStatus } from '../model';
import { t } from '../../../common/l10n';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export type MlflowAuth = { readonly kind: 'basic'; readonly username: string; readonly password: string } | { readonly kind: 'bearer'; readonly token: string };

/** The tracking URI: the setting, else MLFLOW_TRACKING_URI; undefined when neither is set. */
export function trackingUri(setting: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const uri = setting?.trim() || env.MLFLOW_TRACKING_URI?.trim();
  return uri || undefined;
}

/**
 * Credentials from MLflow's own environment variables, for `uri`: only when it is on the
 * host (scheme, host and port) of MLFLOW_TRACKING_URI, the server those credentials are
 * for. A tracking URI a cloned workspace sets never receives them.
 */
export function authFromEnv(env: NodeJS.ProcessEnv, uri: string): MlflowAuth | undefined {
  const origin = (u: string | undefined): string | undefined => {
    try {
      return u ? new URL(u).origin : undefined;
    } catch {
      return undefined;
    }
  };
  const own = origin(env.MLFLOW_TRACKING_URI?.trim());
  if (!own || own === 'null' || own !== origin(uri)) return undefined;
  if (env.MLFLOW_TRACKING_TOKEN) return { kind: 'bearer', token: env.MLFLOW_TRACKING_TOKEN };
  if (env.MLFLOW_TRACKING_USERNAME) return { kind: 'basic', username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD ?? '' };
  return undefined;
}

export interface SearchRunsOptions {
  readonly experimentIds: readonly string[];
  /** MLflow's filter syntax, e.g. `metrics.accuracy > 0.9 and params.C = '1.0'`. */
  readonly filter?: string;
  /** e.g. ["metrics.accuracy DESC", "attributes.start_time DESC"] */
  readonly orderBy?: readonly string[];
  /** Runs per request (MLflow allows up to 50,000). */
  readonly pageSize?: number;
  /** Stop after this many runs. */
  readonly limit?: number;
  /** Pages requested at once when the server's paging allows it (default 3). */
  readonly concurrency?: number;
  readonly token?: CancellationTokenLike;
}

interface RawRun {
  info: { run_id?: string; run_uuid?: string; run_name?: string; experiment_id: string; status?: string; start_time?: number | string; end_time?: number | string; artifact_uri?: string };
  data?: { metrics?: Array<{ key: string; value: number | string }>; params?: Array<{ key: string; value: string }>; tags?: Array<{ key: string; value: string }> };
}

/** MLflow serialises NaN and infinities as strings. */
function num(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

export function parseRun(raw: RawRun): Run {
  // A server's answer, checked field by field: a shared server may hold anything.
  const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const pairs = (v: unknown): Array<{ key: string; value: unknown }> => (Array.isArray(v) ? v.filter((x): x is { key: string; value: unknown } => typeof obj(x).key === 'string') : []);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const info = obj(obj(raw).info);
  const data = obj(obj(raw).data);
  const tags = Object.fromEntries(pairs(data.tags).map((t) => [t.key, str(t.value) ?? '']));
  const id = str(info.run_id) ?? str(info.run_uuid) ?? '';
  const start = Number(info.start_time);
  const end = Number(info.end_time);
  return {
    id,
    name: str(info.run_name) ?? own(tags, 'mlflow.runName') ?? id,
    experimentId: str(info.experiment_id) ?? '',
    status: runStatus(info.status),
    ...(info.start_time !== undefined && info.start_time !== null && Number.isFinite(start) ? { startTime: start } : {}),
    ...(info.end_time !== undefined && info.end_time !== null && Number.isFinite(end) ? { endTime: end } : {}),
    params: Object.fromEntries(pairs(data.params).map((p) => [p.key, str(p.value) ?? ''])),
    metrics: Object.fromEntries(pairs(data.metrics).map((m) => [m.key, num(m.value as number | string)])),
    tags,
    ...(own(tags, 'mlflow.parentRunId') ? { parentId: own(tags, 'mlflow.parentRunId')! } : {}),
    ...(own(tags, 'mlflow.source.git.commit') ? { gitCommit: own(tags, 'mlflow.source.git.commit')! } : {}),
    ...(str(info.artifact_uri) ? { artifactUri: str(info.artifact_uri)! } : {}),
  };
}

/** The offset in an MLflow store's page token (base64 of `{"offset": n}`), if it is one. */
export function offsetOf(pageToken: string): number | undefined {
  const m = /^\{\s*"offset"\s*:\s*(\d+)\s*\}$/.exec(Buffer.from(pageToken, 'base64').toString('utf8').trim());
  return m ? Number(m[1]) : undefined;
}

function offsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

/** The largest JSON answer read (a page of 1,000 runs with many params is a few MB). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The most pages one listing follows. */
export const MAX_PAGES = 10_000;

export class MlflowClient {
  private readonly base: string;

  constructor(
    uri: string,
    private readonly auth?: MlflowAuth,
  ) {
    if (!/^https?:\/\//.test(uri)) throw new UserFacingError(t('"{0}" is not an MLflow server address (http:// or https://).', uri));
    this.base = uri.replace(/\/+$/, '');
  }

  get uri(): string {
    return this.base;
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = json ? { 'content-type': 'application/json' } : {};
    if (this.auth?.kind === 'basic') h.authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    if (this.auth?.kind === 'bearer') h.authorization = `Bearer ${this.auth.token}`;
    return h;
  }

  /** A REST call; errors in words a user can act on. */
  private async call<T>(method: HttpMethod, endpoint: string, body?: Record<string, unknown>, query?: Record<string, string | number | undefined>, opts: { signal?: AbortSignal; ownConnection?: boolean } = {}): Promise<T> {
    // An endpoint starting with "/" is a path of its own (the artifact proxy's /api/2.0/mlflow-artifacts/…).
    const url = new URL(endpoint.startsWith('/') ? `${this.base}${endpoint}` : `${this.base}/api/2.0/mlflow/${endpoint}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      const headers = this.headers(body !== undefined);
      if (opts.ownConnection) headers.connection = 'close';
      const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000);
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal });
    } catch (err) {
      throw this.unreachable(err);
    }
    if (!res.ok) throw await this.refused(res);
    const text = await this.limitedText(res, MAX_RESPONSE_BYTES);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UserFacingError(t('MLflow at {0} answered {1} with something other than JSON.', this.base, endpoint), text.slice(0, 300));
    }
  }

  /** The body's text, refused past `max` bytes (a server that streams without end). */
  private async limitedText(res: Response, max: number): Promise<string> {
    if (!res.body) return '';
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw new UserFacingError(t('MLflow at {0} sent an answer larger than {1} MB; it was not read.', this.base, Math.round(max / 1024 / 1024)));
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private unreachable(err: unknown): UserFacingError {
    const cause = (err as { cause?: { code?: string } })?.cause;
    const why = cause?.code ?? errorMessage(err);
    return new UserFacingError(t('No MLflow server answers at {0} ({1}). Start it (mlflow server), or set mlops.mlflow.trackingUri.', this.base, why), errorMessage(err));
  }

  private async refused(res: Response): Promise<UserFacingError> {
    const text = await res.text().catch(() => '');
    let message = text.slice(0, 300);
    let errorCode: string | undefined;
    try {
      const j = JSON.parse(text) as { message?: string; error_code?: string };
      errorCode = typeof j.error_code === 'string' ? j.error_code : undefined;
      message = [j.error_code, j.message].filter(Boolean).join(': ') || message;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401) return new UserFacingError(t('MLflow at {0} needs credentials (401). Sign in with "MLOps: Sign in to MLflow", or set MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN.', this.base), message, { code: ErrorCode.unauthorized });
    if (res.status === 403) return new UserFacingError(t('MLflow at {0} refused access (403): these credentials may not read this.', this.base), message, { code: ErrorCode.forbidden });
    const code = errorCode === 'RESOURCE_ALREADY_EXISTS' ? ErrorCode.alreadyExists : errorCode === 'RESOURCE_DOES_NOT_EXIST' || res.status === 404 ? ErrorCode.notFound : undefined;
    return new UserFacingError(t('MLflow at {0} answered {1}: {2}', this.base, res.status, message), message, code ? { code } : {});
  }

  /** One call of the REST API (`endpoint` under /api/2.0/mlflow/), for the registry's client: the same errors and limits as every call here. */
  rest<T>(method: HttpMethod, endpoint: string, body?: Record<string, unknown>, query?: Record<string, string | number | undefined>, opts: { signal?: AbortSignal; ownConnection?: boolean } = {}): Promise<T> {
    return this.call<T>(method, endpoint, body, query, opts);
  }

  /** The server answers, and with which version (MLflow 2.x and 3.x serve /version). */
  async version(): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/version`, { headers: this.headers(false), signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw this.unreachable(err);
    }
    if (!res.ok) throw await this.refused(res);
    return (await res.text()).trim();
  }

  /** Every page of a paged endpoint, followed through next_page_token (the registry's searches use it too). */
  async allPages<R extends { next_page_token?: string }, T>(fetchPage: (pageToken: string | undefined) => Promise<R>, items: (r: R) => T[]): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let pageToken: string | undefined;
    do {
      const r = await fetchPage(pageToken);
      out.push(...items(r));
      pageToken = typeof r.next_page_token === 'string' && r.next_page_token ? r.next_page_token : undefined;
      // A server that sends the same token again, or pages without end, is stopped.
      if (pageToken !== undefined) {
        if (seen.has(pageToken) || seen.size >= MAX_PAGES) throw new UserFacingError(t('MLflow at {0} kept sending more pages (more than {1}, or one twice); listing stopped.', this.base, MAX_PAGES));
        seen.add(pageToken);
      }
    } while (pageToken);
    return out;
  }

  /**
   * Every page of a paged endpoint, several at a time when the server pages by offset (its
   * token is base64 `{"offset": n}`, as MLflow's SQL and file stores make): `concurrency` pages
   * in flight, each on a connection of its own (a server with several workers answers them
   * side by side). `speculative`: the first round is asked for with the first page, before
   * its token shows the paging; a server that pages otherwise has those answers dropped and
   * is followed page by page from its own token.
   */
  async allPagesByOffset<R extends { next_page_token?: string }, T>(
    fetchPage: (pageToken: string | undefined, opts: { signal?: AbortSignal; ownConnection?: boolean }) => Promise<R>,
    items: (r: R) => T[],
    pageSize: number,
    { concurrency = 4, speculative = false }: { concurrency?: number; speculative?: boolean } = {},
  ): Promise<T[]> {
    const abort = new AbortController();
    const pending: Array<Promise<R>> = [];
    const out: T[] = [];
    let nextOffset = 0;
    let pages = 0;
    const request = (): void => {
      if (++pages > MAX_PAGES) throw new UserFacingError(t('MLflow at {0} kept sending more pages (more than {1}, or one twice); listing stopped.', this.base, MAX_PAGES));
      const p = fetchPage(nextOffset === 0 ? undefined : offsetToken(nextOffset), { signal: abort.signal, ownConnection: nextOffset > 0 || speculative });
      p.catch(() => undefined); // awaited in order below; an abandoned one must not go unhandled
      pending.push(p);
      nextOffset += pageSize;
    };
    try {
      request();
      if (speculative) for (let i = 1; i < concurrency; i++) request();
      while (pending.length) {
        const page = await pending.shift()!;
        const got = items(page);
        out.push(...got);
        const next = typeof page.next_page_token === 'string' && page.next_page_token ? page.next_page_token : undefined;
        if (!next || got.length < pageSize) return out;
        if (concurrency <= 1 || offsetOf(next) !== out.length) {
          // Not the paging this was planned on: the pages asked for ahead are dropped, and the rest followed from here.
          abort.abort();
          return [...out, ...(await this.allPages((tok) => fetchPage(tok ?? next, {}), items))];
        }
        // Keep `concurrency` pages in flight (the first round starts once the first page shows the paging).
        while (pending.length < concurrency) request();
      }
      return out;
    } finally {
      abort.abort();
    }
  }

  async experiments(opts: { filter?: string; includeDeleted?: boolean } = {}): Promise<Experiment[]> {
    type Page = { experiments?: Array<{ experiment_id: string; name: string; lifecycle_stage: string; artifact_location?: string; last_update_time?: number | string; tags?: Array<{ key: string; value: string }> }>; next_page_token?: string };
    return this.allPages(
      (pageToken) =>
        this.call<Page>('POST', 'experiments/search', { max_results: 1000, view_type: opts.includeDeleted ? 'ALL' : 'ACTIVE_ONLY', ...(opts.filter ? { filter: opts.filter } : {}), ...(pageToken ? { page_token: pageToken } : {}) }),
      (r) =>
        (Array.isArray(r.experiments) ? r.experiments : []).map((e) => ({
          id: e.experiment_id,
          name: e.name,
          lifecycleStage: e.lifecycle_stage,
          ...(e.artifact_location ? { artifactLocation: e.artifact_location } : {}),
          ...(e.last_update_time !== undefined ? { lastUpdateTime: Number(e.last_update_time) } : {}),
          tags: Object.fromEntries((e.tags ?? []).map((t) => [t.key, t.value])),
        })),
    );
  }

  /**
   * Runs, page by page in the server's order (each page is yielded as soon as it and the
   * pages before it have arrived). When the first page's token is the offset MLflow's
   * stores use (base64 `{"offset": n}`, with n the page size), the following pages are
   * requested `concurrency` at a time with the tokens the server itself would hand out;
   * any other token, or a page whose own token disagrees, falls back to one page at a time.
   */
  async *searchRunPages(opts: SearchRunsOptions): AsyncGenerator<Run[]> {
    const limit = opts.limit ?? Infinity;
    const size = Math.min(opts.pageSize ?? 1000, limit);
    const body = (max: number, pageToken?: string): Record<string, unknown> => ({
      experiment_ids: [...opts.experimentIds],
      max_results: max,
      run_view_type: 'ACTIVE_ONLY',
      ...(opts.filter ? { filter: opts.filter } : {}),
      ...(opts.orderBy?.length ? { order_by: [...opts.orderBy] } : {}),
      ...(pageToken ? { page_token: pageToken } : {}),
    });
    type Page = { runs?: RawRun[]; next_page_token?: string };
    const concurrency = opts.concurrency ?? 3;
    // A short first page learns the paging quickly; the rest then come in parallel. A limit
    // that one page holds (the tree's newest 500) is one request.
    const firstSize = concurrency > 1 && limit > size ? Math.min(size, 100) : size;
    throwIfCancelled(opts.token);
    const first = await this.call<Page>('POST', 'runs/search', body(firstSize));
    const runsOf = (page: Page): RawRun[] => (Array.isArray(page?.runs) ? page.runs : []);
    let seen = runsOf(first).length;
    yield runsOf(first).map(parseRun);
    let pageToken = first.next_page_token || undefined;
    if (!pageToken || seen >= limit) return;

    if (concurrency > 1 && seen === firstSize && offsetOf(pageToken) === seen) {
      const abort = new AbortController();
      const pending: Array<Promise<Page>> = [];
      let nextOffset = seen;
      const request = (): void => {
        if (nextOffset >= limit) return;
        const max = Math.min(size, limit - nextOffset);
        // Each on a connection of its own: a server with several worker processes binds a
        // kept-alive connection to one worker, and two of them on one worker run in turn.
        const p = this.call<Page>('POST', 'runs/search', body(max, offsetToken(nextOffset)), undefined, { signal: abort.signal, ownConnection: true });
        p.catch(() => undefined); // awaited in order below; an abandoned one must not go unhandled
        pending.push(p);
        nextOffset += max;
      };
      try {
        for (let i = 0; i < concurrency; i++) request();
        while (pending.length) {
          throwIfCancelled(opts.token);
          const page = await pending.shift()!;
          const runs = runsOf(page);
          seen += runs.length;
          yield runs.map(parseRun);
          if (!page.next_page_token || runs.length < size || seen >= limit) return;
          if (offsetOf(page.next_page_token) !== seen) {
            // Not the paging this was planned on: carry on one page at a time from here.
            pageToken = page.next_page_token;
            break;
          }
          request();
        }
      } finally {
        abort.abort();
      }
    }

    while (pageToken && seen < limit) {
      throwIfCancelled(opts.token);
      const r: Page = await this.call<Page>('POST', 'runs/search', body(Math.min(size, limit - seen), pageToken));
      const runs = runsOf(r).map(parseRun);
      seen += runs.length;
      yield runs;
      // An empty page with a token (a server paging without end) ends the listing.
      if (runs.length === 0) return;
      pageToken = typeof r.next_page_token === 'string' && r.next_page_token ? r.next_page_token : undefined;
    }
  }

  async searchRuns(opts: SearchRunsOptions): Promise<Run[]> {
    const out: Run[] = [];
    for await (const page of this.searchRunPages(opts)) out.push(...page);
    return out;
  }

  async run(runId: string): Promise<Run> {
    return parseRun((await this.call<{ run: RawRun }>('GET', 'runs/get', undefined, { run_id: runId })).run);
  }

  /** MLflow 3 LoggedModels a run produced (its outputs), newest step last; none on MLflow 2. */
  async loggedModelIds(runId: string): Promise<string[]> {
    const r = await this.call<{ run: { outputs?: { model_outputs?: Array<{ model_id: string; step?: number | string }> } } }>('GET', 'runs/get', undefined, { run_id: runId });
    return (r.run.outputs?.model_outputs ?? []).sort((a, b) => Number(a.step ?? 0) - Number(b.step ?? 0)).map((m) => m.model_id);
  }

  /** A small text file of a LoggedModel (e.g. its MLmodel), as the MLflow UI reads it. */
  async loggedModelText(modelId: string, file: string): Promise<string> {
    const url = new URL(`${this.base}/ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/files`);
    url.searchParams.set('artifact_file_path', file);
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(false), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw this.unreachable(err);
    }
    if (!res.ok) throw await this.refused(res);
    return res.text();
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    type Page = { metrics?: Array<{ value: number | string; step?: number | string; timestamp?: number | string }>; next_page_token?: string };
    const points = await this.allPages(
      (pageToken) => this.call<Page>('GET', 'metrics/get-history', undefined, { run_id: runId, metric_key: key, max_results: 25_000, page_token: pageToken }),
      (r) => (r.metrics ?? []).map((m) => ({ step: Number(m.step ?? 0), value: num(m.value), timestamp: Number(m.timestamp ?? 0) })),
    );
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }

  /** One level of a run's artifact tree (`dir` relative to the run's root). */
  async artifacts(runId: string, dir = ''): Promise<ArtifactEntry[]> {
    type Page = { files?: Array<{ path: string; is_dir?: boolean; file_size?: number | string }>; next_page_token?: string };
    return this.allPages(
      (pageToken) => this.call<Page>('GET', 'artifacts/list', undefined, { run_id: runId, ...(dir ? { path: dir } : {}), page_token: pageToken }),
      // What the server lists becomes file names here: only plain relative paths under `dir` are kept.
      (r) =>
        (Array.isArray(r.files) ? r.files : [])
          .filter((f) => isSafeArtifactPath(f?.path) && (!dir || f.path.startsWith(`${dir}/`)))
          .map((f) => ({ path: f.path, isDir: f.is_dir === true, ...(f.file_size !== undefined && Number.isFinite(Number(f.file_size)) ? { size: Number(f.file_size) } : {}) })),
    );
  }

  /** Streams one artifact to `dest` (never held whole in memory); returns the bytes written. */
  async downloadArtifact(runId: string, artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number> {
    const url = new URL(`${this.base}/get-artifact`);
    url.searchParams.set('path', artifactPath);
    url.searchParams.set('run_uuid', runId);
    return this.streamTo(url, dest, token);
  }

  /**
   * One level of the artifacts the server proxies (`mlflow-artifacts:/<dir>`, what `mlflow server`
   * serves by default): plain file names only, as the server lists them.
   */
  async proxiedArtifacts(dir: string): Promise<ArtifactEntry[]> {
    type Listing = { files?: Array<{ path?: unknown; is_dir?: boolean; file_size?: number | string }> };
    const r = await this.call<Listing>('GET', '/api/2.0/mlflow-artifacts/artifacts', undefined, dir ? { path: dir } : {});
    return (Array.isArray(r.files) ? r.files : [])
      .filter((f) => typeof f?.path === 'string' && isSafeArtifactPath(f.path) && !f.path.includes('/'))
      .map((f) => ({ path: f.path as string, isDir: f.is_dir === true, ...(f.file_size !== undefined && Number.isFinite(Number(f.file_size)) ? { size: Number(f.file_size) } : {}) }));
  }

  /** Streams one proxied artifact (`mlflow-artifacts:/<artifactPath>`) to `dest`; returns the bytes written. */
  async downloadProxiedArtifact(artifactPath: string, dest: string, token?: CancellationTokenLike): Promise<number> {
    const url = new URL(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${artifactPath.split('/').map(encodeURIComponent).join('/')}`);
    return this.streamTo(url, dest, token);
  }

  private async streamTo(url: URL, dest: string, token?: CancellationTokenLike): Promise<number> {
    const abort = new AbortController();
    const sub = token?.onCancellationRequested(() => abort.abort());
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers: this.headers(false), signal: abort.signal });
      } catch (err) {
        throwIfCancelled(token);
        throw this.unreachable(err);
      }
      if (!res.ok || !res.body) throw await this.refused(res);
      let bytes = 0;
      const body = res.body as unknown as WebReadableStream<Uint8Array>;
      // Counted as it passes (a 'data' listener would start the flow before the file is open).
      await writeAtomically(dest, (out) =>
        pipeline(
          Readable.fromWeb(body),
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const c of chunks) {
              bytes += c.length;
              yield c;
            }
          },
          out,
          { signal: abort.signal },
        ),
      );
      return bytes;
    } catch (err) {
      throwIfCancelled(token);
      throw err;
    } finally {
      sub?.dispose();
    }
  }
}
