// Learns a model's inputs without the editor: asks a real Python to load the model
// file (joblib/pickle run code from the file, so only the user's own files are
// inspected), or reads a sample CSV's header.
import { open } from 'node:fs/promises';
import type { CancellationTokenLike } from '../../common/cancellation';
import { ProcessTimeoutError, run, ToolNotFoundError } from '../../common/process';
import { UserFacingError } from '../../common/errors';
import type { Feature, FeatureType, ModelSource } from './model';
import type { ModelFormat, ModelLibrary } from './formats';
import { MODEL_FORMATS } from './formats';
import { t } from '../../common/l10n';

export interface ModelInfo {
  readonly featureNames?: string[];
  readonly featureCount?: number;
  readonly kind: 'classifier' | 'regressor' | 'other';
  /** The scikit-learn release of the Python that read the model. */
  readonly sklearnVersion?: string;
  /** The release the model was saved with (scikit-learn records it in the pickle; it warns when it differs). */
  readonly savedWith?: string;
  /** Libraries a pickled model needs besides scikit-learn (an XGBClassifier in a pipeline: xgboost). */
  readonly libraries?: ModelLibrary[];
}

// One script for every format: argv[1] the file, argv[2] its format. Only names, counts and
// versions come back, as one JSON line; XGBoost's and LightGBM's default names ("f0",
// "Column_0") are names they made up, not the columns the model was trained on.
const INSPECT = `
import importlib, json, re, sys, warnings
path, fmt = sys.argv[1], sys.argv[2]
def done(**kw):
    print(json.dumps(kw)); sys.exit(0)
def sklearn_model():
    saved = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import joblib
            m = joblib.load(path)
        except ModuleNotFoundError as e:
            done(error="missing", module=e.name)
        except AttributeError as e:
            # "Can't get attribute 'Cleaner' on <module '__main__'>": a class of the training code.
            done(error="class", detail=str(e))
        except Exception as e:
            done(error="load", detail=f"{type(e).__name__}: {e}")
    for w in caught:
        v = getattr(w.message, "original_sklearn_version", None)
        if v:
            saved = str(v)
    names = getattr(m, "feature_names_in_", None)
    try:
        import sklearn; version = sklearn.__version__
    except Exception:
        version = None
    parts = [m] + [s for _, s in getattr(m, "steps", [])]
    libraries = sorted({type(p).__module__.split(".")[0] for p in parts} & {"xgboost", "lightgbm"})
    kind = "classifier" if hasattr(m, "classes_") else ("regressor" if hasattr(m, "predict") else "other")
    done(featureNames=[str(n) for n in names] if names is not None else None, featureCount=getattr(m, "n_features_in_", None), kind=kind, sklearnVersion=version, savedWith=saved or version, libraries=libraries)
def load(module, make):
    """The library, then the model made with it; a missing library or an unreadable file is said."""
    try:
        lib = importlib.import_module(module)
    except ModuleNotFoundError as e:
        done(error="missing", module=e.name)
    try:
        return make(lib)
    except Exception as e:
        done(error="load", detail=f"{type(e).__name__}: {e}")
def onnx_model():
    s = load("onnxruntime", lambda ort: ort.InferenceSession(path, providers=["CPUExecutionProvider"]))
    inputs = s.get_inputs()
    kind = "classifier" if len(s.get_outputs()) > 1 else "regressor"
    if len(inputs) == 1:
        shape = inputs[0].shape
        count = shape[1] if len(shape) == 2 and isinstance(shape[1], int) else None
        done(featureNames=None, featureCount=count, kind=kind)
    # One input per column (as converters make for a DataFrame): the inputs' names are the columns.
    done(featureNames=[i.name for i in inputs], featureCount=len(inputs), kind=kind)
def xgboost_model():
    b = load("xgboost", lambda xgboost: xgboost.Booster(model_file=path))
    objective = json.loads(b.save_config())["learner"]["objective"]["name"]
    names = b.feature_names
    kind = "classifier" if objective.startswith(("binary:", "multi:")) else "regressor"
    done(featureNames=list(names) if names else None, featureCount=b.num_features(), kind=kind)
def lightgbm_model():
    b = load("lightgbm", lambda lightgbm: lightgbm.Booster(model_file=path))
    names = b.feature_name()
    made_up = all(re.fullmatch(r"Column_[0-9]+", n) for n in names)
    objective = ""
    with open(path, encoding="utf-8", errors="replace") as f:  # the header, before the first tree
        for line in f:
            if line.startswith("objective="):
                objective = line[len("objective="):].split(" ")[0].strip()
            if line.startswith("Tree="):
                break
    kind = "classifier" if objective in ("binary", "multiclass", "multiclassova") else "regressor"
    done(featureNames=None if made_up else names, featureCount=b.num_feature(), kind=kind)
{"sklearn": sklearn_model, "onnx": onnx_model, "xgboost": xgboost_model, "lightgbm": lightgbm_model}[fmt]()
`;

export async function inspectModel(python: string, file: string, token?: CancellationTokenLike, format: ModelFormat = 'sklearn'): Promise<ModelInfo> {
  let out: string;
  try {
    const r = await run(python, ['-c', INSPECT, file, format], { timeoutMs: 60_000, maxStdoutBytes: 4 * 1024 * 1024, token });
    if (r.code !== 0) throw new UserFacingError(t('Python could not inspect {0}.', file), r.stderr);
    out = r.stdout;
  } catch (err) {
    if (err instanceof ToolNotFoundError) throw new UserFacingError(t('Python was not found at "{0}". Set mlops.python.path to a Python with {1}.', python, MODEL_FORMATS[format].module));
    if (err instanceof ProcessTimeoutError) throw new UserFacingError(t('Python could not inspect {0} within 60 s.', file), err.stderr);
    throw err;
  }
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { error?: string; module?: string; detail?: string } & ModelInfo;
  if (r.error === 'missing' && r.module?.startsWith('sklearn.')) {
    // sklearn.ensemble.forest, sklearn.externals.joblib: paths that older releases had.
    throw new UserFacingError(t('The model was saved with an older scikit-learn: the module {0} it refers to no longer exists in the one at "{1}". Read and serve it with the release it was saved with (install that scikit-learn in the project\'s environment), or save it again with the current one.', r.module, python));
  }
  if (r.error === 'missing') throw new UserFacingError(t('The Python at "{0}" lacks the module "{1}" needed to read the model. Install it there, or set mlops.python.path.', python, r.module));
  if (r.error === 'class') {
    const cls = /attribute '([^']+)' on <module '([^']+)'/.exec(r.detail ?? '');
    throw new UserFacingError(
      cls
        ? t('The model uses the class {0}, defined in {1} of the code that trained it, which is not here. The API needs it too: move the class into a module both the training code and the app import, and save the model again.', cls[1]!, cls[2] === '__main__' ? t('the training script') : cls[2]!)
        : t('The model file could not be read: {0}', r.detail),
      r.detail,
    );
  }
  if (r.error === 'load') throw new UserFacingError(t('The model file could not be read: {0}', r.detail));
  return {
    ...(r.featureNames ? { featureNames: r.featureNames } : {}),
    ...(typeof r.featureCount === 'number' ? { featureCount: r.featureCount } : {}),
    kind: r.kind,
    ...(r.sklearnVersion ? { sklearnVersion: r.sklearnVersion } : {}),
    ...(r.savedWith ? { savedWith: r.savedWith } : {}),
    ...(r.libraries?.length ? { libraries: r.libraries } : {}),
  };
}

/**
 * What reading the model told, kept in the source: the scikit-learn release it was saved with
 * (pinned), whether it was fitted on named columns (it is given a DataFrame), the libraries a
 * pickled model needs besides scikit-learn (installed).
 */
export function withInspected(source: ModelSource & { kind: 'file' }, info: ModelInfo): ModelSource {
  return {
    ...source,
    ...(info.savedWith ? { sklearnVersion: info.savedWith } : {}),
    ...(info.featureNames ? { namedFeatures: true } : {}),
    ...(info.libraries?.length ? { libraries: info.libraries } : {}),
  };
}

/** Features from a CSV's header; types from its first data row (numbers → float, else text). */
export async function featuresFromCsv(file: string, target?: string): Promise<Feature[]> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/);
    const header = splitCsvLine(lines[0] ?? '');
    const first = splitCsvLine(lines[1] ?? '');
    return header
      .map((name, i): Feature => {
        const v = first[i] ?? '';
        const type: FeatureType = v !== '' && Number.isFinite(Number(v)) ? 'float' : 'str';
        return { name, type, ...(v !== '' ? { example: type === 'float' ? Number(v) : v } : {}) };
      })
      .filter((f) => f.name !== '' && f.name !== target);
  } finally {
    await fh.close();
  }
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur.trim());
  return out;
}
