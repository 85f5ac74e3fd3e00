// The question a build (or a deploy, which builds) asks before sending a huge context: what
// would be sent, its largest parts, and what a .dockerignore would cut — the scaffold's own
// for a scaffolded project, else one derived from what the Dockerfile copies (see
// core/ignoreRules.ts). Writing it is the user's choice, and never over an existing file.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContextSize } from './core/context';
import { measureContext } from './core/context';
import type { ImagePlan } from './core/project';

/** Above this, a build asks first and shows what .dockerignore would cut. */
export const HUGE_CONTEXT_BYTES = 100 * 1024 * 1024;

export function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The context's size when the build may go on (small, or the user said so); undefined when it should not. */
export async function askAboutLargeContext(plan: ImagePlan, dockerfile: string, extensionUri: vscode.Uri, action: 'build' | 'deploy'): Promise<ContextSize | undefined> {
  const contextDir = plan.contextDir;
  const size = await measureContext(contextDir, plan.dockerfile);
  if (size.sentBytes > HUGE_CONTEXT_BYTES) {
    // A scaffolded project: the scaffold's own allow-list. Anyone else's: a deny-list from what its Dockerfile copies.
    const scaffolded = existsSync(path.join(contextDir, '.mlops', 'project.json'));
    const { deriveDockerignore } = await import('./core/ignoreRules');
    const derived = scaffolded ? undefined : await deriveDockerignore(contextDir, await readFile(dockerfile, 'utf8'));
    const generatedRules = derived?.text ?? (await readFile(vscode.Uri.joinPath(extensionUri, 'media', 'templates', 'model-api', 'common', '.dockerignore').fsPath, 'utf8'));
    const withGenerated = await measureContext(contextDir, plan.dockerfile, generatedRules);
    const largest = size.largestSent.map((e) => `${e.path} ${mb(e.bytes)}`).join(', ');
    const hasIgnore = existsSync(path.join(contextDir, '.dockerignore'));
    const buildAnyway = action === 'deploy' ? vscode.l10n.t('Deploy Anyway') : vscode.l10n.t('Build Anyway');
    const openIgnore = hasIgnore ? vscode.l10n.t('Open .dockerignore') : vscode.l10n.t('Create .dockerignore');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('The build context of {0} is {1} ({2} files).', plan.imageName, mb(size.sentBytes), size.sentFiles),
      {
        modal: true,
        detail: derived
          ? vscode.l10n.t('Largest parts: {0}. A .dockerignore leaving out {1} (nothing the Dockerfile copies) would make it {2}.', largest, derived.excluded.join(', ') || vscode.l10n.t('caches'), mb(withGenerated.sentBytes))
          : vscode.l10n.t('Largest parts: {0}. With the generated .dockerignore it would be {1}.', largest, mb(withGenerated.sentBytes)),
      },
      buildAnyway,
      openIgnore,
    );
    if (choice === openIgnore) {
      const target = vscode.Uri.file(path.join(contextDir, '.dockerignore'));
      if (!hasIgnore) await vscode.workspace.fs.writeFile(target, Buffer.from(generatedRules));
      await vscode.window.showTextDocument(target);
      return undefined;
    }
    if (choice !== buildAnyway) return undefined;
  }

  return size;
}
