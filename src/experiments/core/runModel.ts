// The model a run logged, wherever MLflow put it: an MLflow 3 LoggedModel (models:/m-…)
// or an MLflow 2 model folder among the run's artifacts (runs:/<id>/<folder>), with the
// signature from its MLmodel file. No editor API.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Run } from './model';
import type { ExperimentSource } from './sources';
import { MlflowFilesSource, MlflowServerSource } from './sources';

export interface RunModel {
  /** What `mlflow.artifacts.download_artifacts` (and the scaffold) accepts. */
  readonly uri: string;
  readonly signature?: { readonly inputs?: string; readonly outputs?: string };
}

/** MLmodel's `signature` block, its JSON column specs pretty-printed one column per line. */
export async function signatureOf(mlmodel: string): Promise<RunModel['signature']> {
  const { parse } = await import('yaml');
  const doc = parse(mlmodel) as { signature?: { inputs?: string; outputs?: string } } | null;
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
  const signature = mlmodel ? await signatureOf(mlmodel) : undefined;
  return { uri, ...(signature ? { signature } : {}) };
}

/** The run's logged model, or undefined when it logged none (DVC experiments never do). */
export async function findRunModel(source: ExperimentSource, run: Run): Promise<RunModel | undefined> {
  if (source.kind === 'dvc') return undefined;
  if (source instanceof MlflowServerSource) {
    const id = (await source.client.loggedModelIds(run.id).catch(() => [] as string[])).at(-1);
    if (id) {
      return model(`models:/${id}`, await source.client.loggedModelText(id, 'MLmodel').catch(() => undefined));
    }
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
