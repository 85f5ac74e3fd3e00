// The smoke test of a running model API: it becomes healthy, then /predict answers
// the project's saved sample payload. Used for containers and for deployments.
// No editor API.
import type { CancellationTokenLike } from '../../common/cancellation';
import { throwIfCancelled } from '../../common/cancellation';
import { UserFacingError, errorMessage } from '../../common/errors';
import { t } from '../../common/l10n';

export interface SmokeResult {
  /** The route posted to (/predict). */
  readonly path: string;
  readonly healthMs: number;
  readonly predictMs: number;
  readonly status: number;
  /** The /predict response, as text (cut at 2,000 characters). */
  readonly body: string;
}

export interface SmokeOptions {
  /** How long to wait for the app to be ready (it may still be starting). */
  readonly readyTimeoutMs?: number;
  /**
   * The path that answers 200 once the app is ready (default /ready, as scaffolded apps
   * serve); null: the app has no such path, so any HTTP answer on / means it is up.
   */
  readonly readyPath?: string | null;
  /** The route to POST the payload to (default /predict). */
  readonly path?: string;
  /** Whether the answer must hold a "predictions" array, as scaffolded apps answer (default true); a user's app answers its own way. */
  readonly expectPredictions?: boolean;
  readonly token?: CancellationTokenLike;
  /** Called while waiting, with the last failure. */
  readonly onWait?: (reason: string) => void;
}

/** Waits until the app answers ready (see SmokeOptions.readyPath); the time it took, in ms. */
export async function waitUntilReady(baseUrl: string, opts: SmokeOptions = {}): Promise<number> {
  const start = Date.now();
  const deadline = start + (opts.readyTimeoutMs ?? 60_000);
  let last = '';
  for (;;) {
    throwIfCancelled(opts.token);
    const readyPath = opts.readyPath === undefined ? '/ready' : opts.readyPath;
    try {
      const r = await fetch(new URL(readyPath ?? '/', baseUrl), { signal: AbortSignal.timeout(3000) });
      await r.body?.cancel().catch(() => undefined);
      if (readyPath === null ? r.status < 500 : r.status === 200) return Date.now() - start;
      last = `${readyPath ?? '/'} answered ${r.status}`;
    } catch (err) {
      last = errorMessage((err as { cause?: unknown }).cause ?? err);
    }
    if (Date.now() > deadline) throw new UserFacingError(t('The API at {0} did not become ready in {1} s ({2}). See its logs.', baseUrl, Math.round((opts.readyTimeoutMs ?? 60_000) / 1000), last));
    opts.onWait?.(last);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function smokeTest(baseUrl: string, payload: unknown, opts: SmokeOptions = {}): Promise<SmokeResult> {
  const healthMs = await waitUntilReady(baseUrl, opts);
  throwIfCancelled(opts.token);
  const route = opts.path ?? '/predict';
  const t0 = Date.now();
  let r: Response;
  try {
    r = await fetch(new URL(route, baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new UserFacingError(t('POST {0}{1} failed: {2}', baseUrl, route, errorMessage((err as { cause?: unknown }).cause ?? err)));
  }
  const text = (await r.text()).slice(0, 2000);
  const predictMs = Date.now() - t0;
  if (r.status !== 200) throw new UserFacingError(t('POST {0} answered {1}: {2}', route, r.status, text.slice(0, 300)));
  if (opts.expectPredictions === false) return { path: route, healthMs, predictMs, status: r.status, body: text };
  try {
    const j = JSON.parse(text) as { predictions?: unknown };
    if (!Array.isArray(j.predictions)) throw new Error('no "predictions" array');
  } catch (err) {
    throw new UserFacingError(t('POST {0} answered 200 but not with predictions: {1}', route, errorMessage(err)));
  }
  return { path: route, healthMs, predictMs, status: r.status, body: text };
}
