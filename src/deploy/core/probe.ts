// The readiness probe of a plain app (one with no manifests of its own and not scaffolded):
// what the app itself serves, read from its code and its Dockerfile, never assumed. In
// order: a route named like readiness or health in the Python sources (/ready, /readyz,
// /health, /healthz, /livez, /ping, /status), the path of the Dockerfile's HEALTHCHECK, a
// FastAPI app's own /openapi.json, else a TCP probe on the port. The choice comes with the
// reason, for the deploy's output. No editor API.
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { apiContainer } from './manifests';

export interface ProbeChoice {
  /** An HTTP path to GET, or undefined for a TCP probe on the port. */
  readonly path?: string;
  /** Why, for the output: "GET /health: @app.get("/health") in main.py". */
  readonly reason: string;
}

const PREFERRED = ['/ready', '/readyz', '/readiness', '/health', '/healthz', '/livez', '/ping', '/status'];
const SKIP = new Set(['.git', '.venv', 'venv', 'env', 'node_modules', '__pycache__', 'mlruns', 'mlartifacts', 'data', '.dvc', 'tests', 'test']);
const MAX_FILES = 300;
const MAX_BYTES = 512 * 1024;

/** The Python files of the project, to a bounded depth and count; links are not followed. */
async function pythonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > 3 || out.length >= MAX_FILES) return;
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_FILES) return;
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) await walk(path.join(d, e.name), depth + 1);
      else if (e.isFile() && e.name.endsWith('.py')) out.push(path.join(d, e.name));
    }
  };
  await walk(dir, 0);
  return out;
}

/** Route paths declared in Python source: @app.get("/x"), @router.route('/x'), app.add_url_rule("/x"…). */
export function declaredRoutes(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\.(?:get|head|route|api_route)|add_url_rule|add_api_route)\(\s*["'](\/[A-Za-z0-9_\-/.]{0,100})["']/g;
  for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The path a Dockerfile's HEALTHCHECK fetches from this container (http://localhost:…/path or 127.0.0.1). */
export function healthcheckPath(dockerfile: string): string | undefined {
  for (const line of dockerfile.split('\n')) {
    if (!/^[ \t]*HEALTHCHECK\b/i.test(line) || /\bNONE\b/i.test(line)) continue;
    const m = /https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::[0-9$A-Za-z{}_]+)?(\/[A-Za-z0-9_\-/.]{0,100})/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** `dockerfile` is the Dockerfile's text (the deploy has read it already). */
export async function chooseProbe(dir: string, dockerfile: string): Promise<ProbeChoice> {
  const found = new Map<string, string>();
  let fastapi = false;
  for (const file of await pythonFiles(dir)) {
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_BYTES) continue;
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/^[ \t]*(?:from fastapi import|import fastapi)\b/m.test(text)) fastapi = true;
    for (const r of declaredRoutes(text)) if (!found.has(r)) found.set(r, path.relative(dir, file));
  }
  for (const p of PREFERRED) if (found.has(p)) return { path: p, reason: `GET ${p}: a route of the app (${found.get(p)})` };
  const hc = healthcheckPath(dockerfile);
  if (hc) return { path: hc, reason: `GET ${hc}: the Dockerfile's HEALTHCHECK` };
  if (fastapi) return { path: '/openapi.json', reason: 'GET /openapi.json: FastAPI serves it (the app declares no health route)' };
  return { reason: 'a TCP connection to the port: the app declares no health route and the Dockerfile no HEALTHCHECK' };
}

/** The path a Deployment's first (or "api") container is probed on for readiness, when it is an HTTP probe. */
export function readinessPathOf(deployment: { spec?: unknown }): string | undefined | null {
  type C = { name?: string; readinessProbe?: { httpGet?: { path?: string }; tcpSocket?: unknown; exec?: unknown; grpc?: unknown } };
  const probe = apiContainer<C>(deployment)?.readinessProbe;
  if (!probe) return null;
  return probe.httpGet ? (probe.httpGet.path ?? '/') : undefined;
}
