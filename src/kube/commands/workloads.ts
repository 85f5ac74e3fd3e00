// Acting on a deployed workload: its panel, logs, smoke test, scale, restart, rollback, delete.
import * as vscode from 'vscode';
import { LogTerminals } from '../../vscode/logTerminal';
import { CancelledError } from '../../common/cancellation';
import { UserFacingError, errorMessage } from '../../common/errors';
import { samplePayloadFrom } from '../../scaffold/payload';
import { Commands } from '../../vscode/ids';
import { insideWorkspace } from '../../vscode/workspacePaths';
import type { KubeObject } from '../../deploy/core/manifests';
import { ANNOTATIONS, MANAGED_BY, FIELD_MANAGER, deleteCandidates } from '../../deploy/core/manifests';
import { summarizePod } from '../core/model';
import { servedText } from '../../registry/core/model';
import { DeploymentPanel } from '../panel';
import type { KubeNode } from '../tree';
import type { KubeCommandContext } from './shared';
import { watchRollout, workloadFor } from './shared';

export function registerWorkloadCommands(ctx: KubeCommandContext): vscode.Disposable {
  const { registry, service, context, log, changed } = ctx;
  const disposables: vscode.Disposable[] = [];
  const logTerminals = new LogTerminals();
  disposables.push(logTerminals);
  registry.register(Commands.kubernetesOpenDeployment, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    DeploymentPanel.show(context.extensionUri, service, { context: client.context, namespace: w.namespace, name: w.name }, log);
  });
  registry.register(Commands.kubernetesFollowLogs, async (node?: KubeNode) => {
    const client = await service.client();
    let namespace: string;
    let pod: string;
    if (node?.kind === 'pod') {
      namespace = node.workload.namespace;
      pod = node.pod.name;
    } else {
      const w = await workloadFor(node, client, service);
      namespace = w.namespace;
      const dep = await client.deployment(w.namespace, w.name);
      const pods = dep ? (await client.pods(w.namespace, dep)).map(summarizePod) : [];
      if (pods.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no pods.', w.name));
      const ready = pods.filter((p) => p.ready);
      if (pods.length === 1 || ready.length === 1) pod = (ready[0] ?? pods[0]!).name;
      else {
        const pick = await vscode.window.showQuickPick(pods.map((p) => ({ label: p.name, description: p.status, pod: p.name })), { title: vscode.l10n.t('Logs of which pod?') });
        if (!pick) return;
        pod = pick.pod;
      }
    }
    const key = `${client.context}/${namespace}/${pod}`;
    logTerminals.show(key, vscode.l10n.t('Logs: {0}', pod), (write) => client.followLogs(namespace, pod, write));
  });
  registry.register(Commands.kubernetesSmokeTest, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const project = insideWorkspace(w.project);
    const payload = await samplePayloadFrom(project ? [project] : []);
    const { smokeTest } = await import('../../scaffold/core/smoke');
    const { readinessPathOf } = await import('../../deploy/core/probe');
    // Ready as the Deployment's own probe says: a plain app may serve no /ready.
    const dep = await client.deployment(w.namespace, w.name);
    const probePath = dep ? readinessPathOf(dep) : '/ready';
    const readyPath = typeof probePath === 'string' ? probePath : null;
    const forward = await service.forwardTo(w.namespace, w.name);
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Smoke test of {0}', w.name), cancellable: true }, (_p, token) => smokeTest(forward.url, payload, { token, readyTimeoutMs: 30_000, readyPath }));
      void vscode.window.showInformationMessage(vscode.l10n.t('Smoke test passed: /predict {0} in {1} ms at {2}.', r.status, r.predictMs, forward.url));
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      throw new UserFacingError(vscode.l10n.t('Smoke test of {0} failed: {1}', w.name, errorMessage(err)));
    }
  });
  registry.register(Commands.kubernetesScale, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const dep = await client.deployment(w.namespace, w.name);
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Scale {0}', w.name),
      prompt: vscode.l10n.t('Number of replicas (0 stops it and keeps it deployed)'),
      value: String(dep?.spec?.replicas ?? 1),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) <= 100 ? undefined : vscode.l10n.t('A whole number from 0 to 100')),
    });
    if (text === undefined) return;
    await client.scale(w.namespace, w.name, Number(text));
    changed();
  });
  registry.register(Commands.kubernetesRestart, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    await client.restart(w.namespace, w.name);
    await watchRollout(client, service, w, vscode.l10n.t('Restarting {0}', w.name));
    changed();
  });
  registry.register(Commands.kubernetesRollback, async (node?: KubeNode, revision?: number) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const history = await client.history(w.namespace, w.name);
    let target = typeof revision === 'number' ? revision : undefined;
    if (target === undefined) {
      const older = history.filter((r) => !r.current);
      if (older.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no earlier revision to roll back to.', w.name));
      const pick = await vscode.window.showQuickPick(
        older.map((r) => ({
          label: vscode.l10n.t('Revision {0}', r.revision),
          description: r.served ? vscode.l10n.t('serving {0}', servedText(r.served)) : r.modelVersion ? vscode.l10n.t('model {0}', r.modelVersion) : '',
          detail: [r.image, r.gitCommit ? vscode.l10n.t('commit {0}', r.gitCommit.slice(0, 12)) : '', r.created?.toLocaleString() ?? ''].filter(Boolean).join(' · '),
          revision: r.revision,
        })),
        // The serving text is what a person looks for ("v7", "@champion"): searched too.
        { title: vscode.l10n.t('Roll {0} back to which revision?', w.name), matchOnDescription: true, matchOnDetail: true },
      );
      if (!pick) return;
      target = pick.revision;
    }
    const chosen = history.find((r) => r.revision === target);
    await client.rollback(w.namespace, w.name, target);
    // The revision that serves now (a rollback gives the old ReplicaSet a new number).
    const revisionNow = await watchRollout(client, service, w, vscode.l10n.t('Rolling {0} back to revision {1}', w.name, target));
    await client
      .recordServed(w.namespace, w.name, { at: new Date().toISOString(), revision: revisionNow, ...(chosen?.image ? { image: chosen.image } : {}), ...(chosen?.modelVersion ? { modelVersion: chosen.modelVersion } : {}), ...(chosen?.served ? { served: chosen.served } : {}) })
      .catch((err: unknown) => log.warn(`served history of ${w.name} not recorded: ${String(err)}`));
    changed();
    const what = chosen?.served ? ` (${vscode.l10n.t('serving {0}', servedText(chosen.served))})` : chosen?.modelVersion ? ` (${vscode.l10n.t('model {0}', chosen.modelVersion)})` : '';
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} serves revision {1} again{2}.', w.name, target, what));
    // The registry's alias may still point at the version rolled away from: offered to follow.
    if (chosen?.served?.alias) void vscode.commands.executeCommand(Commands.registryOfferAliasBack, chosen.served);
  });
  registry.register(Commands.kubernetesDelete, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    // What the deploy applied with it (its Service and autoscaler may have other names), as the Deployment records it.
    const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: w.name, namespace: w.namespace } };
    const recorded = (await client.read(deployment).catch(() => undefined))?.metadata.annotations?.[ANNOTATIONS.objects];
    const candidates: KubeObject[] = [deployment, ...deleteCandidates(w.name, w.namespace, recorded)];
    // Only what the extension made: a Service someone else made under the same name stays.
    const ours = (await Promise.all(candidates.map(async (o) => ((await client.read(o).catch(() => undefined))?.metadata.labels?.[MANAGED_BY] === FIELD_MANAGER ? o : undefined)))).filter((o): o is KubeObject => !!o);
    if (ours.length === 0) return;
    const del = vscode.l10n.t('Delete');
    const ok = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete {0} from {1}/{2}?', w.name, client.context, w.namespace),
      { modal: true, detail: vscode.l10n.t('Removes {0}. Its images stay on the engine; deploying again recreates it.', ours.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')) },
      del,
    );
    if (ok !== del) return;
    await service.forwards.stopOwned(client.context, w.namespace, w.name);
    await client.deleteObjects(ours);
    changed();
  });

  return vscode.Disposable.from(...disposables);
}
