// Which model API projects serve a registered model, and what a deploy of a version into
// one records. No editor API.
import type { ModelApiProject } from '../../scaffold/core/projects';
import type { ModelVersion } from './model';
import { parseModelUri } from './model';

/** The projects that serve a registered model: scaffolded from an MLflow URI naming it. */
export function projectsServing(projects: readonly ModelApiProject[], name: string): ModelApiProject[] {
  return projects.filter((p) => p.modelSource?.kind === 'mlflow' && p.modelSource.uri !== undefined && parseModelUri(p.modelSource.uri)?.name === name);
}

/** The alias a deploy of `v` into a project records: the one the project follows, when `v` holds it now. */
export function recordedAlias(project: ModelApiProject, v: ModelVersion): string | undefined {
  const followed = project.modelSource?.uri ? parseModelUri(project.modelSource.uri)?.alias : undefined;
  return followed && v.aliases.includes(followed) ? followed : undefined;
}

/** The libraries a model's flavour loads with: a project that lacks one cannot load the model. */
const MODEL_LIBRARIES = new Set(['scikit-learn', 'skops', 'xgboost', 'lightgbm', 'catboost', 'torch', 'tensorflow', 'keras', 'onnx', 'onnxruntime', 'statsmodels', 'prophet', 'transformers', 'sentence-transformers', 'cloudpickle', 'h2o', 'spacy', 'fastai']);
/** The same library under another distribution name. */
const SAME_AS: Readonly<Record<string, string>> = { 'xgboost-cpu': 'xgboost', 'mlflow-skinny': 'mlflow', 'tensorflow-cpu': 'tensorflow', 'onnxruntime-gpu': 'onnxruntime', sklearn: 'scikit-learn' };

function distribution(line: string): string | undefined {
  const t = line.replace(/#.*$/, '').trim();
  if (!t || t.startsWith('-')) return undefined;
  const name = t.split(/[<>=!~;[\s@]/, 1)[0]!.toLowerCase().replace(/[-_.]+/g, '-');
  return name ? (SAME_AS[name] ?? name) : undefined;
}

/**
 * The lines of a model's requirements.txt (MLflow writes one beside the model) naming a
 * model library the project's requirements.txt does not install. Only libraries a flavour
 * loads with are compared: MLflow's list also names what merely happened to be imported.
 */
export function missingModelPackages(modelRequirements: string, projectRequirements: string): string[] {
  const have = new Set(projectRequirements.split(/\r?\n/).map(distribution).filter((n): n is string => !!n));
  return modelRequirements
    .split(/\r?\n/)
    .filter((line) => {
      const name = distribution(line);
      return !!name && MODEL_LIBRARIES.has(name) && !have.has(name);
    })
    .map((l) => l.trim());
}
