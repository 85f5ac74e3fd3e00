// The `fetch` that @kubernetes/client-node gets in the extension's bundle (scripts/build.mjs
// maps its `node-fetch` import here): node-fetch's behaviour for what client-node uses, with
// the TLS settings of the request's agent (CA, client certificate and key) also set on the
// request itself.
//
// Why: the editor's proxy support (`http.proxySupport`, default "override") replaces the
// agent of every https request to a host other than localhost, keeping only its CA. A
// kubeconfig user with a client certificate (minikube, Docker Desktop, kubeadm, this repo's
// test cluster) then reaches the API server as system:anonymous. The replacement agent
// connects with the request's own options, so a certificate given there survives.
// No editor API.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { AbortError, FetchError, Headers } from 'node-fetch';

export { AbortError, FetchError, Headers };

export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers | Array<[string, string]>;
  body?: string | Buffer | Readable | null;
  agent?: http.Agent;
  signal?: AbortSignal | null;
}

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'secureProtocol'] as const;

/** The TLS options an https agent was made with, to be given to the request too. */
export function tlsOptionsOf(agent: unknown): https.RequestOptions {
  const options = (agent instanceof https.Agent ? (agent as https.Agent & { options?: Record<string, unknown> }).options : undefined) ?? {};
  return Object.fromEntries(TLS_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

export class FetchResponse {
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  constructor(
    readonly body: http.IncomingMessage,
    readonly url: string,
  ) {
    this.status = body.statusCode ?? 0;
    this.statusText = body.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < body.rawHeaders.length; i += 2) pairs.push([body.rawHeaders[i]!, body.rawHeaders[i + 1]!]);
    this.headers = new Headers(pairs);
  }

  async buffer(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async text(): Promise<string> {
    return (await this.buffer()).toString('utf8');
  }

  async json(): Promise<unknown> {
    const text = await this.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new FetchError(`invalid json response body at ${this.url} reason: ${(err as Error).message}`, 'invalid-json');
    }
  }
}

/** How long a request may wait for the API server's answer (its headers); watches and log streams are not timed. */
export const RESPONSE_TIMEOUT_MS = 30_000;

/** A watch or a followed log stays open by design; everything else is answered within RESPONSE_TIMEOUT_MS. */
function isStream(target: URL): boolean {
  return target.searchParams.get('watch') === 'true' || target.searchParams.get('watch') === '1' || target.searchParams.get('follow') === 'true';
}

export default function fetch(url: string | URL, init: FetchInit & { timeoutMs?: number } = {}): Promise<FetchResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(String(url));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(new AbortError('The user aborted a request.'));
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    if (!headers.has('accept')) headers.set('accept', '*/*');
    const body = init.body ?? undefined;
    if (typeof body === 'string' || Buffer.isBuffer(body)) headers.set('content-length', String(Buffer.byteLength(body)));
    const mod = target.protocol === 'https:' ? https : http;
    const req = mod.request(target, {
      method: (init.method ?? 'GET').toUpperCase(),
      headers: Object.fromEntries(headers.entries()),
      ...(init.agent ? { agent: init.agent } : {}),
      ...(target.protocol === 'https:' ? tlsOptionsOf(init.agent) : {}),
    });
    let response: FetchResponse | undefined;
    const onAbort = (): void => {
      const err = new AbortError('The user aborted a request.');
      reject(err);
      req.destroy(err);
      response?.body.destroy(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // A blackholed or silent API server: the request ends with a timeout error naming the server.
    const timeoutMs = init.timeoutMs ?? RESPONSE_TIMEOUT_MS;
    const timer = isStream(target)
      ? undefined
      : setTimeout(() => req.destroy(Object.assign(new Error(`no answer from ${target.host} within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err instanceof AbortError ? err : new FetchError(`request to ${target.href} failed, reason: ${err.message}`, 'system', err));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      res.once('end', () => signal?.removeEventListener('abort', onAbort));
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      response = new FetchResponse(res, target.href);
      resolve(response);
    });
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}
