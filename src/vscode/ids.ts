// Every identifier the extension shares with package.json, declared once.
// test/unit/manifest.test.ts checks these against the manifest both ways.

export const EXTENSION_ID = 'mlops-workbench.mlops-workbench';

export const Commands = {
  showLog: 'mlops.showLog',
  syllabusChoose: 'mlops.syllabus.choose',
  syllabusResetProgress: 'mlops.syllabus.resetProgress',
  syllabusOpenOverview: 'mlops.syllabus.openOverview',
  syllabusRefresh: 'mlops.syllabus.refresh',
  syllabusShowProblems: 'mlops.syllabus.showProblems',
  scaffoldModelApi: 'mlops.scaffold.modelApi',
  scaffoldModelApiSteps: 'mlops.scaffold.modelApiSteps',
  modelApisRefresh: 'mlops.modelApis.refresh',
  modelApisOpen: 'mlops.modelApis.open',
  modelApisRunTests: 'mlops.modelApis.runTests',
  dockerBuild: 'mlops.docker.build',
  dockerRun: 'mlops.docker.run',
  dockerRunWithOptions: 'mlops.docker.runWithOptions',
  dockerStop: 'mlops.docker.stop',
  dockerStart: 'mlops.docker.start',
  dockerRemoveContainer: 'mlops.docker.removeContainer',
  dockerRemoveImage: 'mlops.docker.removeImage',
  dockerLogs: 'mlops.docker.logs',
  dockerInspect: 'mlops.docker.inspect',
  dockerSmokeTest: 'mlops.docker.smokeTest',
  dockerOpenInBrowser: 'mlops.docker.openInBrowser',
  dockerRefresh: 'mlops.docker.refresh',
  dockerShowAllImages: 'mlops.docker.showAllImages',
  dockerShowOwnImages: 'mlops.docker.showOwnImages',
  dockerShowBuildOutput: 'mlops.docker.showBuildOutput',
  experimentsRefresh: 'mlops.experiments.refresh',
  experimentsOpenTable: 'mlops.experiments.openTable',
  experimentsCompare: 'mlops.experiments.compare',
  experimentsRunDetails: 'mlops.experiments.runDetails',
  experimentsCopyRunId: 'mlops.experiments.copyRunId',
  experimentsScaffoldFromRun: 'mlops.experiments.scaffoldFromRun',
  experimentsGitDiff: 'mlops.experiments.gitDiff',
  experimentsGitCheckout: 'mlops.experiments.gitCheckout',
  experimentsDvcRun: 'mlops.experiments.dvcRun',
  experimentsDvcApply: 'mlops.experiments.dvcApply',
  experimentsDvcBranch: 'mlops.experiments.dvcBranch',
  experimentsSetTrackingUri: 'mlops.experiments.setTrackingUri',
  experimentsSignIn: 'mlops.experiments.signIn',
  experimentsSignOut: 'mlops.experiments.signOut',
  experimentsStartServer: 'mlops.experiments.startServer',
  experimentsStopServer: 'mlops.experiments.stopServer',
  registryShow: 'mlops.registry.show',
  registryRefresh: 'mlops.registry.refresh',
  registryFilter: 'mlops.registry.filter',
  registryClearFilter: 'mlops.registry.clearFilter',
  registryRegisterRunModel: 'mlops.registry.registerRunModel',
  registrySetAlias: 'mlops.registry.setAlias',
  registryRemoveAlias: 'mlops.registry.removeAlias',
  registrySetTag: 'mlops.registry.setTag',
  registryRemoveTag: 'mlops.registry.removeTag',
  registryEditDescription: 'mlops.registry.editDescription',
  registryTransitionStage: 'mlops.registry.transitionStage',
  registryDeleteVersion: 'mlops.registry.deleteVersion',
  registryDeleteModel: 'mlops.registry.deleteModel',
  registryOpenRun: 'mlops.registry.openRun',
  registryCompareVersions: 'mlops.registry.compareVersions',
  registryCopyUri: 'mlops.registry.copyUri',
  registryScaffoldFromVersion: 'mlops.registry.scaffoldFromVersion',
  registryDeployVersion: 'mlops.registry.deployVersion',
  registryOfferAliasBack: 'mlops.registry.offerAliasBack',
  deployContainerizeAndDeploy: 'mlops.deploy.containerizeAndDeploy',
  deployShowOutput: 'mlops.deploy.showOutput',
  kubernetesRefresh: 'mlops.kubernetes.refresh',
  kubernetesSwitchContext: 'mlops.kubernetes.switchContext',
  kubernetesSwitchNamespace: 'mlops.kubernetes.switchNamespace',
  kubernetesOpenDeployment: 'mlops.kubernetes.openDeployment',
  kubernetesFollowLogs: 'mlops.kubernetes.followLogs',
  kubernetesPortForward: 'mlops.kubernetes.portForward',
  kubernetesStopPortForward: 'mlops.kubernetes.stopPortForward',
  kubernetesOpenEndpoint: 'mlops.kubernetes.openEndpoint',
  kubernetesOpenDocs: 'mlops.kubernetes.openDocs',
  kubernetesSmokeTest: 'mlops.kubernetes.smokeTest',
  kubernetesScale: 'mlops.kubernetes.scale',
  kubernetesRestart: 'mlops.kubernetes.restart',
  kubernetesRollback: 'mlops.kubernetes.rollback',
  kubernetesDelete: 'mlops.kubernetes.delete',
  kubernetesSetRegistryCredentials: 'mlops.kubernetes.setRegistryCredentials',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/**
 * Commands that run the workspace's code or change its files (a build runs the Dockerfile,
 * tests and DVC stages run Python, a local MLflow server opens the workspace's database):
 * in a workspace the user has not trusted they are disabled (package.json `enablement`) and
 * refused with a way to trust it. Reading (trees, tables, charts, the syllabus) works there.
 */
export const TRUSTED_ONLY: ReadonlySet<CommandId> = new Set<CommandId>([
  Commands.modelApisRunTests,
  Commands.dockerBuild,
  Commands.dockerRun,
  Commands.dockerRunWithOptions,
  Commands.deployContainerizeAndDeploy,
  Commands.registryDeployVersion,
  Commands.experimentsDvcRun,
  Commands.experimentsDvcApply,
  Commands.experimentsDvcBranch,
  Commands.experimentsGitCheckout,
  Commands.experimentsStartServer,
]);

export const ViewContainers = { mlops: 'mlops' } as const;

export const Views = {
  syllabus: 'mlops.views.syllabus',
  modelApis: 'mlops.views.modelApis',
  docker: 'mlops.views.docker',
  experiments: 'mlops.views.experiments',
  kubernetes: 'mlops.views.kubernetes',
  models: 'mlops.views.models',
} as const;
export type ViewId = (typeof Views)[keyof typeof Views];

export const WebviewPanels = {
  syllabusOverview: 'mlops.syllabus.overview',
  scaffoldWizard: 'mlops.scaffold.wizard',
  runsTable: 'mlops.experiments.runs',
  compare: 'mlops.experiments.compare',
  runDetails: 'mlops.experiments.runDetails',
  deployment: 'mlops.kubernetes.deployment',
} as const;

export const Settings = {
  syllabusPath: 'mlops.syllabus.path',
  pythonPath: 'mlops.python.path',
  dockerHost: 'mlops.docker.host',
  dockerBaseImage: 'mlops.docker.baseImage',
  mlflowTrackingUri: 'mlops.mlflow.trackingUri',
  experimentsKeyMetric: 'mlops.experiments.keyMetric',
  kubernetesNamespace: 'mlops.kubernetes.namespace',
  kubernetesImageDelivery: 'mlops.kubernetes.imageDelivery',
  kubernetesRegistry: 'mlops.kubernetes.registry',
  kubernetesContainerdAddress: 'mlops.kubernetes.containerdAddress',
  kubernetesRolloutTimeoutSeconds: 'mlops.kubernetes.rolloutTimeoutSeconds',
} as const;

export const ContextKeys = {
  syllabusHasProblems: 'mlops:syllabusHasProblems',
  dockerShowAll: 'mlops:dockerShowAll',
  experimentsEmpty: 'mlops:experimentsEmpty',
  /** The Models view is filtered (its Clear Filter button shows). */
  registryFiltered: 'mlops:registryFiltered',
  /** The folders of the workspace's Model APIs (the Explorer offers Containerize and Deploy on them). */
  modelApiFolders: 'mlops:modelApiFolders',
} as const;

export const StorageKeys = {
  /** globalState: id of the selected built-in syllabus. */
  selectedSyllabus: 'mlops.syllabus.selected',
  /** globalState (built-in syllabi) or workspaceState (a user's file): `<prefix><syllabus key>` → progress. */
  progressPrefix: 'mlops.syllabus.progress:',
  /** globalState: the Images tree shows every tagged image, not only the extension's. */
  dockerShowAll: 'mlops.docker.showAll',
} as const;
