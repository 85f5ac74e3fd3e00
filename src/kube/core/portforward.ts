// Port-forwards through the API server to a pod, managed: listed, each stoppable, all
// stopped on dispose, so none outlives the window. Listens on 127.0.0.1 only. No editor API.
import net from 'node:net';
import { PortInUseError, nextFreePort } from '../../common/net';
import type { KubeClient } from './client';

export interface Forward {
  readonly id: string;
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly url: string;
  /** The Deployment whose pod it reaches, when known: its next revision's forward replaces this one. */
  readonly owner?: string;
}

export class PortForwards {
  private readonly active = new Map<string, { forward: Forward; server: net.Server; sockets: Set<net.Socket> }>();
  private readonly listeners = new Set<() => void>();

  /** Called when the list changes (the tree refreshes). */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  list(): Forward[] {
    return [...this.active.values()].map((a) => a.forward);
  }

  /**
   * Forwards 127.0.0.1:`localPort` (0: any free port) to the pod's `remotePort`. A taken
   * port fails with PortInUseError naming the next free one; nothing is left listening.
   */
  async start(client: KubeClient, namespace: string, pod: string, remotePort: number, localPort = 0, owner?: string): Promise<Forward> {
    const existing = this.list().find((f) => f.context === client.context && f.namespace === namespace && f.pod === pod && f.remotePort === remotePort);
    if (existing && (localPort === 0 || existing.localPort === localPort)) return existing;
    const pf = new client.lib.PortForward(client.kc);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      pf.portForward(namespace, pod, [remotePort], socket, null, socket).catch((err: unknown) => socket.destroy(err instanceof Error ? err : new Error(String(err))));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') return reject(err);
        void nextFreePort(localPort + 1).then((free) => reject(new PortInUseError([localPort], free ? `next free port: ${free}` : err.message, free)));
      });
      server.listen(localPort, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const forward: Forward = { id: `${client.context}/${namespace}/${pod}:${remotePort}@${port}`, context: client.context, namespace, pod, remotePort, localPort: port, url: `http://127.0.0.1:${port}`, ...(owner ? { owner } : {}) };
    this.active.set(forward.id, { forward, server, sockets });
    this.changed();
    return forward;
  }

  async stop(id: string): Promise<void> {
    const a = this.active.get(id);
    if (!a) return;
    this.active.delete(id);
    for (const s of a.sockets) s.destroy();
    await new Promise((r) => a.server.close(r));
    this.changed();
  }

  /** Stops the forwards to `owner`'s pods in that namespace except to `keep` (pods a rollout replaced, or a deleted Deployment's). */
  async stopOwned(context: string, namespace: string, owner: string, keep: readonly string[] = []): Promise<void> {
    for (const f of this.list()) if (f.context === context && f.namespace === namespace && f.owner === owner && !keep.includes(f.pod)) await this.stop(f.id);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id)));
    this.listeners.clear();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
