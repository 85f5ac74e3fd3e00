import type { ChildProcess } from 'node:child_process';

export function ensureCodeServer(): string;
export function freePort(preferred?: number): Promise<number>;
export interface StartedCodeServer {
  url: string;
  port: number;
  userDataDir: string;
  logsDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}
export function startCodeServer(opts: {
  entry: string;
  vsix: string;
  folder: string;
  port?: number;
  userDataDir?: string;
  settings?: Record<string, unknown>;
  /** Like settings, but what the user already set wins. */
  defaults?: Record<string, unknown>;
  env?: Record<string, string>;
  quiet?: boolean;
  extraVsix?: string[];
  logFile?: string;
  /** More code-server arguments, e.g. ['--locale', 'es']. */
  args?: string[];
  /** Runs after the VSIXs are installed, before the server starts. */
  beforeStart?: (dirs: { extensionsDir: string; userDataDir: string }) => void | Promise<void>;
  /** Workspace trust on, the folder opened untrusted (restricted mode) without a prompt. */
  trust?: boolean;
}): Promise<StartedCodeServer>;
export const chromiumArgs: string[];
export const chromiumPath: string;
