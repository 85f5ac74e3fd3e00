// Where the Docker engine is, decided as the docker CLI decides it, with no editor API:
// an explicit host (the mlops.docker.host setting), then DOCKER_HOST (with
// DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), then DOCKER_CONTEXT or the current context in
// ~/.docker/config.json, then the default socket, then Podman's Docker-compatible socket.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';

export interface Tls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** false: TLS without verifying the server (a context's SkipTLSVerify). */
  readonly verify: boolean;
}

export type Endpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly source: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls?: Tls; readonly source: string };

export interface ResolveInput {
  readonly env: NodeJS.ProcessEnv;
  /** The mlops.docker.host setting; empty means "as the docker CLI would". */
  readonly setting?: string;
  readonly home?: string;
  readonly exists?: (p: string) => boolean;
  readonly readText?: (p: string) => string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Where to connect, and how the user told us (for messages). */
export function resolveEndpoint(input: ResolveInput): Endpoint {
  const env = input.env;
  const home = input.home ?? os.homedir();
  const exists = input.exists ?? existsSync;
  const readText = input.readText ?? ((p: string) => readFileSync(p, 'utf8'));

  if (input.setting?.trim()) return parseHost(input.setting.trim(), 'the mlops.docker.host setting', tlsFromEnv(env));
  if (env.DOCKER_HOST) return parseHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFromEnv(env));

  const configDir = env.DOCKER_CONFIG || path.join(home, '.docker');
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse(readText(path.join(configDir, 'config.json'))) as { currentContext?: string }).currentContext;
    } catch {
      context = undefined; // no config, or not JSON: the CLI falls back to the default too
    }
  }
  if (context && context !== 'default') {
    const id = createHash('sha256').update(context).digest('hex');
    let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
    try {
      meta = JSON.parse(readText(path.join(configDir, 'contexts', 'meta', id, 'meta.json'))) as typeof meta;
    } catch {
      throw new UserFacingError(t('The Docker context "{0}" is selected but cannot be read. Run "docker context use default", or set mlops.docker.host.', context));
    }
    const host = meta.Endpoints?.docker?.Host;
    if (!host) throw new UserFacingError(t('The Docker context "{0}" has no Docker endpoint. Run "docker context use default", or set mlops.docker.host.', context));
    const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
    const tls: Tls | undefined = exists(path.join(tlsDir, 'ca.pem')) || exists(path.join(tlsDir, 'cert.pem'))
      ? {
          verify: !meta.Endpoints?.docker?.SkipTLSVerify,
          ...optionalFile('ca', path.join(tlsDir, 'ca.pem'), exists, readText),
          ...optionalFile('cert', path.join(tlsDir, 'cert.pem'), exists, readText),
          ...optionalFile('key', path.join(tlsDir, 'key.pem'), exists, readText),
        }
      : meta.Endpoints?.docker?.SkipTLSVerify
        ? { verify: false }
        : undefined;
    return parseHost(host, `the Docker context "${context}"`, tls);
  }

  if (exists(DEFAULT_SOCKET)) return { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'the default socket' };
  // Podman's Docker-compatible service: rootless first, then rootful.
  const runtime = env.XDG_RUNTIME_DIR || (typeof process.getuid === 'function' ? `/run/user/${process.getuid()}` : undefined);
  for (const p of [runtime && path.join(runtime, 'podman', 'podman.sock'), '/run/podman/podman.sock', path.join(home, '.docker', 'run', 'docker.sock')]) {
    if (p && exists(p)) return { kind: 'unix', socketPath: p, source: p.includes('podman') ? 'Podman’s socket' : 'Docker Desktop’s socket' };
  }
  return { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'the default socket' };
}

function optionalFile(key: 'ca' | 'cert' | 'key', p: string, exists: (p: string) => boolean, readText: (p: string) => string): Partial<Record<typeof key, string>> {
  return exists(p) ? { [key]: readText(p) } : {};
}

function tlsFromEnv(env: NodeJS.ProcessEnv): Tls | undefined {
  const certPath = env.DOCKER_CERT_PATH;
  const verify = env.DOCKER_TLS_VERIFY === '1' || env.DOCKER_TLS_VERIFY === 'true';
  if (!verify && !certPath) return undefined;
  const dir = certPath || path.join(os.homedir(), '.docker');
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : undefined);
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  return { verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** unix:///path, tcp://host:port (TLS when asked for, or on 2376), http(s)://host:port. */
export function parseHost(host: string, source: string, tls?: Tls): Endpoint {
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET, source };
  if (host.startsWith('npipe://')) return { kind: 'unix', socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine', source };
  if (host.startsWith('ssh://')) throw new UserFacingError(t('{0} points at {1}: ssh:// engines are not supported yet. Forward the socket (ssh -L) and use unix:// or tcp://.', source, host));
  let url: URL;
  try {
    url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  } catch {
    throw new UserFacingError(t('{0} is "{1}", which is not an engine address. Use unix:///var/run/docker.sock or tcp://host:2375.', source, host));
  }
  if (!url.hostname) throw new UserFacingError(t('{0} is "{1}", which names no host.', source, host));
  const port = Number(url.port || (tls || url.protocol === 'https:' ? 2376 : 2375));
  const useTls = tls ?? (url.protocol === 'https:' || port === 2376 ? { verify: true } : undefined);
  return { kind: 'tcp', host: url.hostname, port, ...(useTls ? { tls: useTls } : {}), source };
}

/** For messages: "unix:///var/run/docker.sock (the default socket)". */
export function describeEndpoint(e: Endpoint): string {
  const where = e.kind === 'unix' ? `unix://${e.socketPath}` : `${e.tls ? 'https' : 'tcp'}://${e.host}:${e.port}`;
  return `${where} (${e.source})`;
}

/** dockerode's constructor options for the endpoint. */
/** How long a TCP engine may take to accept a connection: a blackholed address otherwise waits for the system's SYN retries (minutes). */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The agent's connections fail after `ms` without a TCP connection. Only the connect is
 * timed: an events stream or a quiet build step may stay silent for as long as it likes.
 */
export function withConnectTimeout<A extends http.Agent>(agent: A, ms = CONNECT_TIMEOUT_MS): A {
  type Create = (opts: { host?: string; port?: number }, cb?: unknown) => Socket;
  const own = agent as unknown as { createConnection: Create };
  const create = own.createConnection.bind(agent);
  own.createConnection = (opts, cb) => {
    const socket = create(opts, cb);
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect ETIMEDOUT ${opts.host ?? ''}:${opts.port ?? ''} (no answer in ${ms / 1000} s)`), { code: 'ETIMEDOUT' });
      socket.destroy(err);
    }, ms);
    timer.unref?.();
    const done = (): void => clearTimeout(timer);
    socket.once('connect', done);
    socket.once('close', done);
    return socket;
  };
  return agent;
}

export function dockerodeOptions(e: Endpoint): Record<string, unknown> {
  if (e.kind === 'unix') return { socketPath: e.socketPath };
  const tls = e.tls ? { ...(e.tls.ca ? { ca: e.tls.ca } : {}), ...(e.tls.cert ? { cert: e.tls.cert } : {}), ...(e.tls.key ? { key: e.tls.key } : {}) } : {};
  return {
    host: e.host,
    port: e.port,
    protocol: e.tls ? 'https' : 'http',
    ...tls,
    // An agent of our own: connect timeouts, and (docker-modem has no option for it) TLS without verification.
    agent: withConnectTimeout(e.tls ? new https.Agent({ ...tls, ...(e.tls.verify ? {} : { rejectUnauthorized: false }) }) : new http.Agent()),
  };
}
