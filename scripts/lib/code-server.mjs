// Runs a real VS Code (code-server 4.96.x, installed by test/env/code-server.sh into
// the cache) with the packaged VSIX installed into a fresh user-data dir.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Installs code-server when missing (idempotent, cached) and returns its entry script. */
export function ensureCodeServer() {
  const dir = execFileSync('bash', [path.join(root, 'test', 'env', 'code-server.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim().split('\n').pop();
  return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

export async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
  return (preferred && (await tryPort(preferred))) || (await tryPort(0));
}

/**
 * Starts code-server on 127.0.0.1 with a fresh (or given) user-data dir and the VSIX
 * installed. Returns { url, userDataDir, logsDir, stop }.
 */
export async function startCodeServer({ entry, vsix, folder, port, userDataDir, settings = {}, defaults: userDefaults = {}, env = {}, quiet = true, extraVsix = [], logFile, beforeStart, args = [], trust = false }) {
  const base = userDataDir ? path.dirname(userDataDir) : mkdtempSync(path.join(os.tmpdir(), 'mlops-cs-'));
  const ud = userDataDir ?? path.join(base, 'user-data');
  const extDir = path.join(base, 'extensions');
  mkdirSync(path.join(ud, 'User'), { recursive: true });
  // Defaults for a quiet, offline workbench; whatever the user already set wins.
  const settingsFile = path.join(ud, 'User', 'settings.json');
  let existing = {};
  try {
    existing = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, 'utf8')) : {};
  } catch {
    existing = undefined; // not plain JSON (comments?): leave the user's file alone
  }
  if (existing) {
    const defaults = {
      // trust: the editor asks nothing and opens the folder in restricted mode, as for a repository it does not know.
      ...(trust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' } : { 'security.workspace.trust.enabled': false }),
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'workbench.enableExperiments': false,
      ...userDefaults,
    };
    writeFileSync(settingsFile, JSON.stringify({ ...defaults, ...existing, ...settings }, null, 2));
  }
  for (const v of [vsix, ...extraVsix]) {
    execFileSync(process.execPath, [entry, '--user-data-dir', ud, '--extensions-dir', extDir, '--install-extension', v, '--force'], {
      stdio: quiet ? 'ignore' : 'inherit',
    });
  }
  // After the extensions are installed, before the server reads them (the editor tier adds its tests).
  if (beforeStart) await beforeStart({ extensionsDir: extDir, userDataDir: ud });
  const p = await freePort(port);
  const out = logFile ? openSync(logFile, 'a') : quiet ? 'ignore' : 'inherit';
  const child = spawn(
    process.execPath,
    [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${p}`, '--user-data-dir', ud, '--extensions-dir', extDir, '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), ...args, folder],
    { stdio: ['ignore', out, out], env: { ...process.env, ...env }, detached: true },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${p}/?folder=${encodeURIComponent(folder)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error('code-server exited during start-up');
    try {
      const res = await fetch(`http://127.0.0.1:${p}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('code-server did not answer within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM'); // the whole process group: the extension hosts too
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  };
  return { url, port: p, userDataDir: ud, logsDir: path.join(ud, 'logs'), stop, child };
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
