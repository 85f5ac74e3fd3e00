// A cancellation token that clients accept, so they run under plain Node without
// VS Code. vscode.CancellationToken satisfies it (checked in src/vscode/cancellation.ts).

export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** Thrown when the user cancels; the command wrapper ends quietly on it. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isCancellation(err: unknown): boolean {
  return err instanceof Error && (err.name === 'CancelledError' || err.name === 'Canceled' || err.name === 'AbortError');
}

export function throwIfCancelled(token: CancellationTokenLike | undefined): void {
  if (token?.isCancellationRequested) throw new CancelledError();
}
