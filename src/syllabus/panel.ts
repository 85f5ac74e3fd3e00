import * as vscode from 'vscode';
import type { FromWebview, OverviewStrings, ToWebview } from '../webview/contract/syllabus';
import { isFromWebview } from '../webview/contract/syllabus';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, WebviewPanels } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import { guarded } from '../vscode/errors';
import type { ComponentLogger } from '../vscode/logger';
import { webviewHtml, webviewResourceRoots } from '../vscode/webview';
import type { LinkedFeature } from './core/actions';
import { linkForTopic } from './core/actions';
import type { SyllabusService } from './service';

/**
 * The syllabus overview: per-module progress bars and totals, and the topics with
 * a done/to-do filter. One panel at a time; restored after a window reload.
 */
export class SyllabusOverview extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly service: SyllabusService,
    private readonly commands: CommandRegistry,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(WebviewPanels.syllabusOverview, {
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
    );
    this.register(service.onDidChange(() => void this.post()));
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewPanels.syllabusOverview, vscode.l10n.t('Syllabus Overview'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewResourceRoots(this.extensionUri),
    });
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'mlops.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, {
      title: vscode.l10n.t('Syllabus Overview'),
      script: 'dist/webviews/syllabus.js',
      styles: ['media/webviews/syllabus.css'],
    });
    const subs = [
      panel.webview.onDidReceiveMessage(guarded(this.log, 'syllabus overview', (msg: unknown) => this.onMessage(msg))),
      panel.onDidDispose(() => {
        for (const s of subs) s.dispose();
        if (this.panel === panel) this.panel = undefined;
      }),
    ];
  }

  private async onMessage(msg: unknown): Promise<void> {
    if (!isFromWebview(msg)) {
      this.log.warn(`overview: ignored an unknown message ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    const m: FromWebview = msg;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.post();
        return;
      case 'toggle':
        await this.service.setDone([{ key: m.key, done: m.done }]);
        return;
      case 'runAction': {
        const { model } = await this.service.get();
        const topic = model.topic(m.key);
        const link = topic && linkForTopic(topic.text, (c) => this.commands.has(c));
        if (link) await vscode.commands.executeCommand(link.command);
        return;
      }
      case 'showProblems':
        await vscode.commands.executeCommand(Commands.syllabusShowProblems);
        return;
    }
  }

  private async post(): Promise<void> {
    if (!this.panel || !this.ready) return;
    const { model } = await this.service.get();
    const state = model.overview(overviewStrings(), (t) => {
      const link = linkForTopic(t.text, (c) => this.commands.has(c));
      return link && { ...link, label: featureLabel(link.feature) };
    });
    const message: ToWebview = { type: 'state', state };
    await this.panel?.webview.postMessage(message);
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}

function overviewStrings(): OverviewStrings {
  return {
    heading: vscode.l10n.t('Syllabus Overview'),
    filterAll: vscode.l10n.t('All'),
    filterDone: vscode.l10n.t('Done'),
    filterTodo: vscode.l10n.t('To do'),
    total: vscode.l10n.t('Topics done'),
    hours: vscode.l10n.t('Hours covered'),
    problems: vscode.l10n.t('Lines that could not be read'),
    empty: vscode.l10n.t('No topics match this filter.'),
  };
}

function featureLabel(feature: LinkedFeature): string {
  switch (feature) {
    case 'scaffold':
      return vscode.l10n.t('New Model API…');
    case 'docker':
      return vscode.l10n.t('Build Image');
    case 'deploy':
      return vscode.l10n.t('Containerize and Deploy');
    case 'experiments':
      return vscode.l10n.t('Show Experiments');
  }
}
