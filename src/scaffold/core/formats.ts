// The model files the scaffold serves, and how each is told apart: scikit-learn pickles
// (joblib/pickle), ONNX (onnxruntime), XGBoost's and LightGBM's own files. XGBoost saves
// JSON or UBJSON and LightGBM plain text, so a `.json` or `.txt` file is a model only when its
// first bytes say so. Pure: the editor reads the head of the file and passes it in.

export type ModelFormat = 'sklearn' | 'onnx' | 'xgboost' | 'lightgbm';

/** Libraries a pickled model may need besides scikit-learn (their sklearn-style wrappers pickle with joblib). */
export type ModelLibrary = 'xgboost' | 'lightgbm';

export interface FormatInfo {
  /** The Python module that reads it (the inspecting Python must have it). */
  readonly module: string;
  /** Whether loading the file runs code from it (pickles do): the user is asked first. */
  readonly runsCode: boolean;
}

export const MODEL_FORMATS: Readonly<Record<ModelFormat, FormatInfo>> = {
  sklearn: { module: 'sklearn', runsCode: true },
  onnx: { module: 'onnxruntime', runsCode: false },
  xgboost: { module: 'xgboost', runsCode: false },
  lightgbm: { module: 'lightgbm', runsCode: false },
};

const BY_EXTENSION: Readonly<Record<string, ModelFormat>> = {
  '.joblib': 'sklearn',
  '.pkl': 'sklearn',
  '.pickle': 'sklearn',
  '.onnx': 'onnx',
  '.ubj': 'xgboost',
  '.xgb': 'xgboost',
  '.lgb': 'lightgbm',
};

/** Extensions whose files are models only when their content says so. */
const SNIFFED = ['.json', '.txt'] as const;

/** Every extension a model file may have, for pickers and messages. */
export const MODEL_FILE_EXTENSIONS = [...Object.keys(BY_EXTENSION), ...SNIFFED] as const;

/** The files pickers offer: every model extension, and JSON/text files whose names suggest a model (their heads are read to be sure). */
export const MODEL_GLOB = `**/*{${Object.keys(BY_EXTENSION).join(',')},model*.json,model*.txt,*booster*.json,*booster*.txt,*xgb*.json,*lgb*.txt,*lightgbm*.txt}`;

/** Bytes of the file's beginning that `modelFormatOf` needs to tell a `.json` or `.txt` model. */
export const SNIFF_BYTES = 4096;

function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? '';
  const i = base.lastIndexOf('.');
  return i > 0 ? base.slice(i).toLowerCase() : '';
}

/** Whether the file's name alone cannot tell its format (its head must be read). */
export function needsSniff(file: string): boolean {
  return (SNIFFED as readonly string[]).includes(extensionOf(file));
}

/**
 * The format of a model file, from its extension, or for `.json`/`.txt` from its first bytes
 * (`head`): XGBoost's JSON starts with its "learner" object, LightGBM's text with "tree" and its
 * "version=v…" line. Undefined: not a model file the scaffold serves.
 */
export function modelFormatOf(file: string, head?: string): ModelFormat | undefined {
  const ext = extensionOf(file);
  const known = BY_EXTENSION[ext];
  if (known) return known;
  if (head === undefined) return undefined;
  const text = head.replace(/^\uFEFF/, '');
  if (ext === '.json' && /^\s*\{\s*"learner"\s*:\s*\{/.test(text)) return 'xgboost';
  if (ext === '.txt' && /^tree\r?\nversion=v\d/.test(text)) return 'lightgbm';
  return undefined;
}
