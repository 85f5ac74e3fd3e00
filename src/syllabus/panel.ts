import * as vscode from 'vscode';
import type { FromWebview, OverviewStrings, ToWebview } from '../webview/contract/syllabus';
import { isFromWebview } from '../webview/contract/syllabus';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, WebviewPanels } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import { WebviewHost, openPanel } from '../vscode/webviewHost';
import type { LinkedFeature } from './core/actions';
import { linkForTopic } from './core/actions';
import type { SyllabusService } from './service';

/**
 * The syllabus overview: per-module progress bars and totals, and the topics with
 * a done/to-do filter. One panel at a time; restored after a window reload.
 */
export class SyllabusOverview extends Disposable {
  private host: WebviewHost<FromWebview, ToWebview> | undefined;

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
    if (this.host) {
      this.host.panel.reveal();
      return;
    }
    this.adopt();
  }

  private adopt(restored?: vscode.WebviewPanel): void {
    this.host?.panel.dispose();
    const panel = openPanel(WebviewPanels.syllabusOverview, this.extensionUri, { title: vscode.l10n.t('Syllabus Overview'), script: 'syllabus', styles: ['syllabus'] }, restored);
    const host: WebviewHost<FromWebview, ToWebview> = new WebviewHost(panel, { name: 'syllabus overview', log: this.log, accepts: isFromWebview, onMessage: (m) => this.onMessage(m) });
    this.host = host;
    host.onDidClose(() => {
      if (this.host === host) this.host = undefined;
    });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
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

  /** The page's state; kept by the host until the page is ready, so a change meanwhile is not lost. */
  private async post(): Promise<void> {
    if (!this.host) return;
    const { model } = await this.service.get();
    const state = model.overview(overviewStrings(), (t) => {
      const link = linkForTopic(t.text, (c) => this.commands.has(c));
      return link && { ...link, label: featureLabel(link.feature) };
    });
    this.host?.post({ type: 'state', state });
  }

  override dispose(): void {
    this.host?.panel.dispose();
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
    case 'registry':
      return vscode.l10n.t('Show Models');
  }
}
