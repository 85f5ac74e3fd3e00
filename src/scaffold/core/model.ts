// What the scaffold generates, and the rules its inputs must meet. Pure: no editor,
// no file system; the wizard and the quick-pick flow both validate through here.
import { t } from '../../common/l10n';
import type { ModelFormat, ModelLibrary } from './formats';
import { MODEL_FILE_EXTENSIONS, modelFormatOf } from './formats';

export type Framework = 'fastapi' | 'flask';
export type FeatureType = 'float' | 'int' | 'str' | 'bool';

export interface Feature {
  readonly name: string;
  readonly type: FeatureType;
  /** An example value for docs, tests and the sample payload. */
  readonly example?: number | string | boolean;
}

export type ModelSource =
  | { readonly kind: 'sample' }
  /** `sklearnVersion`: the scikit-learn release the file was saved with, when inspecting it told (it is pinned). */
  /** `namedFeatures`: the model was fitted on named columns (a DataFrame): it is given one, with those names. */
  /** `format`: how the file is read, when its name does not tell (a `.json` or `.txt` file, told by its content). */
  /** `libraries`: what a pickled model needs besides scikit-learn (an XGBClassifier inside a pipeline needs xgboost). */
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly version?: string;
      readonly sklearnVersion?: string;
      readonly namedFeatures?: boolean;
      readonly format?: ModelFormat;
      readonly libraries?: readonly ModelLibrary[];
    }
  | { readonly kind: 'mlflow'; readonly uri: string };

export interface ScaffoldOptions {
  readonly framework: Framework;
  readonly projectName: string;
  readonly modelSource: ModelSource;
  readonly features: readonly Feature[];
  readonly port: number;
  readonly pythonVersion: string;
}

/** The versions the generated requirements pin; the integration tier runs the generated tests with exactly these. */
export const PINNED_VERSIONS = {
  fastapi: '0.165.0',
  uvicorn: '0.54.0',
  uvicornWorker: '0.4.0',
  uvloop: '0.23.0',
  httptools: '0.9.0',
  flask: '3.1.3',
  gunicorn: '26.2.0',
  pydantic: '2.14.4',
  prometheusClient: '0.26.0',
  scikitLearn: '1.9.1',
  joblib: '1.6.0',
  numpy: '2.4.6',
  pandas: '3.1.1',
  mlflowSkinny: '3.17.2',
  // MLflow 3 saves scikit-learn models in skops' format (model.skops): loading one needs it.
  skops: '0.16.0',
  onnxruntime: '1.32.0',
  xgboost: '3.2.0',
  lightgbm: '4.7.0',
  pytest: '9.2.0',
  httpx: '0.28.1',
} as const;

/** The recommended version first: pickers offer them in this order. */
export const PYTHON_VERSIONS = ['3.12', '3.11', '3.13'] as const;
export const DEFAULT_PORT = 8000;

/** The iris features of the sample model that the generated train.py trains. */
export const SAMPLE_FEATURES: readonly Feature[] = [
  { name: 'sepal_length', type: 'float', example: 5.1 },
  { name: 'sepal_width', type: 'float', example: 3.5 },
  { name: 'petal_length', type: 'float', example: 1.4 },
  { name: 'petal_width', type: 'float', example: 0.2 },
];

export interface Problem {
  /** Which input the problem is about, so a form can show it beside that field. */
  readonly field: 'projectName' | 'port' | 'pythonVersion' | 'features' | 'modelSource' | 'framework';
  readonly message: string;
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** Checks the name against each place it is used: Kubernetes, Docker and Python. */
export function validateProjectName(name: string): Problem[] {
  const problems: Problem[] = [];
  const p = (message: string): void => void problems.push({ field: 'projectName', message });
  if (name.length === 0) {
    p(t('Enter a project name, for example "iris-api".'));
    return problems;
  }
  if (name.length > 63) p(t('The name has {0} characters; Kubernetes names take at most 63.', name.length));
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    p(t('Kubernetes (DNS-1123) names use lowercase letters, digits and "-", and start and end with a letter or digit.'));
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(name)) {
    p(t('Docker repository names use lowercase letters and digits, separated by ".", "_", "__" or dashes.'));
  }
  const pkg = pythonPackageName(name);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(pkg) || /^[0-9]/.test(name)) {
    p(t('As a Python package the name becomes "{0}", which must start with a letter and hold only letters, digits and "_".', pkg));
  } else if (PYTHON_KEYWORDS.has(pkg)) {
    p(t('"{0}" is a Python keyword and cannot be a package name.', pkg));
  }
  return problems;
}

export function pythonPackageName(name: string): string {
  return name.replace(/[-.]/g, '_');
}

export function validatePort(port: number): Problem[] {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    return [{ field: 'port', message: t('Choose a port from 1024 to 65535 (the container runs as a non-root user, which cannot bind lower ports).') }];
  }
  return [];
}

export function validatePythonVersion(v: string): Problem[] {
  return (PYTHON_VERSIONS as readonly string[]).includes(v)
    ? []
    : [{ field: 'pythonVersion', message: t('Python {0} is not supported: choose {1} (the pinned numpy needs 3.11 or later).', v, PYTHON_VERSIONS.join(', ')) }];
}

// The artifact path and the model name are typed or come from a tracking server: no quotes, backslashes or control characters.
// A registered model's name may hold spaces and any letters (MLflow allows them; the URI only
// reaches a Python string and Markdown, each escaped), not quotes, backslashes or control characters.
// eslint-disable-next-line no-control-regex
const MLFLOW_URI = /^(runs:\/[0-9a-f]{32}\/[A-Za-z0-9._\-/]+|models:\/m-[0-9a-f]{32}|models:\/[^/\s@"'`\\](?:[^/@"'`\\\x00-\x1f\x7f]*[^/\s@"'`\\])?(\/[0-9]+|\/[A-Za-z0-9_-]+|@[A-Za-z0-9_-]+))$/;

export function validateModelSource(source: ModelSource): Problem[] {
  switch (source.kind) {
    case 'sample':
      return [];
    case 'file':
      if (!fileFormat(source)) {
        return [
          {
            field: 'modelSource',
            message: t('Unsupported model file: choose a scikit-learn model saved with joblib or pickle, an ONNX model, or an XGBoost or LightGBM model saved with save_model ({0}).', MODEL_FILE_EXTENSIONS.join(', ')),
          },
        ];
      }
      return [];
    case 'mlflow':
      return MLFLOW_URI.test(source.uri)
        ? []
        : [{ field: 'modelSource', message: t('An MLflow model URI looks like "runs:/<32-hex run id>/<artifact path>", "models:/<name>/<version>", "models:/<name>@<alias>" or "models:/m-<32-hex model id>".') }];
  }
}

/** MLflow's signature types (column types and tensor dtypes) as the form's feature types. */
const SIGNATURE_TYPES: Record<string, FeatureType> = { double: 'float', float: 'float', float16: 'float', float32: 'float', float64: 'float', long: 'int', integer: 'int', int8: 'int', int16: 'int', int32: 'int', int64: 'int', uint8: 'int', uint16: 'int', uint32: 'int', uint64: 'int', boolean: 'bool', bool: 'bool', string: 'str', str: 'str' };

/**
 * The features of a model's logged signature (names and types, in its order): unnamed tensor
 * columns are x0, x1…; undefined when a type has no feature type (binary, datetime, arrays).
 */
export function featuresFromSignature(inputs: ReadonlyArray<{ readonly name?: string; readonly type: string }> | undefined): Feature[] | undefined {
  if (!inputs?.length) return undefined;
  const out: Feature[] = [];
  for (const [i, c] of inputs.entries()) {
    const type = Object.prototype.hasOwnProperty.call(SIGNATURE_TYPES, c.type) ? SIGNATURE_TYPES[c.type] : undefined;
    if (!type) return undefined;
    out.push({ name: c.name?.trim() || `x${i}`, type });
  }
  return out;
}

export function validateFeatures(features: readonly Feature[], expectedCount?: number): Problem[] {
  const problems: Problem[] = [];
  const p = (message: string): void => void problems.push({ field: 'features', message });
  if (features.length === 0) p(t('Add at least one input feature (name and type).'));
  const seen = new Set<string>();
  for (const f of features) {
    if (f.name.trim() === '' || f.name !== f.name.trim()) p(t('Feature names cannot be empty or start or end with spaces: "{0}".', f.name));
    else if (f.name.length > 100) p(t('The feature name "{0}…" is longer than 100 characters.', f.name.slice(0, 20)));
    else if (/["\\\p{Cc}]/u.test(f.name)) p(t('The feature name "{0}" has a quote, a backslash or a control character.', f.name));
    if (seen.has(f.name)) p(t('The feature "{0}" appears twice.', f.name));
    seen.add(f.name);
    if (!['float', 'int', 'str', 'bool'].includes(f.type)) p(t('The feature "{0}" has an unknown type "{1}".', f.name, String(f.type)));
  }
  if (expectedCount !== undefined && features.length > 0 && features.length !== expectedCount) {
    p(t('The model was trained on {0} features, but the schema has {1}.', expectedCount, features.length));
  }
  return problems;
}

export function validateOptions(o: ScaffoldOptions, expectedFeatureCount?: number): Problem[] {
  return [
    ...(['fastapi', 'flask'].includes(o.framework) ? [] : [{ field: 'framework' as const, message: t('Choose FastAPI or Flask.') }]),
    ...validateProjectName(o.projectName),
    ...validatePort(o.port),
    ...validatePythonVersion(o.pythonVersion),
    ...validateModelSource(o.modelSource),
    ...validateFeatures(o.features, expectedFeatureCount),
  ];
}

/** A Python attribute for each feature name (which may be anything the model was trained with). */
export function featureAttributes(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let a = n
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '');
    if (a === '' || /^[0-9]/.test(a)) a = `f_${a}`;
    // pydantic reserves model_*, and BaseModel has methods such as json or copy.
    if (a.startsWith('model_') || ['json', 'dict', 'copy', 'schema', 'construct', 'validate', 'fields'].includes(a) || PYTHON_KEYWORDS.has(a)) a = `${a}_`;
    let unique = a;
    for (let i = 2; used.has(unique); i++) unique = `${a}_${i}`;
    used.add(unique);
    return unique;
  });
}

/** How a file source is read: the format its content told, else its extension's. */
export function fileFormat(source: ModelSource & { kind: 'file' }): ModelFormat | undefined {
  return source.format ?? modelFormatOf(source.path);
}

/** Where the model lives inside the generated project. */
export function modelPathInProject(source: ModelSource): string {
  switch (source.kind) {
    case 'sample':
      return 'model/model.joblib';
    case 'file': {
      // The file keeps its name when that is a plain one; any other name ("my model (v2).pkl",
      // quotes, a newline) is copied as model/model<ext>, so no file name reaches code or a Dockerfile.
      const base = source.path.split(/[\\/]/).pop() ?? '';
      if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(base)) return `model/${base}`;
      const ext = (MODEL_FILE_EXTENSIONS as readonly string[]).find((e) => base.toLowerCase().endsWith(e)) ?? '.joblib';
      return `model/model${ext}`;
    }
    case 'mlflow':
      return 'model';
  }
}

export function defaultExample(f: Feature): number | string | boolean {
  if (f.example !== undefined) return f.example;
  switch (f.type) {
    case 'float':
      return 0.5;
    case 'int':
      return 1;
    case 'bool':
      return false;
    case 'str':
      return 'a';
  }
}

/** The options a wizard draft describes (the draft holds what the form's fields hold, as text). */
export function optionsFromDraft(d: {
  framework: Framework;
  source: 'sample' | 'file' | 'mlflow';
  modelFile: string;
  mlflowUri: string;
  features: readonly Feature[];
  projectName: string;
  port: string;
  pythonVersion: string;
}): ScaffoldOptions {
  const modelSource: ModelSource = d.source === 'sample' ? { kind: 'sample' } : d.source === 'file' ? { kind: 'file', path: d.modelFile } : { kind: 'mlflow', uri: d.mlflowUri.trim() };
  return {
    framework: d.framework,
    projectName: d.projectName.trim(),
    modelSource,
    features: d.source === 'sample' ? SAMPLE_FEATURES : d.features,
    port: d.port.trim() === '' ? NaN : Number(d.port),
    pythonVersion: d.pythonVersion,
  };
}

/** Parses "name:type, name:type" as typed in by the user. */
export function parseFeatureList(text: string): Feature[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(':');
      const name = (i > 0 ? s.slice(0, i) : s).trim();
      const t = (i > 0 ? s.slice(i + 1) : 'float').trim().toLowerCase();
      // An unknown type is kept as typed, so validateFeatures can name it.
      return { name, type: t as FeatureType };
    });
}
