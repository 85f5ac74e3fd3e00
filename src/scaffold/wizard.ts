import * as vscode from 'vscode';
import path from 'node:path';
import { isCancellation } from '../common/cancellation';
import { errorMessage } from '../common/errors';
import { portInUse } from '../common/net';
import type { FromWizard, ToWizard, WizardDraft, WizardInit } from '../webview/contract/scaffold';
import { isFromWizard } from '../webview/contract/scaffold';
import { WebviewPanels } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import { webviewHtml, webviewResourceRoots } from '../vscode/webview';
import { createProject } from './create';
import { featuresFromCsv, inspectModel } from './core/inspect';
import type { Problem } from './core/model';
import { DEFAULT_PORT, PYTHON_VERSIONS, SAMPLE_FEATURES, optionsFromDraft, parseFeatureList, validateOptions } from './core/model';
import type { ModelApiIndex } from './index';
import { SEARCH_EXCLUDE, folderHasFiles, projectParentFor, pythonPath } from './workspace';

export type WizardPreset = vscode.Uri | { readonly mlflowUri: string; readonly projectName?: string };

/** The New Model API form. One at a time; it closes when the project is created. */
export class ScaffoldWizard extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private expectedFeatures: number | undefined;

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
    const panel = vscode.window.createWebviewPanel(WebviewPanels.scaffoldWizard, vscode.l10n.t('New Model API'), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: webviewResourceRoots(this.extensionUri),
    });
    this.adopt(panel, preset);
  }

  private adopt(panel: vscode.WebviewPanel, preset: WizardPreset | undefined): void {
    if (this.panel !== panel) this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    this.expectedFeatures = undefined;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'mlops.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: vscode.l10n.t('New Model API'), script: 'dist/webviews/scaffold.js', styles: ['media/webviews/scaffold.css'] });
    const post = (m: ToWizard): Thenable<boolean> => panel.webview.postMessage(m);
    const subs = [
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        if (!isFromWizard(raw)) return;
        try {
          await this.onMessage(raw, post, preset);
        } catch (err) {
          this.log.error(`wizard: ${errorMessage(err)}`);
          void post({ type: 'busy', busy: false, error: errorMessage(err) });
        }
      }),
      panel.onDidDispose(() => {
        subs.forEach((s) => s.dispose());
        if (this.panel === panel) this.panel = undefined;
      }),
    ];
  }

  private async onMessage(m: FromWizard, post: (m: ToWizard) => Thenable<boolean>, preset: WizardPreset | undefined): Promise<void> {
    switch (m.type) {
      case 'ready':
        await post({ type: 'init', init: await this.init(preset) });
        return;
      case 'inspect': {
        try {
          const info = await inspectModel(pythonPath(), m.path);
          this.expectedFeatures = info.featureCount;
          const features = info.featureNames?.map((name) => ({ name, type: 'float' as const })) ?? [];
          await post({ type: 'features', features, ...(info.featureCount !== undefined ? { expected: info.featureCount } : {}) });
        } catch (err) {
          this.expectedFeatures = undefined;
          await post({ type: 'features', features: [], warning: vscode.l10n.t('The model’s inputs could not be read ({0}); type them in.', errorMessage(err)) });
        }
        return;
      }
      case 'csv':
        await post({ type: 'features', features: await featuresFromCsv(m.path) });
        return;
      case 'check':
        await post({ type: 'warnings', warnings: await this.warnings(m.draft) });
        return;
      case 'create': {
        const options = optionsFromDraft({ ...m.draft, features: parseFeatureList(m.draft.featuresText) });
        const problems = validateOptions(options, m.draft.source === 'file' ? this.expectedFeatures : undefined);
        if (problems.length > 0) {
          await post({ type: 'busy', busy: false, error: problems.map((p) => p.message).join(' ') });
          return;
        }
        await post({ type: 'busy', busy: true });
        try {
          await createProject(this.extensionUri, this.modelApis, this.log, path.join(m.draft.parent, options.projectName), options);
          this.panel?.dispose();
        } catch (err) {
          await post({ type: 'busy', busy: false, ...(isCancellation(err) ? {} : { error: errorMessage(err) }) });
        }
        return;
      }
    }
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
    const [models, csvs] = await Promise.all([vscode.workspace.findFiles('**/*.{joblib,pkl,pickle}', SEARCH_EXCLUDE, 200), vscode.workspace.findFiles('**/*.csv', SEARCH_EXCLUDE, 200)]);
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ label: f.name, path: f.uri.fsPath }));
    let parent = folders[0]?.path ?? '';
    let source: WizardDraft['source'] = 'sample';
    let modelFile = models[0]?.fsPath ?? '';
    let mlflowUri = '';
    let projectName: string | undefined;
    if (preset && !(preset instanceof vscode.Uri)) {
      source = 'mlflow';
      mlflowUri = preset.mlflowUri;
      projectName = preset.projectName;
    } else if (preset) {
      const isFile = ((await vscode.workspace.fs.stat(preset)).type & vscode.FileType.File) !== 0;
      if (isFile) {
        source = 'file';
        modelFile = preset.fsPath;
      }
      parent = projectParentFor(preset, isFile);
      if (!folders.some((f) => f.path === parent)) folders.unshift({ label: vscode.workspace.asRelativePath(parent), path: parent });
    }
    return {
      folders,
      modelFiles: models.map(rel),
      csvFiles: csvs.map(rel),
      pythonVersions: [...PYTHON_VERSIONS],
      draft: {
        framework: 'fastapi',
        source,
        modelFile,
        mlflowUri,
        featuresText: SAMPLE_FEATURES.map((f) => `${f.name}:${f.type}`).join(', '),
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
        noModelFiles: vscode.l10n.t('No .joblib or .pkl file in the workspace.'),
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
    this.panel?.dispose();
    super.dispose();
  }
}
