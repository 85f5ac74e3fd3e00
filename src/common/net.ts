import net from 'node:net';

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
