// Messages between the deployment panel (webviews/deployment) and the extension. Both
// sides import this file; each union's `type` field is the discriminant.

export interface PanelRef {
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
}

export interface PanelRevision {
  readonly revision: number;
  readonly image: string;
  readonly modelVersion?: string;
  readonly gitCommit?: string;
  /** "iris-classifier v7 (@champion)": the registered version it serves. */
  readonly served?: string;
  /** ISO time. */
  readonly created?: string;
  readonly current: boolean;
}

/** One period of the serving timeline: what a revision served, from when to when (ISO times; no `to`: until now). */
export interface PanelServing {
  readonly revision: number;
  readonly what: string;
  readonly from?: string;
  readonly to?: string;
  readonly current: boolean;
}

export interface PanelPod {
  readonly name: string;
  readonly status: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly modelVersion?: string;
}

export interface DeploymentState {
  readonly ref: PanelRef;
  /** Gone from the cluster (deleted, or another context): the panel says so. */
  readonly missing?: boolean;
  readonly error?: string;
  readonly state?: 'available' | 'progressing' | 'failing' | 'stopped';
  readonly ready?: number;
  readonly desired?: number;
  readonly image?: string;
  readonly modelVersion?: string;
  readonly message?: string;
  readonly revisions: readonly PanelRevision[];
  /** Newest first. */
  readonly timeline?: readonly PanelServing[];
  /** The registered version serving now. */
  readonly served?: string;
  readonly pods: readonly PanelPod[];
  /** The managed port-forward to it, when one is open. */
  readonly endpoint?: string;
  /** The project's sample /predict body, to start the form with. */
  readonly samplePayload?: string;
  readonly strings: Readonly<Record<string, string>>;
}

export interface EndpointResponse {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  readonly error?: string;
}

export type ToDeployment = { readonly type: 'state'; readonly state: DeploymentState } | { readonly type: 'response'; readonly response: EndpointResponse };

export type FromDeployment =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' }
  | { readonly type: 'send'; readonly path: string; readonly body: string }
  | { readonly type: 'rollback'; readonly revision: number }
  | { readonly type: 'forward' }
  | { readonly type: 'openDocs' }
  | { readonly type: 'logs' };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function isFromDeployment(v: unknown): v is FromDeployment {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'ready':
    case 'refresh':
    case 'forward':
    case 'openDocs':
    case 'logs':
      return true;
    case 'send':
      // A path on the endpoint: "/x", never "//other-host/x" (which a URL reads as another host).
      return typeof v.path === 'string' && v.path.length <= 2048 && /^\/(?![/\\])/.test(v.path) && typeof v.body === 'string' && v.body.length <= 1_048_576;
    case 'rollback':
      return typeof v.revision === 'number' && Number.isInteger(v.revision) && v.revision > 0;
    default:
      return false;
  }
}
