import * as vscode from 'vscode';
import path from 'node:path';
import { isCancellation } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import { portInUse } from '../common/net';
import type { FromWizard, ToWizard, WizardDraft, WizardInit } from '../webview/contract/scaffold';
import { isFromWizard } from '../webview/contract/scaffold';
import type { Numbered } from '../webview/contract/host';
import { WebviewPanels } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import { WebviewHost, openPanel } from '../vscode/webviewHost';
import { createProject } from './create';
import type { ModelFormat } from './core/formats';
import { MODEL_FORMATS } from './core/formats';
import type { ModelInfo } from './core/inspect';
import { featuresFromCsv, withInspected } from './core/inspect';
import type { Feature, Problem } from './core/model';
import { DEFAULT_PORT, PINNED_VERSIONS, PYTHON_VERSIONS, SAMPLE_FEATURES, optionsFromDraft, parseFeatureList, validateModelSource, validateOptions } from './core/model';
import type { ModelApiIndex } from './index';
import { SEARCH_EXCLUDE, findModelFiles, folderHasFiles, formatOfFile, inspectModelFile, projectParentFor } from './workspace';

export type WizardPreset = vscode.Uri | { readonly mlflowUri: string; readonly projectName?: string; readonly features?: readonly Feature[]; /** Called with the project folder once it is written (Deploy This Version… goes on from there). */ readonly afterCreate?: (dir: string) => unknown };

/** The New Model API form. One at a time; it closes when the project is created. */
export class ScaffoldWizard extends Disposable {
  private host: WebviewHost<FromWizard, ToWizard> | undefined;
  private expectedFeatures: number | undefined;
  /** The model file the form last read: its format and what reading it told. */
  private inspected: { readonly path: string; readonly format: ModelFormat; readonly info: ModelInfo } | undefined;
  /** What the form offered: the only model files, CSV files and folders its messages may name. */
  private offered = { models: new Set<string>(), csvs: new Set<string>(), folders: new Set<string>() };
  /** Pickles the user agreed to load (loading one runs the code inside it), for this session. */
  private readonly trustedPickles = new Set<string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly modelApis: ModelApiIndex,
    private readonly log: ComponentLogger,
  ) {
    super();
    // After a window reload the form comes back with what was typed (the webview keeps its draft).
    this.register(vscode.window.registerWebviewPanelSerializer(WebviewPanels.scaffoldWizard, { deserializeWebviewPanel: async (panel) => this.adopt(panel, undefined) }));
  }

  /** Opens the form, pre-filled for a model file or folder, or for an MLflow model URI (from the Experiments view). */
  show(preset?: WizardPreset): void {
    this.adopt(undefined, preset);
  }

  private adopt(restored: vscode.WebviewPanel | undefined, preset: WizardPreset | undefined): void {
    if (this.host && this.host.panel !== restored) this.host.panel.dispose();
    this.expectedFeatures = undefined;
    const panel = openPanel(WebviewPanels.scaffoldWizard, this.extensionUri, { title: vscode.l10n.t('New Model API'), script: 'scaffold', styles: ['scaffold'] }, restored, { retainContextWhenHidden: true });
    const host: WebviewHost<FromWizard, ToWizard> = new WebviewHost(panel, {
      name: 'wizard',
      log: this.log,
      accepts: isFromWizard,
      onMessage: (m) => this.onMessage(host, m, preset),
      // The form shows what went wrong beside its button.
      onError: (err) => {
        this.log.error(`wizard: ${errorMessage(err)}`);
        host.post({ type: 'busy', busy: false, error: errorMessage(err) });
      },
    });
    this.host = host;
    host.onDidClose(() => {
      if (this.host === host) this.host = undefined;
    });
  }

  private async onMessage(host: WebviewHost<FromWizard, ToWizard>, m: FromWizard & Numbered, preset: WizardPreset | undefined): Promise<void> {
    switch (m.type) {
      case 'ready':
        host.post({ type: 'init', init: await this.init(preset) });
        return;
      case 'inspect': {
        if (!this.offered.models.has(m.path)) return this.refused(m.type, m.path);
        const format = await formatOfFile(m.path);
        if (!(await this.mayLoad(m.path, format))) {
          this.expectedFeatures = undefined;
          host.answer(m, { type: 'features', features: [], warning: vscode.l10n.t('{0} was not loaded; type the model’s inputs in.', path.basename(m.path)) });
          return;
        }
        try {
          if (!format) throw new UserFacingError(validateModelSource({ kind: 'file', path: m.path })[0]?.message ?? m.path);
          const info = await inspectModelFile(m.path, format);
          this.expectedFeatures = info.featureCount;
          this.inspected = { path: m.path, format, info };
          const named = info.featureNames?.map((name) => ({ name, type: 'float' as const }));
          // No names stored (trained on an array): said, and numbered, not guessed.
          const features = named ?? Array.from({ length: info.featureCount ?? 0 }, (_, i) => ({ name: `x${i}`, type: 'float' as const }));
          const notes = [
            ...(named ? [] : [info.featureCount ? vscode.l10n.t('{0} stores no feature names: its {1} inputs are named x0…x{2}; rename them to the columns it was trained on.', path.basename(m.path), info.featureCount, info.featureCount - 1) : vscode.l10n.t('{0} stores no feature names or count: type its inputs in.', path.basename(m.path))]),
            ...(info.savedWith && info.savedWith !== PINNED_VERSIONS.scikitLearn ? [vscode.l10n.t('Saved with scikit-learn {0}: the project pins that release.', info.savedWith)] : []),
            ...(info.libraries?.length ? [vscode.l10n.t('The model needs {0} too: the project installs it.', info.libraries.join(', '))] : []),
          ];
          host.answer(m, { type: 'features', features, ...(info.featureCount !== undefined ? { expected: info.featureCount } : {}), ...(notes.length ? { warning: notes.join(' ') } : {}) });
        } catch (err) {
          this.expectedFeatures = undefined;
          this.inspected = undefined;
          host.answer(m, { type: 'features', features: [], warning: vscode.l10n.t('The model’s inputs could not be read ({0}); type them in.', errorMessage(err)) });
        }
        return;
      }
      case 'csv':
        if (!this.offered.csvs.has(m.path)) return this.refused(m.type, m.path);
        host.answer(m, { type: 'features', features: await featuresFromCsv(m.path) });
        return;
      case 'check':
        if (!this.offered.folders.has(m.draft.parent)) return this.refused(m.type, m.draft.parent);
        host.answer(m, { type: 'warnings', warnings: await this.warnings(m.draft) });
        return;
      case 'create': {
        const outside = !this.offered.folders.has(m.draft.parent) ? m.draft.parent : m.draft.source === 'file' && !this.offered.models.has(m.draft.modelFile) ? m.draft.modelFile : undefined;
        if (outside !== undefined) {
          this.refused(m.type, outside);
          host.post({ type: 'busy', busy: false, error: vscode.l10n.t('Choose the folder and the model file from the form’s lists.') });
          return;
        }
        const drafted = optionsFromDraft({ ...m.draft, features: parseFeatureList(m.draft.featuresText) });
        let options = drafted;
        if (drafted.modelSource.kind === 'file') {
          // The format its content tells, and what reading the chosen model told (see withInspected).
          const read = this.inspected?.path === drafted.modelSource.path ? this.inspected : undefined;
          const format = read?.format ?? (await formatOfFile(drafted.modelSource.path));
          const source = { ...drafted.modelSource, ...(format ? { format } : {}) };
          options = { ...drafted, modelSource: read ? withInspected(source, read.info) : source };
        }
        const problems = validateOptions(options, m.draft.source === 'file' ? this.expectedFeatures : undefined);
        if (problems.length > 0) {
          host.post({ type: 'busy', busy: false, error: problems.map((p) => p.message).join(' ') });
          return;
        }
        host.post({ type: 'busy', busy: true });
        try {
          const dir = path.join(m.draft.parent, options.projectName);
          await createProject(this.extensionUri, this.modelApis, this.log, dir, options);
          host.panel.dispose();
          if (preset && !(preset instanceof vscode.Uri) && preset.afterCreate) void Promise.resolve(preset.afterCreate(dir)).catch((err: unknown) => this.log.error(`after creating ${dir}: ${errorMessage(err)}`));
        } catch (err) {
          host.post({ type: 'busy', busy: false, ...(isCancellation(err) ? {} : { error: errorMessage(err) }) });
        }
        return;
      }
    }
  }

  /** A message naming a file or folder the form did not offer: logged and ignored. */
  private refused(type: string, p: string): void {
    this.log.warn(`wizard: ignored ${type} of ${JSON.stringify(p.slice(0, 300))}, which the form did not offer`);
  }

  /**
   * Reading a model's inputs loads it in Python, and loading a pickle (joblib files are
   * pickles) runs the code inside it: asked once per file, before anything is loaded.
   */
  private async mayLoad(file: string, format: ModelFormat | undefined): Promise<boolean> {
    // In a workspace the user has not trusted, nothing of it is loaded: the inputs are typed in.
    if (!vscode.workspace.isTrusted) return false;
    if (!format || !MODEL_FORMATS[format].runsCode || this.trustedPickles.has(file)) return true;
    const load = vscode.l10n.t('Load It');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Read the inputs of {0}?', path.basename(file)),
      { modal: true, detail: vscode.l10n.t('Loading a pickle runs the code inside it, with your permissions. Load it only if you trust where it came from; otherwise type the inputs in.') },
      load,
    );
    if (choice !== load) return false;
    this.trustedPickles.add(file);
    return true;
  }

  /** What only the extension can tell: a busy port, a folder that has files. */
  private async warnings(d: WizardDraft): Promise<Problem[]> {
    const out: Problem[] = [];
    const port = Number(d.port);
    if (Number.isInteger(port) && port >= 1024 && port <= 65535 && (await portInUse(port))) {
      out.push({ field: 'port', message: vscode.l10n.t('Port {0} is in use on this machine now; the API will still listen on it in its container.', port) });
    }
    if (d.projectName && (await folderHasFiles(path.join(d.parent, d.projectName)))) {
      out.push({ field: 'projectName', message: vscode.l10n.t('The folder {0} is not empty: you will be asked before any file in it is replaced.', d.projectName) });
    }
    return out;
  }

  private async init(preset: WizardPreset | undefined): Promise<WizardInit> {
    const rel = (u: vscode.Uri): { label: string; path: string } => ({ label: vscode.workspace.asRelativePath(u), path: u.fsPath });
    const [models, csvs] = await Promise.all([findModelFiles(), vscode.workspace.findFiles('**/*.csv', SEARCH_EXCLUDE, 200)]);
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ label: f.name, path: f.uri.fsPath }));
    let parent = folders[0]?.path ?? '';
    let source: WizardDraft['source'] = 'sample';
    let modelFile = models[0]?.fsPath ?? '';
    let mlflowUri = '';
    let projectName: string | undefined;
    let features: readonly Feature[] = SAMPLE_FEATURES;
    if (preset && !(preset instanceof vscode.Uri)) {
      source = 'mlflow';
      mlflowUri = preset.mlflowUri;
      projectName = preset.projectName;
      // The logged signature's inputs, not the sample's: nothing to type again.
      if (preset.features?.length) features = preset.features;
    } else if (preset) {
      const isFile = ((await vscode.workspace.fs.stat(preset)).type & vscode.FileType.File) !== 0;
      if (isFile) {
        source = 'file';
        modelFile = preset.fsPath;
      }
      parent = projectParentFor(preset, isFile);
      if (!folders.some((f) => f.path === parent)) folders.unshift({ label: vscode.workspace.asRelativePath(parent), path: parent });
    }
    const modelFiles = models.map(rel);
    if (modelFile && !modelFiles.some((m) => m.path === modelFile)) modelFiles.unshift(rel(vscode.Uri.file(modelFile)));
    const csvFiles = csvs.map(rel);
    this.offered = { models: new Set(modelFiles.map((m) => m.path)), csvs: new Set(csvFiles.map((c) => c.path)), folders: new Set(folders.map((f) => f.path)) };
    return {
      folders,
      modelFiles,
      csvFiles,
      pythonVersions: [...PYTHON_VERSIONS],
      draft: {
        framework: 'fastapi',
        source,
        modelFile,
        mlflowUri,
        featuresText: features.map((f) => `${f.name}:${f.type}`).join(', '),
        parent,
        projectName: projectName ?? (source === 'sample' ? 'iris-api' : 'model-api'),
        port: String(DEFAULT_PORT),
        pythonVersion: PYTHON_VERSIONS[0],
      },
      strings: {
        heading: vscode.l10n.t('New Model API'),
        intro: vscode.l10n.t('A FastAPI or Flask project around a trained model: /predict, /health, /ready, /metrics and docs, tests, a Dockerfile and Kubernetes manifests. You see every file before anything is written.'),
        framework: vscode.l10n.t('Framework'),
        model: vscode.l10n.t('Model'),
        sample: vscode.l10n.t('Sample model (an iris classifier trained by the generated train.py)'),
        file: vscode.l10n.t('Model file from the workspace'),
        mlflow: vscode.l10n.t('MLflow model URI'),
        noModelFiles: vscode.l10n.t('No model file in the workspace (.joblib, .pkl, .onnx, or an XGBoost or LightGBM save_model file).'),
        features: vscode.l10n.t('Input features'),
        featuresHelp: vscode.l10n.t('In the order the model expects: name:float, name:int, name:str or name:bool, separated by commas.'),
        fromCsv: vscode.l10n.t('Take them from a CSV header'),
        folder: vscode.l10n.t('Create in'),
        name: vscode.l10n.t('Project name'),
        nameHelp: vscode.l10n.t('Used as the folder, the Python package, the Docker image and the Kubernetes name.'),
        port: vscode.l10n.t('Port'),
        python: vscode.l10n.t('Python version of the image'),
        create: vscode.l10n.t('Create…'),
        creating: vscode.l10n.t('Creating…'),
      },
    };
  }

  override dispose(): void {
    this.host?.panel.dispose();
    super.dispose();
  }
}
