// The Docker engine through dockerode, with no editor API: connect, version,
// build (the context packed honouring .dockerignore exactly as Docker does), run,
// stop, remove, logs. dockerode is loaded on first use, never at activation.
import type Dockerode from 'dockerode';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { CancellationTokenLike } from '../common/cancellation';
import { CancelledError, throwIfCancelled } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';

export interface BuildOptions {
  /** Relative to the context; default "Dockerfile". */
  readonly dockerfile?: string;
  readonly tags: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly target?: string;
}

export type BuildEvent = { readonly kind: 'step'; readonly step: number; readonly of: number; readonly text: string } | { readonly kind: 'output'; readonly text: string };

export interface RunOptions {
  readonly name?: string;
  /** Container port → host port, published on 127.0.0.1 only. */
  readonly ports?: ReadonlyArray<{ readonly container: number; readonly host: number }>;
  readonly env?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Explains a failed connection in words a user can act on. */
export function explainConnectionError(err: unknown, where: string): UserFacingError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new UserFacingError(`No Docker engine answers at ${where}. Start Docker (or Podman's Docker-compatible service), or point DOCKER_HOST at a running engine.`, errorMessage(err));
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserFacingError(`Permission denied on ${where}. Add your user to the "docker" group (then log in again), or use a rootless engine's socket through DOCKER_HOST.`, errorMessage(err));
  }
  return new UserFacingError(`The Docker engine at ${where} cannot be reached: ${errorMessage(err)}`);
}

export class DockerClient {
  private constructor(
    readonly docker: Dockerode,
    /** Where the engine is, for messages. */
    readonly where: string,
  ) {}

  /** From DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or the default socket. */
  static async connect(env: NodeJS.ProcessEnv = process.env): Promise<DockerClient> {
    const { default: Docker } = await import('dockerode');
    const host = env.DOCKER_HOST;
    if (!host || host.startsWith('unix://')) {
      const socketPath = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
      return new DockerClient(new Docker({ socketPath }), socketPath);
    }
    // dockerode reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself.
    return new DockerClient(new Docker(), host);
  }

  async version(): Promise<{ version: string; apiVersion: string }> {
    try {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    } catch (err) {
      throw explainConnectionError(err, this.where);
    }
  }

  /**
   * Builds an image with the classic builder. Intermediate containers are removed
   * even when the build fails or is cancelled; a failed step says which Dockerfile
   * line it was. Returns the image id.
   */
  async build(contextDir: string, opts: BuildOptions, onEvent?: (e: BuildEvent) => void, token?: CancellationTokenLike): Promise<string> {
    throwIfCancelled(token);
    const dockerfile = opts.dockerfile ?? 'Dockerfile';
    const context = await packContext(contextDir, dockerfile);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, {
        dockerfile,
        t: [...opts.tags],
        buildargs: { ...opts.buildArgs },
        labels: { ...opts.labels },
        ...(opts.target ? { target: opts.target } : {}),
        rm: true,
        forcerm: true,
        // Several `t` parameters tag the image several times (the API allows it; the typings do not).
      } as unknown as Dockerode.ImageBuildOptions);
    } catch (err) {
      throw explainConnectionError(err, this.where);
    }
    const cancel = token?.onCancellationRequested(() => (stream as unknown as Readable).destroy());
    const dockerfileText = await readFile(path.join(contextDir, dockerfile), 'utf8').catch(() => '');
    let lastStep = '';
    try {
      const output: Array<{ stream?: string; error?: string; aux?: { ID?: string } }> = await new Promise((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null, res: Array<{ stream?: string; error?: string; aux?: { ID?: string } }>) => (err ? reject(err) : resolve(res)),
          (event: { stream?: string; error?: string }) => {
            const text = event.stream ?? '';
            const m = /^Step (\d+)\/(\d+) : (.*)/.exec(text);
            if (m) {
              lastStep = m[3];
              onEvent?.({ kind: 'step', step: Number(m[1]), of: Number(m[2]), text: m[3].trim() });
            } else if (text) onEvent?.({ kind: 'output', text });
          },
        );
      });
      throwIfCancelled(token);
      const failure = output.find((o) => o.error);
      if (failure) throw new UserFacingError(`The image build failed${lineOf(dockerfileText, lastStep)}: ${failure.error!.trim()}`, failure.error);
      const id = output.map((o) => o.aux?.ID).filter(Boolean).pop();
      if (!id) throw new UserFacingError('The build finished without an image id; see the log.');
      return id;
    } catch (err) {
      if (token?.isCancellationRequested) throw new CancelledError('The build was cancelled');
      throw err;
    } finally {
      cancel?.dispose();
    }
  }

  async run(image: string, opts: RunOptions = {}): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of opts.ports ?? []) {
      exposed[`${p.container}/tcp`] = {};
      bindings[`${p.container}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(p.host) }];
    }
    const container = await this.docker.createContainer({
      Image: image,
      ...(opts.name ? { name: opts.name } : {}),
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: { ...opts.labels },
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings },
    });
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      if (/port is already allocated|address already in use/i.test(errorMessage(err))) {
        throw new UserFacingError(`A port is already in use on 127.0.0.1 (${(opts.ports ?? []).map((p) => p.host).join(', ')}): choose another.`, errorMessage(err));
      }
      throw err;
    }
    return container.id;
  }

  async stop(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .stop({ t: 10 })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 304) throw err; // 304: already stopped
      });
  }

  async remove(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true });
  }

  async logs(id: string, tail = 200): Promise<string> {
    const buf = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
    return demux(buf);
  }

  async removeImage(ref: string): Promise<void> {
    await this.docker.getImage(ref).remove({ force: true });
  }

  async containersWithLabel(label: string): Promise<string[]> {
    return (await this.docker.listContainers({ all: true, filters: { label: [label] } })).map((c) => c.Id);
  }
}

/** " (Dockerfile line N)" for the step that failed, when the step's text is found in the Dockerfile. */
function lineOf(dockerfile: string, step: string): string {
  if (!step) return '';
  const needle = step.trim().split('\n')[0];
  const i = dockerfile.split('\n').findIndex((l) => l.trim() === needle || (needle.length > 8 && l.includes(needle)));
  return i >= 0 ? ` at Dockerfile line ${i + 1} (${needle})` : ` at step "${needle}"`;
}

/** Docker's multiplexed log stream (8-byte frame headers) to text; plain text is passed through. */
export function demux(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return i === 0 ? buf.toString('utf8') : out;
}

/**
 * The build context as a tar stream, leaving out what .dockerignore excludes, with
 * Docker's own rules (@balena/dockerignore). The Dockerfile and .dockerignore are
 * always sent, as Docker does.
 */
export async function packContext(dir: string, dockerfile = 'Dockerfile'): Promise<Readable> {
  const [{ default: ignore }, tar] = await Promise.all([import('@balena/dockerignore'), import('tar-fs')]);
  const rules = await readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const lines = rules.split(/\r?\n/);
  const ig = ignore().add(lines);
  // With an exception ("!app/**" after "**"), files inside an excluded folder can come
  // back, so folders are walked and only files are judged.
  const hasExceptions = lines.some((l) => l.trim().startsWith('!'));
  const always = new Set([dockerfile.split(path.sep).join('/'), '.dockerignore']);
  return tar.pack(dir, {
    ignore: (name: string) => {
      const rel = path.relative(dir, name).split(path.sep).join('/');
      if (rel === '' || always.has(rel)) return false;
      if (hasExceptions && statSync(name).isDirectory()) return false;
      return ig.ignores(rel);
    },
  }) as unknown as Readable;
}
