// The model a run logged, wherever MLflow put it: an MLflow 3 LoggedModel (models:/m-…)
// or an MLflow 2 model folder among the run's artifacts (runs:/<id>/<folder>), with the
// signature from its MLmodel file. No editor API.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Run } from './model';
import type { ExperimentSource } from './sources';
import { MlflowFilesSource, MlflowServerSource } from './sources';

/** One input of a model's signature: a named column, or one column of a 2-D tensor (unnamed). */
export interface SignatureInput {
  readonly name?: string;
  /** MLflow's type (double, long, string, boolean…) or the tensor's dtype (float64, int32…). */
  readonly type: string;
}

export interface RunModel {
  /** What `mlflow.artifacts.download_artifacts` (and the scaffold) accepts. */
  readonly uri: string;
  readonly signature?: { readonly inputs?: string; readonly outputs?: string };
  /** The signature's inputs, one per column, when it has them in a form a form can take. */
  readonly inputs?: readonly SignatureInput[];
}

/** A signature's inputs (its JSON spec) as columns: column specs as they are, a tensor of shape [-1, n] as n columns. */
export function signatureInputs(spec: string | undefined): SignatureInput[] | undefined {
  if (!spec) return undefined;
  let cols: unknown;
  try {
    cols = JSON.parse(spec);
  } catch {
    return undefined;
  }
  if (!Array.isArray(cols) || cols.length === 0) return undefined;
  const first = cols[0] as { type?: unknown; 'tensor-spec'?: { dtype?: unknown; shape?: unknown } };
  if (cols.length === 1 && first['tensor-spec']) {
    const shape = first['tensor-spec'].shape;
    const n = Array.isArray(shape) && shape.length === 2 && Number.isInteger(shape[1]) && (shape[1] as number) > 0 && (shape[1] as number) <= 10_000 ? (shape[1] as number) : undefined;
    return n ? Array.from({ length: n }, () => ({ type: String(first['tensor-spec']!.dtype ?? 'float64') })) : undefined;
  }
  const out: SignatureInput[] = [];
  for (const c of cols as Array<{ name?: unknown; type?: unknown }>) {
    if (typeof c?.type !== 'string' || c.type === 'tensor') return undefined;
    out.push({ ...(typeof c.name === 'string' ? { name: c.name } : {}), type: c.type });
  }
  return out;
}

/** MLmodel's `signature` block, its JSON column specs pretty-printed one column per line. */
export async function signatureOf(mlmodel: string): Promise<RunModel['signature']> {
  const { parse } = await import('yaml');
  return signatureIn(parse(mlmodel) as MLmodelDoc);
}

type MLmodelDoc = { signature?: { inputs?: string; outputs?: string } } | null;

function signatureIn(doc: MLmodelDoc): RunModel['signature'] {
  const sig = doc?.signature;
  if (!sig) return undefined;
  const pretty = (spec?: string): string | undefined => {
    if (!spec) return undefined;
    try {
      const cols = JSON.parse(spec) as Array<{ name?: string; type?: string; 'tensor-spec'?: { dtype?: string; shape?: number[] } }>;
      return cols.map((c) => (c['tensor-spec'] ? `${c.name ?? 'tensor'}: ${c['tensor-spec'].dtype ?? c.type}${JSON.stringify(c['tensor-spec'].shape ?? [])}` : `${c.name ?? '(unnamed)'}: ${c.type ?? '?'}`)).join('\n');
    } catch {
      return spec;
    }
  };
  const inputs = pretty(sig.inputs);
  const outputs = pretty(sig.outputs);
  return { ...(inputs ? { inputs } : {}), ...(outputs ? { outputs } : {}) };
}

async function artifactText(source: ExperimentSource, run: Run, file: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-mlmodel-'));
  try {
    const dest = path.join(dir, 'MLmodel');
    await source.downloadArtifact(run, file, dest);
    return await readFile(dest, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function model(uri: string, mlmodel: string | undefined): Promise<RunModel> {
  if (!mlmodel) return { uri };
  // One parse for both: the signature as text, and its inputs as columns.
  const { parse } = await import('yaml');
  const doc = parse(mlmodel) as MLmodelDoc;
  const signature = signatureIn(doc);
  const inputs = signatureInputs(doc?.signature?.inputs);
  return { uri, ...(signature ? { signature } : {}), ...(inputs ? { inputs } : {}) };
}

/** An MLflow 3 logged model on a server (a registered version made from it), with its signature. */
export async function loggedModel(source: MlflowServerSource, modelId: string): Promise<RunModel> {
  return model(`models:/${modelId}`, await source.client.loggedModelText(modelId, 'MLmodel').catch(() => undefined));
}

/** The run's logged model, or undefined when it logged none (DVC experiments never do). */
export async function findRunModel(source: ExperimentSource, run: Run): Promise<RunModel | undefined> {
  if (source.kind === 'dvc') return undefined;
  if (source instanceof MlflowServerSource) {
    const id = (await source.client.loggedModelIds(run.id).catch(() => [] as string[])).at(-1);
    if (id) return loggedModel(source, id);
  }
  if (source instanceof MlflowFilesSource) {
    const last = (await source.loggedModels(run)).at(-1);
    if (last) return model(`models:/${last.id}`, await readFile(path.join(last.artifacts, 'MLmodel'), 'utf8').catch(() => undefined));
  }
  // MLflow 2 (and MLflow 3 file stores with a model folder among the artifacts).
  for (const entry of (await source.artifacts(run)).filter((a) => a.isDir)) {
    const inside = await source.artifacts(run, entry.path);
    if (inside.some((a) => a.path === `${entry.path}/MLmodel`)) {
      return model(`runs:/${run.id}/${entry.path}`, await artifactText(source, run, `${entry.path}/MLmodel`).catch(() => undefined));
    }
  }
  return undefined;
}
