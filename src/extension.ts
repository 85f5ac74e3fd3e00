import * as vscode from 'vscode';
import { loadBundle } from './common/l10n';
import { CommandRegistry } from './vscode/commands';
import { Commands } from './vscode/ids';
import { Disposable } from './vscode/lifecycle';
import { Logger } from './vscode/logger';
import { registerDockerCommands } from './docker/commands';
import { registerExperimentsCommands } from './experiments/commands';
import { ExperimentSources } from './experiments/service';
import { ExperimentsTree } from './experiments/tree';
import { DockerService } from './docker/service';
import { DockerTree } from './docker/tree';
import { registerKubernetesCommands } from './kube/commands/index';
import { RegistryCredentials } from './kube/credentials';
import { KubeService } from './kube/service';
import { KubernetesTree } from './kube/tree';
import { registerRegistryCommands } from './registry/commands';
import { registerRegistryDeploy } from './registry/deploy';
import { RegistryService } from './registry/service';
import { ModelsTree } from './registry/tree';
import { registerScaffoldCommands } from './scaffold/commands';
import { ModelApiIndex } from './scaffold/index';
import { ModelApisTree } from './scaffold/tree';
import { ScaffoldWizard } from './scaffold/wizard';
import { registerSyllabusCommands } from './syllabus/commands';
import { SyllabusOverview } from './syllabus/panel';
import { SyllabusService } from './syllabus/service';
import { SyllabusTree } from './syllabus/tree';

declare global {
  // Set by the bundle's first and last statements (scripts/build.mjs): how long evaluating our code took.
  var __mlopsLoadStart: number | undefined;
  var __mlopsLoadEnd: number | undefined;
}

/** Owns every service of the extension; built once by activate(), disposed with the extension. */
export class Extension extends Disposable {
  readonly logger: Logger;
  readonly commands: CommandRegistry;
  readonly syllabus: SyllabusService;
  readonly modelApis: ModelApiIndex;
  readonly docker: DockerService;
  readonly kube: KubeService;
  readonly registryCredentials: RegistryCredentials;
  readonly experiments: ExperimentSources;
  readonly experimentsTree: ExperimentsTree;
  readonly registry: RegistryService;
  readonly modelsTree: ModelsTree;

  constructor(context: vscode.ExtensionContext) {
    super();
    this.logger = this.register(new Logger());
    this.commands = this.register(new CommandRegistry(this.logger));
    this.commands.register(Commands.showLog, () => this.logger.show());

    const syllabus = (this.syllabus = this.register(new SyllabusService(context, this.logger.for('syllabus'))));
    this.register(new SyllabusTree(syllabus, this.commands));
    const overview = this.register(new SyllabusOverview(context.extensionUri, syllabus, this.commands, this.logger.for('syllabus')));
    registerSyllabusCommands(this.commands, syllabus, overview, context.extensionUri);

    const modelApis = (this.modelApis = this.register(new ModelApiIndex(this.logger.for('model-apis'))));
    this.register(new ModelApisTree(modelApis));
    const wizard = this.register(new ScaffoldWizard(context.extensionUri, modelApis, this.logger.for('scaffold')));
    registerScaffoldCommands(this.commands, context.extensionUri, modelApis, wizard, this.logger.for('scaffold'));

    const docker = (this.docker = this.register(new DockerService(context.globalState, this.logger.for('docker'))));
    this.register(new DockerTree(docker));
    this.register(registerDockerCommands(this.commands, docker, modelApis, context.extensionUri, this.logger.for('docker')));

    const kube = (this.kube = this.register(new KubeService(this.logger.for('kubernetes'))));
    this.register(new KubernetesTree(kube, this.logger.for('kubernetes')));
    this.registryCredentials = new RegistryCredentials(context.secrets);
    this.register(registerKubernetesCommands(this.commands, kube, docker, modelApis, context, this.registryCredentials, this.logger.for('deploy')));

    const experiments = (this.experiments = this.register(new ExperimentSources(context.secrets, context.globalStorageUri, this.logger.for('experiments'))));
    const experimentsTree = (this.experimentsTree = this.register(new ExperimentsTree(experiments, this.logger.for('experiments'))));
    this.register(registerExperimentsCommands(this.commands, experiments, experimentsTree, context, wizard, this.logger.for('experiments')));

    const registry = (this.registry = this.register(new RegistryService(experiments, this.logger.for('registry'))));
    this.modelsTree = this.register(new ModelsTree(registry, this.logger.for('registry')));
    const registryDeploy = registerRegistryDeploy(this.commands, registry, modelApis, kube, this.logger.for('registry'));
    registerRegistryCommands(this.commands, registry, this.modelsTree, wizard, registryDeploy, this.logger.for('registry'));
  }
}

export function activate(context: vscode.ExtensionContext): Extension {
  const activateStart = performance.now();
  // Editor-free modules translate from the same bundle as the editor glue.
  // (No bundle for English: the source text is the English.)
  const bundle: unknown = vscode.l10n.bundle;
  if (bundle !== null && typeof bundle === 'object') loadBundle({ contents: bundle as Record<string, string> });
  const extension = new Extension(context);
  context.subscriptions.push(extension);
  const activateMs = performance.now() - activateStart;
  const loadMs = (globalThis.__mlopsLoadEnd ?? 0) - (globalThis.__mlopsLoadStart ?? 0);
  // bench/activation.ts reads this line from the log file.
  extension.logger
    .for('activation')
    .info(`activated in ${(loadMs + activateMs).toFixed(2)} ms (code loading ${loadMs.toFixed(2)} ms, activate() ${activateMs.toFixed(2)} ms)`);
  return extension;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
