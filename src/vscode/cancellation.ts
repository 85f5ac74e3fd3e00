import type * as vscode from 'vscode';
import type { CancellationTokenLike } from '../common/cancellation';

// Compile-time proof that VS Code's token can be passed wherever clients take ours.
export const assertTokenCompatible = (t: vscode.CancellationToken): CancellationTokenLike => t satisfies CancellationTokenLike;
