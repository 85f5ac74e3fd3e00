// The Docker engine through dockerode, with no editor API: connect, version,
// build (the context from context.ts), run, stop, remove, logs. dockerode is loaded on first use, never at activation.
import type Dockerode from 'dockerode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { CancellationTokenLike } from '../../common/cancellation';
import type { Endpoint } from './connection';
import { describeEndpoint, dockerodeOptions, resolveEndpoint } from './connection';
import { PortInUseError } from '../../common/net';
import { packContext } from './context';
import { CancelledError, throwIfCancelled } from '../../common/cancellation';
import { ErrorCode, UserFacingError, errorMessage } from '../../common/errors';
import { openSettingAction, t } from '../../common/l10n';

export interface BuildOptions {
  /** Relative to the context; default "Dockerfile". */
  readonly dockerfile?: string;
  readonly tags: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** Build every step again (docker build --no-cache). */
  readonly noCache?: boolean;
}

export type BuildEvent = { readonly kind: 'step'; readonly step: number; readonly of: number; readonly text: string } | { readonly kind: 'output'; readonly text: string };

export interface RunOptions {
  readonly name?: string;
  /** Container port → host port, published on 127.0.0.1 only. */
  readonly ports?: ReadonlyArray<{ readonly container: number; readonly host: number }>;
  readonly env?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface EngineVersion {
  readonly version: string;
  readonly apiVersion: string;
  readonly podman: boolean;
}

const MIN_API_MINOR = 41;

/** A request the engine answered with an error (HTTP status), or a connection that failed. */
export function explainRequestError(err: unknown, where: string, what: string): UserFacingError {
  const status = (err as { statusCode?: number })?.statusCode;
  if (!status) return explainConnectionError(err, where);
  const json = (err as { json?: { message?: string } }).json;
  const detail = (json?.message ?? errorMessage(err)).replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
  const parse = /dockerfile parse error (?:on )?line (\d+): (.*)/i.exec(detail);
  if (parse) return new UserFacingError(t('The Dockerfile does not parse: line {0}: {1}', parse[1], parse[2]), detail);
  return new UserFacingError(t('The Docker engine refused the {0}: {1}', what, detail), errorMessage(err));
}

export { PortInUseError } from '../../common/net';

/** Explains a failed connection in words a user can act on. */
export function explainConnectionError(err: unknown, where: string): UserFacingError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new UserFacingError(t('No Docker engine answers at {0}. Start Docker (or Podman\'s Docker-compatible service), or point DOCKER_HOST at a running engine.', where), errorMessage(err));
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserFacingError(t('Permission denied on {0}. Add your user to the "docker" group (then log in again), or use a rootless engine\'s socket through DOCKER_HOST.', where), errorMessage(err));
  }
  return new UserFacingError(t('The Docker engine at {0} cannot be reached: {1}', where, errorMessage(err)));
}

/** How long a request that is not a stream (version, list, inspect, create, remove…) may take. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class DockerClient {
  private constructor(
    readonly docker: Dockerode,
    /** Where the engine is, for messages. */
    readonly where: string,
    /** The engine's address, for a CLI that should talk to the same engine. */
    readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
  ) {}

  /** Where the docker CLI would connect (see connection.ts), or `setting` when given. */
  static async connect(env: NodeJS.ProcessEnv = process.env, setting?: string): Promise<DockerClient> {
    const endpoint = resolveEndpoint({ env, ...(setting ? { setting } : {}) });
    return DockerClient.at(endpoint);
  }

  static async at(endpoint: Endpoint, opts: { timeoutMs?: number } = {}): Promise<DockerClient> {
    const { default: Docker } = await import('dockerode');
    return new DockerClient(new Docker(dockerodeOptions(endpoint) as Dockerode.DockerOptions), describeEndpoint(endpoint), endpoint, opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
  }

  /** `work`, or an error saying the engine did not answer in time (an engine that accepts and never replies). */
  private deadline<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UserFacingError(t('The Docker engine at {0} did not answer within {1} s ({2}). Is it running, and is that the engine you meant?', this.where, this.timeoutMs / 1000, what), undefined, { code: ErrorCode.timeout })), this.timeoutMs);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  /** The engine's version; Podman is recognised. Older engines than API 1.41 (Docker 20.10) are refused. */
  async version(): Promise<EngineVersion> {
    let v: Dockerode.DockerVersion & { Components?: Array<{ Name: string }> };
    try {
      v = await this.deadline(this.docker.version(), 'version');
    } catch (err) {
      if (err instanceof UserFacingError) throw err;
      throw explainConnectionError(err, this.where);
    }
    const podman = (v.Components ?? []).some((c) => /podman/i.test(c.Name));
    const [major, minor] = v.ApiVersion.split('.').map(Number);
    if (major < 1 || (major === 1 && minor < MIN_API_MINOR)) {
      throw new UserFacingError(t('The engine at {0} speaks Docker API {1}; MLOps Workbench needs 1.{2} (Docker 20.10) or newer. Update the engine.', this.where, v.ApiVersion, MIN_API_MINOR));
    }
    return { version: v.Version, apiVersion: v.ApiVersion, podman };
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
        ...(opts.noCache ? { nocache: true } : {}),
        rm: true,
        forcerm: true,
        // Several `t` parameters tag the image several times (the API allows it; the typings do not).
      } as unknown as Dockerode.ImageBuildOptions);
    } catch (err) {
      throw explainRequestError(err, this.where, 'build');
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
      if (failure) throw buildFailure(failure.error!.trim(), dockerfileText, lastStep, opts.buildArgs?.BASE_IMAGE);
      const id = output.map((o) => o.aux?.ID).filter(Boolean).pop();
      if (!id) throw new UserFacingError(t('The build finished without an image id; see the log.'));
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
    const container = await this.request(() =>
      this.docker.createContainer({
        Image: image,
        ...(opts.name ? { name: opts.name } : {}),
        Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Labels: { ...opts.labels },
        ExposedPorts: exposed,
        HostConfig: { PortBindings: bindings },
      }),
    );
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      if (/port is already allocated|address already in use/i.test(errorMessage(err))) {
        const ports = (opts.ports ?? []).map((p) => p.host);
        throw new PortInUseError(ports, errorMessage(err));
      }
      throw explainRequestError(err, this.where, 'container start');
    }
    return container.id;
  }

  async stop(id: string): Promise<void> {
    await this.deadline(
      this.docker
        .getContainer(id)
        .stop({ t: 10 })
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode !== 304) throw err; // 304: already stopped
        }),
      'container stop',
    );
  }

  async remove(id: string): Promise<void> {
    await this.deadline(this.docker.getContainer(id).remove({ force: true }), 'container remove');
  }

  /** The last lines of a container's log (stdout and stderr, in order). */
  async logs(id: string, tail = 200): Promise<string> {
    const container = this.docker.getContainer(id);
    const info = await this.request(() => container.inspect());
    const buf = (await this.request(() => container.logs({ stdout: true, stderr: true, tail, follow: false }))) as unknown as Buffer;
    // Without a TTY the engine frames each chunk with its stream; dockerode's demuxer unframes it.
    if (info.Config.Tty) return buf.toString('utf8');
    const { PassThrough, Readable } = await import('node:stream');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const source = Readable.from([buf]);
    await new Promise<void>((resolve, reject) => {
      source.on('end', resolve);
      source.on('error', reject);
      this.docker.modem.demuxStream(source, out, out);
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  async removeImage(ref: string): Promise<void> {
    await this.deadline(this.docker.getImage(ref).remove({ force: true }), 'image remove');
  }

  async containersWithLabel(label: string): Promise<string[]> {
    return (await this.request(() => this.docker.listContainers({ all: true, filters: { label: [label] } }))).map((c) => c.Id);
  }

  /** Tagged images; only those carrying `label` unless it is undefined. */
  async images(label?: string): Promise<ImageSummary[]> {
    const list = await this.request(() => this.docker.listImages({ filters: { dangling: ['false'], ...(label ? { label: [label] } : {}) } }));
    return list
      .map((i) => ({ id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), created: new Date(i.Created * 1000), size: i.Size, labels: i.Labels ?? {} }))
      .filter((i) => i.tags.length > 0)
      .sort((a, b) => b.created.getTime() - a.created.getTime());
  }

  async containers(): Promise<ContainerSummary[]> {
    const list = await this.request(() => this.docker.listContainers({ all: true }));
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      image: c.Image,
      imageId: c.ImageID,
      state: c.State,
      status: c.Status,
      labels: c.Labels ?? {},
      ports: c.Ports.filter((p) => p.PublicPort).map((p) => ({ container: p.PrivatePort, host: p.PublicPort, ip: p.IP ?? '' })),
    }));
  }

  async inspectContainer(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return this.request(() => this.docker.getContainer(id).inspect());
  }

  async inspectImage(ref: string): Promise<Dockerode.ImageInspectInfo | undefined> {
    try {
      return await this.deadline(this.docker.getImage(ref).inspect(), 'image lookup');
    } catch (err) {
      if (err instanceof UserFacingError) throw err;
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw explainRequestError(err, this.where, 'image lookup');
    }
  }

  /**
   * Follows a container's output (the last `tail` lines first) until `stop()` or the
   * container ends. Text is passed on as it arrives, stdout and stderr demultiplexed.
   */
  async followLogs(id: string, onText: (text: string) => void, tail = 200): Promise<{ readonly done: Promise<void>; stop(): void }> {
    const container = this.docker.getContainer(id);
    const info = await this.request(() => container.inspect());
    const stream = (await this.request(() => container.logs({ stdout: true, stderr: true, follow: true, tail }))) as unknown as Readable;
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    out.on('data', (c: Buffer) => onText(c.toString('utf8')));
    if (info.Config.Tty) stream.pipe(out);
    else this.docker.modem.demuxStream(stream, out, out);
    const done = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    return { done, stop: () => stream.destroy() };
  }

  /** The engine's event stream (containers and images), one parsed event per call. Ends when the engine goes away. */
  async events(onEvent: (e: EngineEvent) => void): Promise<{ readonly ended: Promise<void>; stop(): void }> {
    const stream = (await this.request(() => this.docker.getEvents({ filters: { type: ['container', 'image'] } }))) as unknown as Readable;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line) continue;
        try {
          const j = JSON.parse(line) as { Type?: string; Action?: string; Actor?: { ID?: string } };
          onEvent({ type: j.Type ?? '', action: j.Action ?? '', id: j.Actor?.ID ?? '' });
        } catch {
          // a partial or foreign line: skip it
        }
      }
    });
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    return { ended, stop: () => stream.destroy() };
  }

  private async request<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.deadline(fn(), 'request');
    } catch (err) {
      if (err instanceof UserFacingError) throw err;
      throw explainRequestError(err, this.where, 'request');
    }
  }
}

export interface ImageSummary {
  readonly id: string;
  readonly tags: readonly string[];
  readonly created: Date;
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  /** created, running, paused, restarting, removing, exited, dead */
  readonly state: string;
  /** "Up 3 minutes", "Exited (0) 2 hours ago" */
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{ readonly container: number; readonly host: number; readonly ip: string }>;
}

export interface EngineEvent {
  readonly type: string;
  readonly action: string;
  readonly id: string;
}

/** A failed build step in words a user can act on: the Dockerfile line, and for a FROM that cannot pull, what to change. */
export function buildFailure(error: string, dockerfile: string, step: string, baseImageArg?: string): UserFacingError {
  if (/^from\s/i.test(step.trim()) && /pull access denied|manifest unknown|not found|no such host|dial tcp|i\/o timeout|connection refused|TLS handshake|unauthorized|denied/i.test(error)) {
    const declared = /^[ \t]*ARG[ \t]+BASE_IMAGE(?:=(\S+))?/im.exec(dockerfile);
    const image = baseImageArg ?? declared?.[1] ?? step.trim().split(/\s+/)[1];
    const fix = declared
      ? t('Set mlops.docker.baseImage (the BASE_IMAGE build arg) to an image this engine has, or load that image first (docker load / docker pull).')
      : t('Change the FROM line to an image this engine has, or load that image first (docker load / docker pull).');
    return new UserFacingError(t('The base image "{0}" is not on this engine and cannot be pulled{1}. {2}', image, lineOf(dockerfile, step), fix), error, {
      code: ErrorCode.baseImageMissing,
      actions: declared ? [openSettingAction('mlops.docker.baseImage')] : [],
    });
  }
  return new UserFacingError(t('The image build failed{0}: {1}', lineOf(dockerfile, step), error), error);
}

/** " (Dockerfile line N)" for the step that failed, when the step's text is found in the Dockerfile. */
function lineOf(dockerfile: string, step: string): string {
  if (!step) return '';
  const needle = step.trim().split('\n')[0];
  const i = dockerfile.split('\n').findIndex((l) => l.trim() === needle || (needle.length > 8 && l.includes(needle)));
  return i >= 0 ? t(' at Dockerfile line {0} ({1})', i + 1, needle) : t(' at step "{0}"', needle);
}

