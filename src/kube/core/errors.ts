// The Kubernetes API's failures in words a user can act on, and a rollout's. No editor API.
import { CancelledError } from '../../common/cancellation';
import type { ErrorInfo } from '../../common/errors';
import { ErrorCode, UserFacingError, errorMessage } from '../../common/errors';
import { t } from '../../common/l10n';

/** The HTTP status of a failed API call, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** A rollout that did not finish: what went wrong, in plain words, with the evidence. */
export class RolloutError extends UserFacingError {
  constructor(
    message: string,
    readonly reason: 'image' | 'crash' | 'pending' | 'timeout' | 'failed',
    detail?: string,
    info?: ErrorInfo,
  ) {
    super(message, detail, info);
    this.name = 'RolloutError';
  }
}

/** Names a server-side failure in words the user can act on. */
export function explainApiError(err: unknown, what: string, ctx: { context: string; server: string; user?: string; namespace?: string }): Error {
  if (err instanceof UserFacingError || err instanceof CancelledError) return err;
  const e = err as { code?: number | string; body?: unknown; message?: string; cause?: { code?: string } };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const body = typeof e.body === 'string' ? safeJson(e.body) : (e.body as { message?: string } | undefined);
  const netCode = (typeof e.code === 'string' ? e.code : undefined) ?? e.cause?.code ?? /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET)\b/.exec(e.message ?? '')?.[1];
  if (netCode) return new UserFacingError(t('The cluster of context "{0}" does not answer at {1} ({2}) while trying to {3}. Is it running? Switch context from the status bar if this is not the cluster you meant.', ctx.context, ctx.server, netCode, what), errorMessage(err));
  if (status === 401) return new UserFacingError(t('The cluster of context "{0}" refused the credentials of user "{1}" (401) while trying to {2}: they may have expired. Refresh them with the tool that made the context, then retry.', ctx.context, ctx.user ?? '?', what), body?.message, { code: ErrorCode.unauthorized });
  if (status === 403) return new UserFacingError(t('You may not {0}{1} (RBAC, context "{2}"): {3}. Ask for that permission or use another namespace.', what, ctx.namespace ? t(' in namespace "{0}"', ctx.namespace) : '', ctx.context, body?.message ?? t('forbidden')), body?.message, { code: ErrorCode.forbidden });
  if (status) return new UserFacingError(t('The cluster refused to {0} ({1}): {2}', what, status, body?.message ?? e.message ?? ''), errorMessage(err));
  return new UserFacingError(t('Could not {0}: {1}', what, errorMessage(err)));
}

function safeJson(s: string): { message?: string } | undefined {
  try {
    return JSON.parse(s) as { message?: string };
  } catch {
    return { message: s };
  }
}
