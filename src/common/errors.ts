/**
 * What a failure is, for code that reacts to it (a fallback, a retry, the button a toast
 * offers). Code never tells errors apart by their message text: messages are localised
 * and reworded, codes are not.
 */
export const ErrorCode = {
  /** A process (a server, a CLI) exited while it was starting. */
  processExited: 'process.exited',
  /** A tool the action needs is not installed or not on the PATH. */
  toolMissing: 'tool.missing',
  /** A server answered 401: the stored credentials are missing or wrong. */
  unauthorized: 'auth.unauthorized',
  /** A server answered 403. */
  forbidden: 'auth.forbidden',
  /** A setting has a value that cannot work; the toast offers to open it. */
  badSetting: 'setting.invalid',
  /** No base image could be found for a build. */
  baseImageMissing: 'docker.baseImageMissing',
  /** The Docker engine could not be reached. */
  engineUnreachable: 'docker.engineUnreachable',
  /** A server or engine did not answer in time. */
  timeout: 'timeout',
  /** A server refused to create what already exists (MLflow's RESOURCE_ALREADY_EXISTS). */
  alreadyExists: 'resource.exists',
  /** A server does not have what was asked for (MLflow's RESOURCE_DOES_NOT_EXIST, a 404). */
  notFound: 'resource.notFound',
  /** A deploy rolled out (the new revision serves) but its smoke test or port-forward failed. */
  deployUnverified: 'deploy.unverified',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A button on an error toast: its label (localised) and the command it runs. */
export interface ErrorAction {
  readonly label: string;
  readonly command: string;
  readonly args?: readonly unknown[];
}

export interface ErrorInfo {
  readonly code?: ErrorCode;
  readonly actions?: readonly ErrorAction[];
}

/**
 * An error whose message is written for the user: it says what went wrong and
 * what to do. Other errors are shown with a generic prefix and their detail logged.
 */
export class UserFacingError extends Error {
  readonly code: ErrorCode | undefined;
  readonly actions: readonly ErrorAction[];

  constructor(
    message: string,
    /** What goes to the log only (a tool's stderr, a server's body). */
    readonly detail?: string,
    info: ErrorInfo = {},
  ) {
    super(message);
    this.name = 'UserFacingError';
    this.code = info.code;
    this.actions = info.actions ?? [];
  }
}

/** Whether `err` is a UserFacingError with this code. */
export function hasCode(err: unknown, code: ErrorCode): err is UserFacingError {
  return err instanceof UserFacingError && err.code === code;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
