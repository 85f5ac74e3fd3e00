import * as vscode from 'vscode';
import { LatestOnly } from '../common/latest';
import { readSamplePayload } from '../scaffold/core/payload';
import { errorMessage } from '../common/errors';
import type { DeploymentState, EndpointResponse, FromDeployment, PanelRef, ToDeployment } from '../webview/contract/deployment';
import { isFromDeployment } from '../webview/contract/deployment';
import type { Numbered } from '../webview/contract/host';
import { Commands, WebviewPanels } from '../vscode/ids';
import { showError } from '../vscode/errors';
import { insideWorkspace } from '../vscode/workspacePaths';
import type { ComponentLogger } from '../vscode/logger';
import { WebviewHost, openPanel } from '../vscode/webviewHost';
import { summarizeDeployment, summarizePod } from './core/model';
import { SERVED_HISTORY, parseServedHistory, servingTimeline } from './core/servedHistory';
import { servedText } from '../registry/core/model';
import type { KubeService } from './service';

/**
 * One deployed workload: its state, pods and revisions (each with the model version it
 * serves, any of them one click from a rollback), and a live endpoint form that sends a
 * JSON body through the managed port-forward and shows the response and its latency.
 */
export class DeploymentPanel {
  private static readonly open = new Map<string, DeploymentPanel>();
  private readonly host: WebviewHost<FromDeployment, ToDeployment>;
  private readonly loads = new LatestOnly();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;

  static show(extensionUri: vscode.Uri, service: KubeService, ref: PanelRef, log: ComponentLogger, restored?: vscode.WebviewPanel): DeploymentPanel {
    const key = `${ref.context}/${ref.namespace}/${ref.name}`;
    const existing = DeploymentPanel.open.get(key);
    if (existing) {
      restored?.dispose();
      existing.panel.reveal();
      void existing.load();
      return existing;
    }
    const title = vscode.l10n.t('Deployment: {0}', ref.name);
    const p = openPanel(WebviewPanels.deployment, extensionUri, { title, script: 'deployment', styles: ['base', 'deployment'] }, restored);
    const panel = new DeploymentPanel(p, service, ref, log, () => DeploymentPanel.open.delete(key));
    DeploymentPanel.open.set(key, panel);
    return panel;
  }

  /** After a deploy or an action from the tree: every open panel shows the cluster as it is now. */
  static refreshAll(): void {
    for (const p of DeploymentPanel.open.values()) p.reloadSoon();
  }

  static serializer(extensionUri: vscode.Uri, service: KubeService, log: ComponentLogger): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(WebviewPanels.deployment, {
      deserializeWebviewPanel: async (p, state: { ref?: PanelRef } | undefined) => {
        const ref = state?.ref;
        if (!ref || typeof ref.name !== 'string' || typeof ref.namespace !== 'string' || typeof ref.context !== 'string') {
          p.dispose();
          return;
        }
        DeploymentPanel.show(extensionUri, service, ref, log, p);
      },
    });
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly service: KubeService,
    private readonly ref: PanelRef,
    private readonly log: ComponentLogger,
    onClose: () => void,
  ) {
    this.host = new WebviewHost(panel, { name: 'deployment panel', log, accepts: isFromDeployment, onMessage: (m) => this.onMessage(m) });
    this.host.register(service.onDidChange(() => this.reloadSoon()));
    this.host.onDidClose(() => {
      this.loads.cancel();
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      onClose();
    });
  }

  private node(): unknown {
    return { kind: 'workload', context: this.ref.context, workload: { name: this.ref.name, namespace: this.ref.namespace } };
  }

  private async onMessage(m: FromDeployment & Numbered): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'refresh':
        return this.load();
      case 'rollback':
        await vscode.commands.executeCommand(Commands.kubernetesRollback, this.node(), m.revision);
        return this.reloadSoon();
      case 'forward':
        await this.service.forwardTo(this.ref.namespace, this.ref.name).catch((err: unknown) => showError(err, this.log, { context: 'deployment panel: port-forward' }));
        return this.reloadSoon();
      case 'openDocs':
        await vscode.commands.executeCommand(Commands.kubernetesOpenDocs, this.node());
        return;
      case 'logs':
        await vscode.commands.executeCommand(Commands.kubernetesFollowLogs, this.node());
        return;
      case 'send': {
        // A second Send while the first is on its way: the first's answer is not shown.
        const outcome = await this.host.latest('send', () => this.send(m.path, m.body));
        if (outcome.current) this.host.answer(m, { type: 'response', response: outcome.value });
        return;
      }
    }
  }

  /** The request goes from the extension host (the webview may not open connections), through the port-forward. */
  private async send(urlPath: string, body: string): Promise<EndpointResponse> {
    try {
      const forward = await this.service.forwardTo(this.ref.namespace, this.ref.name);
      if (body.trim()) JSON.parse(body);
      const started = performance.now();
      const target = new URL(urlPath, forward.url);
      if (target.origin !== new URL(forward.url).origin) throw new Error(vscode.l10n.t('{0} is not a path on this deployment’s endpoint.', urlPath));
      const r = await fetch(target, {
        method: body.trim() ? 'POST' : 'GET',
        ...(body.trim() ? { headers: { 'content-type': 'application/json' }, body } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await r.text();
      const ms = performance.now() - started;
      this.log.info(`${body.trim() ? 'POST' : 'GET'} ${forward.url}${urlPath}: ${r.status} in ${ms.toFixed(1)} ms`);
      return { status: r.status, ms, body: text.slice(0, 20_000) };
    } catch (err) {
      return { status: 0, ms: 0, body: '', error: errorMessage((err as { cause?: unknown }).cause ?? err) };
    }
  }

  /**
   * One reload for a burst of reasons: an action, the service's change event it causes and
   * refreshAll() after it all ask within moments of each other.
   */
  private reloadSoon(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.load();
    }, 150);
  }

  /**
   * An action reloads the panel, and so does the service's change event the action causes:
   * the loads may overlap, and only the newest one's state is shown (an older, slower read
   * must not put back a revision list from before the rollback).
   */
  private async load(): Promise<void> {
    const outcome = await this.loads.run(() => this.readState());
    if (outcome.current) this.host.post({ type: 'state', state: outcome.value });
  }

  private async readState(): Promise<DeploymentState> {
    const { context, namespace, name } = this.ref;
    const strings = panelStrings();
    const base = { ref: this.ref, revisions: [], pods: [], strings };
    let state: DeploymentState;
    try {
      const client = await this.service.client();
      if (client.context !== context) {
        state = { ...base, missing: true, error: vscode.l10n.t('The current context is {0}; this deployment is in {1}. Switch context from the status bar to see it.', client.context, context) };
      } else {
        const dep = await client.deployment(namespace, name);
        if (!dep) state = { ...base, missing: true, error: vscode.l10n.t('Deployment {0} is no longer in namespace {1}.', name, namespace) };
        else {
          const w = summarizeDeployment(dep);
          const [pods, revisions] = await Promise.all([client.pods(namespace, dep), client.history(namespace, name)]);
          const podNames = new Set(pods.map((p) => p.metadata?.name));
          const forward = this.service.forwards.list().find((f) => f.context === context && f.namespace === namespace && podNames.has(f.pod));
          const project = insideWorkspace(w.project);
          const sample = project ? (await readSamplePayload(project).catch(() => undefined))?.text : undefined;
          state = {
            ...base,
            state: w.state,
            ready: w.ready,
            desired: w.desired,
            image: w.image,
            ...(w.modelVersion ? { modelVersion: w.modelVersion } : {}),
            ...(w.served ? { served: servedText(w.served) } : {}),
            timeline: servingTimeline(parseServedHistory(dep.metadata?.annotations?.[SERVED_HISTORY]), revisions, w.revision).map((p) => ({ revision: p.revision, what: p.what, current: p.current, ...(p.from ? { from: p.from } : {}), ...(p.to ? { to: p.to } : {}) })),
            ...(w.message ? { message: w.message } : {}),
            pods: pods.map((p) => {
              const s = summarizePod(p);
              return { name: s.name, status: s.status, ready: s.ready, restarts: s.restarts, ...(s.modelVersion ? { modelVersion: s.modelVersion } : {}) };
            }),
            revisions: revisions.map((r) => ({
              revision: r.revision,
              image: r.image,
              current: r.current,
              ...(r.modelVersion ? { modelVersion: r.modelVersion } : {}),
              ...(r.gitCommit ? { gitCommit: r.gitCommit } : {}),
              ...(r.served ? { served: servedText(r.served) } : {}),
              ...(r.created ? { created: r.created.toISOString() } : {}),
            })),
            ...(forward ? { endpoint: forward.url } : {}),
            ...(sample ? { samplePayload: sample } : {}),
          };
        }
      }
    } catch (err) {
      state = { ...base, error: errorMessage(err) };
    }
    return state;
  }
}

function panelStrings(): Record<string, string> {
  return {
    refresh: vscode.l10n.t('Refresh'),
    logs: vscode.l10n.t('Follow Logs'),
    docs: vscode.l10n.t('Open API Docs'),
    state: vscode.l10n.t('State'),
    available: vscode.l10n.t('Available'),
    progressing: vscode.l10n.t('Rolling out'),
    failing: vscode.l10n.t('Failing'),
    stopped: vscode.l10n.t('Scaled to zero'),
    ready: vscode.l10n.t('Ready'),
    image: vscode.l10n.t('Image'),
    model: vscode.l10n.t('Model version'),
    pods: vscode.l10n.t('Pods'),
    restarts: vscode.l10n.t('Restarts'),
    revisions: vscode.l10n.t('Revisions'),
    revision: vscode.l10n.t('Revision'),
    commit: vscode.l10n.t('Git commit'),
    created: vscode.l10n.t('Created'),
    serving: vscode.l10n.t('serving'),
    rollback: vscode.l10n.t('Roll Back'),
    endpoint: vscode.l10n.t('Endpoint'),
    noEndpoint: vscode.l10n.t('No port-forward is open to it.'),
    forward: vscode.l10n.t('Start Port-Forward'),
    path: vscode.l10n.t('Path'),
    body: vscode.l10n.t('JSON body (empty: GET)'),
    send: vscode.l10n.t('Send'),
    status: vscode.l10n.t('Status'),
    latency: vscode.l10n.t('Latency'),
    response: vscode.l10n.t('Response'),
    timeline: vscode.l10n.t('Serving history'),
    what: vscode.l10n.t('Served'),
    from: vscode.l10n.t('From'),
    to: vscode.l10n.t('Until'),
    now: vscode.l10n.t('now'),
    registered: vscode.l10n.t('Registered model'),
  };
}
