import * as vscode from 'vscode';
import { registerDeployCommands } from '../../deploy/commands';
import type { DockerService } from '../../docker/service';
import type { ModelApiIndex } from '../../scaffold/index';
import type { CommandRegistry } from '../../vscode/commands';
import type { ComponentLogger } from '../../vscode/logger';
import type { RegistryCredentials } from '../credentials';
import { DeploymentPanel } from '../panel';
import type { KubeService } from '../service';
import { registerContextCommands } from './context';
import { registerCredentialCommands } from './credentials';
import { registerForwardCommands } from './forwards';
import type { KubeCommandContext } from './shared';
import { registerWorkloadCommands } from './workloads';

/** The Kubernetes and deploy commands, one file per area, over the Kubernetes and Docker services. */
export function registerKubernetesCommands(
  registry: CommandRegistry,
  service: KubeService,
  docker: DockerService,
  modelApis: ModelApiIndex,
  context: vscode.ExtensionContext,
  credentials: RegistryCredentials,
  log: ComponentLogger,
): vscode.Disposable {
  const changed = (): void => {
    service.fireChanged();
    DeploymentPanel.refreshAll();
  };
  const ctx: KubeCommandContext = { registry, service, docker, modelApis, context, credentials, log, changed };
  // The commands themselves are disposed by the registry; these own a channel, terminals, a panel serializer.
  registerContextCommands(ctx);
  registerForwardCommands(ctx);
  registerCredentialCommands(ctx);
  return vscode.Disposable.from(DeploymentPanel.serializer(context.extensionUri, service, log), registerDeployCommands(ctx), registerWorkloadCommands(ctx));
}
