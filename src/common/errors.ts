/**
 * An error whose message is written for the user: it says what went wrong and
 * what to do. Other errors are shown with a generic prefix and their detail logged.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
