// Renders the project templates (media/templates/model-api) into a plan: the list
// of files to write. The one renderer is mustache; each `{{value}}` is escaped for the file
// it lands in (a Python string, Markdown, JSON), and files that cannot quote (a Dockerfile,
// YAML manifests, requirements) take only plain values. What a value holds comes from model
// file names, MLflow URIs and feature names: untrusted text. `{{{value}}}` is for text the
// renderer made itself (JSON.stringify, Python literals).
import Mustache from 'mustache';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';
import type { ModelSource, ScaffoldOptions } from './model';
import { PINNED_VERSIONS, defaultExample, featureAttributes, fileFormat, modelPathInProject } from './model';
import type { ModelFormat } from './formats';

export interface PlannedFile {
  /** Relative to the project folder, with "/" separators. */
  readonly path: string;
  /** Text to write; absent when the file is copied from `copyFrom`. */
  readonly content?: string;
  /** An absolute path to copy byte for byte (the model file). */
  readonly copyFrom?: string;
}

/** Template path (relative to media/templates/model-api) → text. */
export type Templates = ReadonlyMap<string, string>;

const PY_TYPE = { float: 'Number', int: 'Integer', str: 'Text', bool: 'Flag' } as const;

/** Files that only some model sources need. */
function wanted(relPath: string, source: ModelSource): boolean {
  if (relPath === 'train.py') return source.kind === 'sample';
  if (relPath === 'fetch_model.py') return source.kind === 'mlflow';
  return true;
}

function pyLiteral(v: number | string | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return JSON.stringify(v);
}

function modelLabel(source: ModelSource): string {
  switch (source.kind) {
    case 'sample':
      return 'sample iris classifier (train.py)';
    case 'file':
      return source.path.split(/[\\/]/).pop()!;
    case 'mlflow':
      return source.uri;
  }
}

function modelVersion(source: ModelSource): string {
  switch (source.kind) {
    case 'sample':
      return 'sample-iris-1';
    case 'file':
      return source.version ?? modelLabel(source);
    case 'mlflow':
      return source.uri;
  }
}

export function projectMarker(o: ScaffoldOptions): Record<string, unknown> {
  return {
    schema: 1,
    generator: 'mlops-workbench',
    name: o.projectName,
    framework: o.framework,
    port: o.port,
    python: o.pythonVersion,
    image: o.projectName,
    version: '0.1.0',
    modelSource: o.modelSource.kind === 'file' ? { kind: 'file', file: modelPathInProject(o.modelSource), version: modelVersion(o.modelSource) } : o.modelSource,
    modelPath: modelPathInProject(o.modelSource),
    features: o.features.map((f) => ({ name: f.name, type: f.type, ...(f.example !== undefined ? { example: f.example } : {}) })),
    samplePayload: 'sample-payload.json',
  };
}

export function templateView(o: ScaffoldOptions): Record<string, unknown> {
  const attrs = featureAttributes(o.features.map((f) => f.name));
  const sample = Object.fromEntries(o.features.map((f) => [f.name, defaultExample(f)]));
  // Boosters and ONNX take an array (XGBoost gets its feature names from the booster); only a
  // scikit-learn pipeline selects columns by name.
  const byName = o.modelSource.kind === 'file' && o.modelSource.namedFeatures === true && fileFormat(o.modelSource) === 'sklearn';
  const useDataFrame = o.features.some((f) => f.type === 'str') || byName;
  return {
    title: o.projectName,
    projectName: o.projectName,
    imageName: o.projectName,
    framework: o.framework,
    frameworkLabel: o.framework === 'fastapi' ? 'FastAPI' : 'Flask',
    isFastapi: o.framework === 'fastapi',
    isFlask: o.framework === 'flask',
    port: o.port,
    pythonVersion: o.pythonVersion,
    features: o.features.map((f, i) => ({ name: f.name, attr: attrs[i], pyType: PY_TYPE[f.type], example: pyLiteral(defaultExample(f)) })),
    firstFeature: o.features[0]?.name ?? '',
    hasText: o.features.some((f) => f.type === 'str'),
    // A model fitted on a DataFrame (a pipeline that selects columns by name) is given one; text features need one too.
    useDataFrame,
    needsPandas: useDataFrame || o.modelSource.kind === 'mlflow',
    ...formatFlags(o.modelSource),
    sourceSample: o.modelSource.kind === 'sample',
    sourceFile: o.modelSource.kind === 'file',
    sourceMlflow: o.modelSource.kind === 'mlflow',
    modelUri: o.modelSource.kind === 'mlflow' ? o.modelSource.uri : '',
    modelPath: modelPathInProject(o.modelSource),
    modelLabel: modelLabel(o.modelSource),
    modelVersion: modelVersion(o.modelSource),
    // A model saved with another scikit-learn release loads (and predicts the same) only with that release.
    versions: savedSklearn(o.modelSource) ? { ...PINNED_VERSIONS, scikitLearn: savedSklearn(o.modelSource) } : PINNED_VERSIONS,
    sklearnFromModel: savedSklearn(o.modelSource) !== undefined,
    samplePayload: JSON.stringify(sample, null, 2),
    projectJson: JSON.stringify(projectMarker(o), null, 2),
  };
}

/**
 * How the generated app reads the model (one of formatSklearn, formatOnnx, formatXgboost,
 * formatLightgbm; an MLflow model reads through its flavour) and the libraries it installs.
 */
function formatFlags(source: ModelSource): Record<string, boolean> {
  const format: ModelFormat | undefined = source.kind === 'sample' ? 'sklearn' : source.kind === 'file' ? fileFormat(source) : undefined;
  const libraries = source.kind === 'file' ? (source.libraries ?? []) : [];
  return {
    formatSklearn: format === 'sklearn',
    formatOnnx: format === 'onnx',
    formatXgboost: format === 'xgboost',
    formatLightgbm: format === 'lightgbm',
    // An MLflow model is a scikit-learn one unless its flavour says otherwise (fetch_model.py tells what it needs).
    needsSklearn: format === 'sklearn' || source.kind === 'mlflow',
    needsOnnxruntime: format === 'onnx',
    needsXgboost: format === 'xgboost' || libraries.includes('xgboost'),
    needsLightgbm: format === 'lightgbm' || libraries.includes('lightgbm'),
  };
}

/** The scikit-learn release a model file was saved with, when it is not the pinned one (and reads as a version). */
export function savedSklearn(source: ScaffoldOptions['modelSource']): string | undefined {
  const v = source.kind === 'file' ? source.sklearnVersion : undefined;
  return v && /^\d+\.\d+(\.\d+)?(\.post\d+)?$/.test(v) && v !== PINNED_VERSIONS.scikitLearn ? v : undefined;
}

/** Inside a Python string literal ("…", '…' or a docstring): quotes, backslashes and control characters escaped. */
export function pyStringContent(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\\"'\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case "'":
        return "\\'";
      case '\n':
        return '\\n';
      default: {
        const code = c.charCodeAt(0);
        return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}

/** What a file without quoting (Dockerfile, YAML, requirements) may hold: one plain token, no spaces. */
const PLAIN = /^[A-Za-z0-9._:/@+=-]*$/;

function escaperFor(rel: string): (value: unknown) => string {
  const name = rel.split('/').pop() ?? rel;
  if (name.endsWith('.py')) return (v) => pyStringContent(String(v));
  // Markdown: one line, no code span broken open.
  // eslint-disable-next-line no-control-regex
  if (name.endsWith('.md')) return (v) => String(v).replace(/[\u0000-\u001f\u007f`|<>]/g, ' ');
  if (name.endsWith('.json')) return (v) => JSON.stringify(String(v)).slice(1, -1);
  return (v) => {
    const s = String(v);
    if (!PLAIN.test(s)) throw new UserFacingError(t('"{0}" cannot be written into {1}: use only letters, digits and . _ - / : @ + =.', s.slice(0, 80), rel));
    return s;
  };
}

/** One template rendered for the file `rel` it becomes, each value escaped for that file. */
export function renderTemplate(rel: string, text: string, view: Record<string, unknown>): string {
  return Mustache.render(text, view, {}, { escape: escaperFor(rel) });
}

/**
 * The files of a new project. Framework templates override common ones with the
 * same path. The model file (for a file source) is copied, not rendered.
 */
export function planProject(o: ScaffoldOptions, templates: Templates): PlannedFile[] {
  const view = templateView(o);
  const chosen = new Map<string, string>();
  for (const [p, text] of templates) {
    const [layer, ...rest] = p.split('/');
    const rel = rest.join('/');
    if (layer === 'common' && !chosen.has(rel)) chosen.set(rel, text);
    if (layer === o.framework) chosen.set(rel, text);
  }
  const files: PlannedFile[] = [];
  for (const [rel, text] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
    if (!wanted(rel, o.modelSource)) continue;
    files.push({ path: rel, content: renderTemplate(rel, text, view) });
  }
  if (o.modelSource.kind === 'file') files.push({ path: modelPathInProject(o.modelSource), copyFrom: o.modelSource.path });
  return files;
}

export type FileStatus = 'new' | 'unchanged' | 'conflict';

/** Compares the plan with what is on disk, so nothing is overwritten without asking. */
export function comparePlan(plan: readonly PlannedFile[], existing: (path: string) => string | Uint8Array | undefined): Array<PlannedFile & { status: FileStatus }> {
  return plan.map((f) => {
    const current = existing(f.path);
    if (current === undefined) return { ...f, status: 'new' as const };
    if (f.content !== undefined && typeof current === 'string' && current === f.content) return { ...f, status: 'unchanged' as const };
    return { ...f, status: 'conflict' as const };
  });
}
