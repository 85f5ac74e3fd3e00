import * as vscode from 'vscode';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { UserFacingError } from '../common/errors';
import { portInUse } from '../common/net';
import type { CommandRegistry } from '../vscode/commands';
import { Commands } from '../vscode/ids';
import type { ComponentLogger } from '../vscode/logger';
import { createProject, required } from './create';
import { featuresFromCsv, withInspected } from './core/inspect';
import type { ModelInfo } from './core/inspect';
import type { Feature, Framework, ModelSource, ScaffoldOptions } from './core/model';
import { DEFAULT_PORT, PINNED_VERSIONS, PYTHON_VERSIONS, SAMPLE_FEATURES, parseFeatureList, validateFeatures, validateModelSource, validatePort, validateProjectName } from './core/model';
import type { ModelApiProject } from './core/projects';
import type { ModelApiIndex } from './index';
import type { ScaffoldWizard } from './wizard';
import { SEARCH_EXCLUDE, findModelFiles, folderHasFiles, formatOfFile, inspectModelFile, projectParentFor, pythonPath } from './workspace';


export function registerScaffoldCommands(registry: CommandRegistry, extensionUri: vscode.Uri, modelApis: ModelApiIndex, wizard: ScaffoldWizard, log: ComponentLogger): void {
  // The form, and the same questions one at a time for the keyboard.
  registry.register(Commands.scaffoldModelApi, (arg?: unknown) => wizard.show(arg instanceof vscode.Uri ? arg : undefined));
  registry.register(Commands.scaffoldModelApiSteps, (arg?: unknown) => newModelApi(extensionUri, modelApis, log, arg instanceof vscode.Uri ? arg : undefined));
  registry.register(Commands.modelApisRefresh, () => modelApis.refresh());
  registry.register(Commands.modelApisOpen, async (p?: ModelApiProject) => {
    const project = p ?? (await pickProject(modelApis));
    for (const f of ['app/main.py', 'main.py', 'app.py', 'README.md', 'Dockerfile']) {
      const uri = vscode.Uri.file(path.join(project.dir, f));
      try {
        await vscode.workspace.fs.stat(uri);
        await vscode.window.showTextDocument(uri, { preview: true });
        return;
      } catch {
        // try the next
      }
    }
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(project.dir));
  });
  registry.register(Commands.modelApisRunTests, async (p?: ModelApiProject) => {
    const project = p ?? (await pickProject(modelApis));
    const terminal = vscode.window.createTerminal({ name: vscode.l10n.t('Tests: {0}', project.name), cwd: project.dir });
    terminal.show();
    terminal.sendText(`${quoteShell(await pythonPath(vscode.Uri.file(project.dir), 'pytest'))} -m pytest`);
  });
}

function quoteShell(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function pickProject(modelApis: ModelApiIndex): Promise<ModelApiProject> {
  const projects = await modelApis.list();
  if (projects.length === 0) throw new UserFacingError(vscode.l10n.t('There is no model API in this workspace yet: run "MLOps: New Model API…" first.'));
  const pick = await vscode.window.showQuickPick(
    projects.map((p) => ({ label: p.name, description: vscode.workspace.asRelativePath(p.dir), project: p })),
    { title: vscode.l10n.t('Choose a Model API') },
  );
  return required(pick).project;
}

async function newModelApi(extensionUri: vscode.Uri, modelApis: ModelApiIndex, log: ComponentLogger, uri: vscode.Uri | undefined): Promise<void> {
  const steps = 6;
  const title = (n: number, what: string): string => vscode.l10n.t('New Model API ({0}/{1}): {2}', n, steps, what);
  let isFile = false;
  if (uri) isFile = ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;

  // 1. Framework
  const fw = required(
    await vscode.window.showQuickPick(
      [
        { label: 'FastAPI', description: vscode.l10n.t('async, OpenAPI docs built in'), value: 'fastapi' as Framework },
        { label: 'Flask', description: vscode.l10n.t('WSGI, served by gunicorn workers'), value: 'flask' as Framework },
      ],
      { title: title(1, vscode.l10n.t('framework')), ignoreFocusOut: true },
    ),
  ).value;

  // 2. Model source
  let source: ModelSource;
  if (uri && isFile) {
    source = await fileSource(uri.fsPath);
  } else {
    const kind = required(
      await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Sample model'), description: vscode.l10n.t('an iris classifier trained by the generated train.py'), value: 'sample' as const },
          { label: vscode.l10n.t('Model file from the workspace…'), description: '.joblib, .pkl, .onnx, XGBoost, LightGBM', value: 'file' as const },
          { label: vscode.l10n.t('MLflow model…'), description: 'runs:/…, models:/…', value: 'mlflow' as const },
        ],
        { title: title(2, vscode.l10n.t('model')), ignoreFocusOut: true },
      ),
    ).value;
    if (kind === 'sample') source = { kind: 'sample' };
    else if (kind === 'file') {
      const files = await findModelFiles();
      if (files.length === 0) {
        throw new UserFacingError(vscode.l10n.t('No model file was found in the workspace (.joblib or .pkl from joblib.dump, .onnx, or an XGBoost or LightGBM save_model file). Save your model, or choose the sample model.'));
      }
      const pick = required(await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: title(2, vscode.l10n.t('model file')), ignoreFocusOut: true }));
      source = await fileSource(pick.uri.fsPath);
    } else {
      const modelUri = required(
        await vscode.window.showInputBox({
          title: title(2, vscode.l10n.t('MLflow model URI')),
          placeHolder: vscode.l10n.t('runs:/<run id>/model  ·  models:/<name>/<version>  ·  models:/<name>@<alias>'),
          ignoreFocusOut: true,
          validateInput: (v) => validateModelSource({ kind: 'mlflow', uri: v.trim() })[0]?.message,
        }),
      );
      source = { kind: 'mlflow', uri: modelUri.trim() };
    }
  }
  const sourceProblem = validateModelSource(source)[0];
  if (sourceProblem) throw new UserFacingError(sourceProblem.message);

  // 3. Input schema
  let inspected: ModelInfo | undefined;
  const features = await chooseFeatures(source, title(3, vscode.l10n.t('input features')), log, (info) => (inspected = info));
  if (source.kind === 'file' && inspected) source = withInspected(source, inspected);

  // 4. Where, and the name
  const parent = uri ? projectParentFor(uri, isFile) : await chooseParentFolder(title(4, vscode.l10n.t('folder')));
  const suggested = source.kind === 'file' ? `${path.basename(source.path).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'model'}-api` : source.kind === 'sample' ? 'iris-api' : 'model-api';
  const projectName = required(
    await vscode.window.showInputBox({
      title: title(4, vscode.l10n.t('project name')),
      value: suggested,
      prompt: vscode.l10n.t('Used as the folder, the Python package, the Docker image and the Kubernetes name. The project goes into {0}.', parent),
      ignoreFocusOut: true,
      validateInput: async (v) => {
        const problems = validateProjectName(v);
        if (problems.length > 0) return problems.map((p) => p.message).join(' ');
        if (await folderHasFiles(path.join(parent, v))) {
          return { message: vscode.l10n.t('The folder {0} is not empty: you will be asked before any file in it is replaced.', v), severity: vscode.InputBoxValidationSeverity.Warning };
        }
        return undefined;
      },
    }),
  );

  // 5. Port
  const portText = required(
    await vscode.window.showInputBox({
      title: title(5, vscode.l10n.t('port')),
      value: String(DEFAULT_PORT),
      ignoreFocusOut: true,
      validateInput: async (v) => {
        const problem = validatePort(Number(v))[0];
        if (problem) return problem.message;
        if (await portInUse(Number(v))) return { message: vscode.l10n.t('Port {0} is in use on this machine now; the API will still listen on it in its container.', v), severity: vscode.InputBoxValidationSeverity.Warning };
        return undefined;
      },
    }),
  );

  // 6. Python version
  const pythonVersion = required(
    await vscode.window.showQuickPick(
      // The recommended version comes first, so Enter takes it.
      PYTHON_VERSIONS.map((v, i) => ({ label: v, description: i === 0 ? vscode.l10n.t('recommended') : undefined })),
      { title: title(6, vscode.l10n.t('Python version of the image')), ignoreFocusOut: true },
    ),
  ).label;

  const options: ScaffoldOptions = { framework: fw, projectName, modelSource: source, features, port: Number(portText), pythonVersion };
  await createProject(extensionUri, modelApis, log, path.join(parent, projectName), options);
}

/** A model file as a source: its format told by its content when its name does not. */
async function fileSource(file: string): Promise<ModelSource> {
  const format = await formatOfFile(file);
  return { kind: 'file', path: file, ...(format ? { format } : {}) };
}

async function chooseFeatures(source: ModelSource, stepTitle: string, log: ComponentLogger, onInspected: (info: ModelInfo) => void): Promise<Feature[]> {
  if (source.kind === 'sample') return [...SAMPLE_FEATURES];
  let expected: number | undefined;
  let proposed: Feature[] | undefined;
  if (source.kind === 'file') {
    try {
      const info = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the model’s inputs…'), cancellable: true },
        async (_, token) => inspectModelFile(source.path, source.format ?? 'sklearn', token),
      );
      expected = info.featureCount;
      onInspected(info);
      if (info.savedWith && info.savedWith !== PINNED_VERSIONS.scikitLearn) void vscode.window.showInformationMessage(vscode.l10n.t('Saved with scikit-learn {0}: the project pins that release.', info.savedWith));
      if (info.featureNames) return info.featureNames.map((name) => ({ name, type: 'float' as const }));
      if (expected) proposed = Array.from({ length: expected }, (_, i) => ({ name: `x${i}`, type: 'float' as const }));
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      log.warn(`could not inspect ${source.path}: ${(err as Error).message}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('The model’s inputs could not be read ({0}); type them in.', (err as Error).message));
    }
  }
  const how = required(
    await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Type them in'), value: 'type' as const },
        { label: vscode.l10n.t('From a CSV file’s header…'), value: 'csv' as const },
      ],
      { title: stepTitle, ignoreFocusOut: true },
    ),
  ).value;
  if (how === 'csv') {
    const csvs = await vscode.workspace.findFiles('**/*.csv', SEARCH_EXCLUDE, 200);
    const pick = required(await vscode.window.showQuickPick(csvs.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: stepTitle, ignoreFocusOut: true }));
    const fromCsv = await featuresFromCsv(pick.uri.fsPath);
    const problem = validateFeatures(fromCsv, expected)[0];
    if (!problem) return fromCsv;
    void vscode.window.showWarningMessage(problem.message);
    proposed = fromCsv;
  }
  const text = required(
    await vscode.window.showInputBox({
      title: stepTitle,
      prompt: vscode.l10n.t('Feature names and types, in the order the model expects: name:float, name:int, name:str or name:bool'),
      value: (proposed ?? [{ name: 'feature_1', type: 'float' }, { name: 'feature_2', type: 'float' }]).map((f) => `${f.name}:${f.type}`).join(', '),
      ignoreFocusOut: true,
      validateInput: (v) => validateFeatures(parseFeatureList(v), expected).map((p) => p.message).join(' ') || undefined,
    }),
  );
  return parseFeatureList(text);
}

async function chooseParentFolder(stepTitle: string): Promise<string> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0].uri.fsPath;
  if (folders.length > 1) {
    const pick = required(await vscode.window.showQuickPick(folders.map((f) => ({ label: f.name, description: f.uri.fsPath, f })), { title: stepTitle }));
    return pick.f.uri.fsPath;
  }
  const picked = required(await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: stepTitle }));
  return required(picked[0]).fsPath;
}

