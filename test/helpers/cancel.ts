// A cancellation token a test cancels by hand (what VS Code's progress Cancel button
// does); like the editor's token it takes any number of listeners.
export function cancellable() {
  const listeners = new Set<() => void>();
  const token = {
    isCancellationRequested: false,
    onCancellationRequested(l: () => void) {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
  };
  return {
    token,
    cancel: () => {
      token.isCancellationRequested = true;
      for (const l of [...listeners]) l();
    },
  };
}
