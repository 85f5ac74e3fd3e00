// Learns a model's inputs without the editor: asks a real Python to load the model
// file (joblib/pickle run code from the file, so only the user's own files are
// inspected), or reads a sample CSV's header.
import { open } from 'node:fs/promises';
import type { CancellationTokenLike } from '../../common/cancellation';
import { ProcessTimeoutError, run, ToolNotFoundError } from '../../common/process';
import { UserFacingError } from '../../common/errors';
import type { Feature, FeatureType } from './model';
import { t } from '../../common/l10n';

export interface ModelInfo {
  readonly featureNames?: string[];
  readonly featureCount?: number;
  readonly kind: 'classifier' | 'regressor' | 'other';
  /** The scikit-learn release of the Python that read the model. */
  readonly sklearnVersion?: string;
  /** The release the model was saved with (scikit-learn records it in the pickle; it warns when it differs). */
  readonly savedWith?: string;
}

const INSPECT = `
import json, sys, warnings
saved = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        import joblib
        m = joblib.load(sys.argv[1])
    except ModuleNotFoundError as e:
        print(json.dumps({"error": "missing", "module": e.name})); sys.exit(0)
    except AttributeError as e:
        # "Can't get attribute 'Cleaner' on <module '__main__'>": a class of the training code.
        print(json.dumps({"error": "class", "detail": str(e)})); sys.exit(0)
    except Exception as e:
        print(json.dumps({"error": "load", "detail": f"{type(e).__name__}: {e}"})); sys.exit(0)
for w in caught:
    v = getattr(w.message, "original_sklearn_version", None)
    if v:
        saved = str(v)
names = getattr(m, "feature_names_in_", None)
try:
    import sklearn; version = sklearn.__version__
except Exception:
    version = None
kind = "classifier" if hasattr(m, "classes_") else ("regressor" if hasattr(m, "predict") else "other")
print(json.dumps({"featureNames": [str(n) for n in names] if names is not None else None, "featureCount": getattr(m, "n_features_in_", None), "kind": kind, "sklearnVersion": version, "savedWith": saved or version}))
`;

export async function inspectModel(python: string, file: string, token?: CancellationTokenLike): Promise<ModelInfo> {
  let out: string;
  try {
    const r = await run(python, ['-c', INSPECT, file], { timeoutMs: 60_000, maxStdoutBytes: 4 * 1024 * 1024, token });
    if (r.code !== 0) throw new UserFacingError(t('Python could not inspect {0}.', file), r.stderr);
    out = r.stdout;
  } catch (err) {
    if (err instanceof ToolNotFoundError) throw new UserFacingError(t('Python was not found at "{0}". Set mlops.python.path to a Python with scikit-learn.', python));
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
