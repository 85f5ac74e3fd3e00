// A .dockerignore for a project the extension did not scaffold: not the scaffold's
// allow-list (the next build of such a project fails at its first COPY), but a deny-list of
// what no image needs and what makes contexts huge — version control, virtual environments,
// caches, experiment stores, data folders, secrets — minus whatever the Dockerfile itself
// copies. Only entries present in the folder are listed. No editor API.
import { readdir } from 'node:fs/promises';

/** Folders and files no image needs, with why (the comment above each rule). */
const CANDIDATES: ReadonlyArray<readonly [string, string]> = [
  ['.git', 'version control'],
  ['.dvc/cache', "DVC's cache (the data it tracks is pulled, not copied)"],
  ['.venv', 'a local virtual environment (the image installs its own)'],
  ['venv', 'a local virtual environment'],
  ['env', 'a local virtual environment'],
  ['node_modules', 'JavaScript dependencies'],
  ['mlruns', 'MLflow runs'],
  ['mlartifacts', 'MLflow artifacts'],
  ['mlflow.db', 'the MLflow tracking database'],
  ['data', 'data sets (pulled or mounted, not baked in)'],
  ['.ipynb_checkpoints', 'notebook checkpoints'],
  ['.pytest_cache', 'test caches'],
  ['.mypy_cache', 'type-checker caches'],
  ['.ruff_cache', 'linter caches'],
  ['.idea', 'editor settings'],
  ['.vscode', 'editor settings'],
  ['.env', 'local secrets and settings'],
];

/** The sources the Dockerfile's COPY and ADD lines take from the context ("--from=" stages are not the context). */
export function copiedSources(dockerfile: string): string[] {
  const out: string[] = [];
  // Continuation lines joined, as Docker reads them.
  const text = dockerfile.replace(/\\[ \t]*\r?\n/g, ' ');
  for (const line of text.split('\n')) {
    const m = /^[ \t]*(?:COPY|ADD)[ \t]+(.*)$/i.exec(line);
    if (!m) continue;
    let rest = m[1]!.trim();
    if (/--from=/i.test(rest)) continue;
    rest = rest.replace(/--[a-z-]+(=\S+)?[ \t]*/gi, '');
    let parts: string[];
    if (rest.startsWith('[')) {
      try {
        parts = (JSON.parse(rest) as unknown[]).map(String);
      } catch {
        continue;
      }
    } else parts = rest.split(/[ \t]+/).filter(Boolean);
    out.push(...parts.slice(0, -1).map((p) => p.replace(/^\.\//, '').replace(/\/+$/, '')));
  }
  return out;
}

export interface DerivedIgnore {
  /** The file's text. */
  readonly text: string;
  /** The entries it leaves out, for the preview. */
  readonly excluded: readonly string[];
  /** Candidates kept because the Dockerfile copies them. */
  readonly kept: readonly string[];
}

export async function deriveDockerignore(dir: string, dockerfile: string): Promise<DerivedIgnore> {
  const names = new Set(await readdir(dir).catch(() => [] as string[]));
  const sources = copiedSources(dockerfile);
  const copies = (entry: string): boolean => sources.some((s) => s === entry || s.startsWith(`${entry}/`) || entry.startsWith(`${s}/`));
  const lines = ['# Written by MLOps Workbench from what the Dockerfile copies: what no image needs stays out.'];
  const excluded: string[] = [];
  const kept: string[] = [];
  for (const [entry, why] of CANDIDATES) {
    if (!names.has(entry.split('/')[0]!)) continue;
    if (copies(entry)) {
      kept.push(entry);
      continue;
    }
    lines.push(`# ${why}`, entry);
    excluded.push(entry);
  }
  lines.push('# Python caches', '**/__pycache__', '**/*.pyc');
  return { text: `${lines.join('\n')}\n`, excluded, kept };
}
