// MLflow's Model Registry over its REST API (the server's, 2.x with stages and 3.x with
// aliases and logged models), through the tracking client's rest(): listing every model with
// every version in a few paged calls, and each action the Models view offers. No editor API.
import { ErrorCode, hasCode } from '../../common/errors';
import type { MlflowClient } from '../../experiments/core/mlflow/client';
import type { ModelVersion, RegisteredModel } from './model';
import { byVersionDesc, parseModel, parseVersion } from './model';

/** A registered model with all of its live versions, newest first. */
export interface ModelEntry {
  readonly model: RegisteredModel;
  readonly versions: readonly ModelVersion[];
}

/**
 * Models and versions per search page: a quarter of the most MLflow allows (1,000) and of
 * its default (10,000), so that a large registry's pages come four at a time.
 */
const MODELS_PAGE = 250;
const VERSIONS_PAGE = 2500;

export class MlflowRegistry {
  constructor(readonly client: MlflowClient) {}

  get uri(): string {
    return this.client.uri;
  }

  /** Every page of a registry search, several at a time on a server that pages by offset (the client's paging: a server that pages without end is stopped with an error). */
  private pages<T>(endpoint: string, key: string, maxResults: number, parse: (raw: unknown) => T): Promise<T[]> {
    return this.client.allPagesByOffset(
      (token, opts) => this.client.rest<Record<string, unknown> & { next_page_token?: string }>('GET', endpoint, undefined, { max_results: maxResults, page_token: token }, opts),
      (r) => (Array.isArray(r[key]) ? (r[key] as unknown[]).map(parse) : []),
      maxResults,
      // The first four pages at once: a registry's size is not known before its first page.
      { speculative: true },
    );
  }

  /** Every registered model and its versions: one search of models and one of versions (each paged), joined by name. */
  async list(): Promise<ModelEntry[]> {
    const [models, versions] = await Promise.all([this.pages('registered-models/search', 'registered_models', MODELS_PAGE, parseModel), this.pages('model-versions/search', 'model_versions', VERSIONS_PAGE, parseVersion)]);
    const byName = new Map<string, ModelVersion[]>();
    for (const v of versions) {
      const list = byName.get(v.name);
      if (list) list.push(v);
      else byName.set(v.name, [v]);
    }
    // A version's aliases are the model's that point at it (the version search leaves them out).
    const withAliases = (model: RegisteredModel, v: ModelVersion): ModelVersion => ({ ...v, aliases: Object.keys(model.aliases).filter((a) => model.aliases[a] === v.version) });
    return models
      .map((model) => ({ model, versions: (byName.get(model.name) ?? []).map((v) => withAliases(model, v)).sort(byVersionDesc) }))
      .sort((a, b) => a.model.name.localeCompare(b.model.name));
  }

  async model(name: string): Promise<RegisteredModel> {
    return parseModel((await this.client.rest<{ registered_model?: unknown }>('GET', 'registered-models/get', undefined, { name })).registered_model);
  }

  async version(name: string, version: string): Promise<ModelVersion> {
    return parseVersion((await this.client.rest<{ model_version?: unknown }>('GET', 'model-versions/get', undefined, { name, version })).model_version);
  }

  /** The version an alias points at. */
  async versionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return parseVersion((await this.client.rest<{ model_version?: unknown }>('GET', 'registered-models/alias', undefined, { name, alias })).model_version);
  }

  /** Creates the registered model unless it exists; true when it was created. */
  async ensureModel(name: string, description?: string): Promise<boolean> {
    try {
      await this.client.rest('POST', 'registered-models/create', { name, ...(description ? { description } : {}) });
      return true;
    } catch (err) {
      if (hasCode(err, ErrorCode.alreadyExists)) return false;
      throw err;
    }
  }

  /**
   * Registers a model as a new version of `name` (made first when missing): `source` is the
   * model's URI (`runs:/…`, or `models:/m-…` for an MLflow 3 logged model, with its id).
   */
  async register(name: string, source: string, runId?: string, modelId?: string): Promise<ModelVersion> {
    await this.ensureModel(name);
    const r = await this.client.rest<{ model_version?: unknown }>('POST', 'model-versions/create', { name, source, ...(runId ? { run_id: runId } : {}), ...(modelId ? { model_id: modelId } : {}) });
    return parseVersion(r.model_version);
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.client.rest('POST', 'registered-models/alias', { name, alias, version });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.client.rest('DELETE', 'registered-models/alias', { name, alias });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.client.rest('POST', 'registered-models/set-tag', { name, key, value });
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.client.rest('DELETE', 'registered-models/delete-tag', { name, key });
  }

  async setVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.client.rest('POST', 'model-versions/set-tag', { name, version, key, value });
  }

  async deleteVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.client.rest('DELETE', 'model-versions/delete-tag', { name, version, key });
  }

  async describeModel(name: string, description: string): Promise<void> {
    await this.client.rest('PATCH', 'registered-models/update', { name, description });
  }

  async describeVersion(name: string, version: string, description: string): Promise<void> {
    await this.client.rest('PATCH', 'model-versions/update', { name, version, description });
  }

  /** A stage transition (MLflow 2.x; deprecated in 3.x, where aliases replace it). */
  async transitionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    const r = await this.client.rest<{ model_version?: unknown }>('POST', 'model-versions/transition-stage', { name, version, stage, archive_existing_versions: archiveExisting });
    return parseVersion(r.model_version);
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.client.rest('DELETE', 'model-versions/delete', { name, version });
  }

  async deleteModel(name: string): Promise<void> {
    await this.client.rest('DELETE', 'registered-models/delete', { name });
  }
}
