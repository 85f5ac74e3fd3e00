// Messages between the New Model API wizard and the extension.
import type { Feature, Framework, Problem } from '../../scaffold/core/model';

export interface Choice {
  readonly label: string;
  readonly path: string;
}

export interface WizardDraft {
  readonly framework: Framework;
  readonly source: 'sample' | 'file' | 'mlflow';
  readonly modelFile: string;
  readonly mlflowUri: string;
  readonly featuresText: string;
  readonly parent: string;
  readonly projectName: string;
  readonly port: string;
  readonly pythonVersion: string;
}

export interface WizardInit {
  readonly folders: readonly Choice[];
  readonly modelFiles: readonly Choice[];
  readonly csvFiles: readonly Choice[];
  readonly pythonVersions: readonly string[];
  readonly draft: WizardDraft;
  /** Localised labels, keyed by the English text's id. */
  readonly strings: Readonly<Record<string, string>>;
}

export type ToWizard =
  | { readonly type: 'init'; readonly init: WizardInit }
  | { readonly type: 'features'; readonly features: readonly Feature[]; readonly expected?: number; readonly warning?: string }
  | { readonly type: 'warnings'; readonly warnings: readonly Problem[] }
  | { readonly type: 'busy'; readonly busy: boolean; readonly error?: string };

export type FromWizard =
  | { readonly type: 'ready' }
  | { readonly type: 'inspect'; readonly path: string }
  | { readonly type: 'csv'; readonly path: string }
  | { readonly type: 'check'; readonly draft: WizardDraft }
  | { readonly type: 'create'; readonly draft: WizardDraft };

export function isFromWizard(v: unknown): v is FromWizard {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'inspect':
    case 'csv':
      return typeof m.path === 'string';
    case 'check':
    case 'create':
      return typeof m.draft === 'object' && m.draft !== null;
    default:
      return false;
  }
}
