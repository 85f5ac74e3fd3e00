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
