// Where the ports of a project disagree, said before anything is built: the Dockerfile's
// EXPOSE and its command's --port, the project's manifests' containerPort, their probe's
// port and their Service's targetPort. A mismatch otherwise ends as a rollout timeout or a
// connection refused with no word of which file is wrong. No editor API.
import { commandPort, exposedPort } from '../../docker/core/project';
import type { KubeObject } from './manifests';
import { apiContainer, sourceOf } from './manifests';

type Container = { name?: string; ports?: Array<{ name?: string; containerPort?: number }>; readinessProbe?: { httpGet?: { port?: number | string }; tcpSocket?: { port?: number | string } } };

export interface PortReport {
  /** Disagreements that make a deploy of these manifests fail: refuse before building. */
  readonly blocking: string[];
  /** Disagreements inside the Dockerfile alone (the deploy uses what its command says). */
  readonly warnings: string[];
}

export function checkPorts(dockerfile: string, own: readonly KubeObject[]): PortReport {
  const exposed = exposedPort(dockerfile);
  const command = commandPort(dockerfile);
  const listens = command ?? exposed;
  const warnings = exposed !== undefined && command !== undefined && exposed !== command ? [`the Dockerfile EXPOSEs ${exposed} but its command listens on ${command}`] : [];
  const blocking: string[] = [];
  const dep = own.find((o) => o.kind === 'Deployment');
  const c = apiContainer<Container>(dep);
  const ports = c?.ports ?? [];
  const cp = (ports.find((p) => p.name === 'http') ?? ports[0])?.containerPort;
  if (listens !== undefined && typeof cp === 'number' && cp !== listens) {
    blocking.push(`${sourceOf(dep, 'the Deployment')}'s containerPort is ${cp}, but the Dockerfile's ${command !== undefined ? 'command listens on' : 'EXPOSE is'} ${listens}`);
  }
  const named = (p: number | string | undefined): number | undefined => (typeof p === 'number' ? p : p === undefined ? undefined : ports.find((x) => x.name === p)?.containerPort);
  const probePort = named(c?.readinessProbe?.httpGet?.port ?? c?.readinessProbe?.tcpSocket?.port);
  const served = listens ?? cp;
  if (probePort !== undefined && served !== undefined && probePort !== served) blocking.push(`${sourceOf(dep, 'the Deployment')}'s readiness probe checks port ${probePort}, but the app listens on ${served}`);
  const svc = own.find((o) => o.kind === 'Service');
  for (const sp of ((svc?.spec as { ports?: Array<{ targetPort?: number | string }> } | undefined)?.ports ?? [])) {
    const target = named(sp.targetPort);
    if (target !== undefined && served !== undefined && target !== served) blocking.push(`${sourceOf(svc, 'the Service')}'s targetPort is ${target}, but the app listens on ${served}`);
  }
  return { blocking, warnings };
}
