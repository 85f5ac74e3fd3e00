// A cancellation token a test cancels by hand (what VS Code's progress Cancel button does).
export function cancellable() {
  let listener: (() => void) | undefined;
  const token = {
    isCancellationRequested: false,
    onCancellationRequested(l: () => void) {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
  };
  return { token, cancel: () => ((token.isCancellationRequested = true), listener?.()) };
}
