// What the Model APIs tree lists: projects this extension scaffolded (they carry
// .mlops/project.json) and plain FastAPI/Flask apps that have a Dockerfile.
import type { Framework } from './model';

export interface ModelApiProject {
  /** Absolute folder path. */
  readonly dir: string;
  readonly name: string;
  readonly framework: Framework | 'unknown';
  readonly port?: number;
  readonly scaffolded: boolean;
  readonly modelLabel?: string;
  /** From the marker: the image's repository name and version, the model's source, the sample /predict body (relative). */
  readonly image?: string;
  readonly version?: string;
  readonly modelSource?: { readonly kind: string; readonly uri?: string };
  readonly samplePayload?: string;
  /** Set when the marker could not be read. */
  readonly problem?: string;
}

/** A Model APIs tree item (what its menus pass to commands). */
export function isModelApiProject(x: unknown): x is ModelApiProject {
  return typeof x === 'object' && x !== null && typeof (x as ModelApiProject).dir === 'string' && 'framework' in x;
}

export function parseProjectMarker(dir: string, text: string): ModelApiProject {
  const folderName = dir.split(/[\\/]/).pop() ?? dir;
  try {
    const j = JSON.parse(text) as { name?: unknown; framework?: unknown; port?: unknown; image?: unknown; version?: unknown; samplePayload?: unknown; modelSource?: { kind?: unknown; uri?: unknown; file?: unknown } };
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
    const framework = j.framework === 'fastapi' || j.framework === 'flask' ? j.framework : 'unknown';
    const src = j.modelSource;
    const modelLabel = src?.kind === 'mlflow' ? String(src.uri) : src?.kind === 'file' ? String(src.file) : src?.kind === 'sample' ? 'sample model' : undefined;
    return {
      dir,
      name: typeof j.name === 'string' && j.name ? j.name : folderName,
      framework,
      ...(typeof j.port === 'number' ? { port: j.port } : {}),
      scaffolded: true,
      ...(modelLabel ? { modelLabel } : {}),
      ...(str(j.image) ? { image: str(j.image) } : {}),
      ...(str(j.version) ? { version: str(j.version) } : {}),
      ...(str(src?.kind) ? { modelSource: { kind: str(src?.kind)!, ...(str(src?.uri) ? { uri: str(src?.uri) } : {}) } } : {}),
      ...(str(j.samplePayload) ? { samplePayload: str(j.samplePayload) } : {}),
    };
  } catch (err) {
    return { dir, name: folderName, framework: 'unknown', scaffolded: true, problem: `.mlops/project.json is not valid JSON: ${(err as Error).message}` };
  }
}

/** The files that name a Python project's dependencies, beside its Dockerfile. */
export const DEPENDENCY_FILES = ['requirements.txt', 'requirements.in', 'requirements/base.txt', 'requirements/prod.txt', 'pyproject.toml', 'Pipfile', 'setup.py', 'setup.cfg', 'environment.yml'];
/** Where apps keep their entry point, relative to the Dockerfile's folder. */
export const APP_FILES = ['main.py', 'app.py', 'server.py', 'api.py', 'serve.py', 'wsgi.py', 'app/main.py', 'app/app.py', 'app/__init__.py', 'src/main.py', 'src/app.py', 'src/api.py', 'src/app/main.py', 'api/main.py', 'api/app.py'];

/**
 * Tells a FastAPI or Flask app from its dependency files (requirements.txt, pyproject.toml,
 * Pipfile, setup.py: one per line or in a list) and the Python files beside its Dockerfile.
 */
export function detectFramework(requirements: string | undefined, pythonSources: readonly string[]): Framework | undefined {
  const req = (requirements ?? '').toLowerCase();
  const names = (pkg: string): RegExp => new RegExp(`(?:^[ \\t]*["']?|[\\[,][ \\t]*["'])${pkg}\\b(?![-_])`, 'm');
  if (names('fastapi').test(req)) return 'fastapi';
  if (names('flask').test(req)) return 'flask';
  for (const src of pythonSources) {
    if (/^[ \t]*(from fastapi import|import fastapi)\b/m.test(src)) return 'fastapi';
    if (/^[ \t]*(from flask import|import flask)\b/m.test(src)) return 'flask';
  }
  return undefined;
}
