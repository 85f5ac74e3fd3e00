import net from 'node:net';
import { UserFacingError } from './errors';

/** A local port (a container's published port, a port-forward) is taken; nothing is left behind. */
export class PortInUseError extends UserFacingError {
  constructor(
    readonly ports: readonly number[],
    detail: string,
    /** The next free port from the first one up, when it was looked for. */
    readonly nextFree?: number,
  ) {
    super(`Port ${ports.join(', ')} on 127.0.0.1 is already in use.`, detail);
  }
}

/** True when something on this machine already listens on the port (loopback). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

/** The first port from `start` up that is free on loopback (at most 100 tries). */
export async function nextFreePort(start: number, inUse: (p: number) => Promise<boolean> = portInUse): Promise<number | undefined> {
  for (let p = start; p < start + 100 && p <= 65535; p++) if (!(await inUse(p))) return p;
  return undefined;
}

/** A port the OS picks as free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
