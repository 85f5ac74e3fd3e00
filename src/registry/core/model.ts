// The model registry's shapes, whoever keeps it (an MLflow server, a file store's models/
// folder, GTO's git tags), the parsing of a server's answers into them (checked field by
// field: a shared server may hold anything) and the model URIs that name a version.
// No editor API.

export interface RegisteredModel {
  readonly name: string;
  readonly description?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** alias → version */
  readonly aliases: Readonly<Record<string, string>>;
  readonly latestVersions: readonly ModelVersion[];
  readonly created?: number;
  readonly updated?: number;
}

export interface ModelVersion {
  readonly name: string;
  readonly version: string;
  /** READY, PENDING_REGISTRATION, FAILED_REGISTRATION */
  readonly status?: string;
  readonly statusMessage?: string;
  /** The stage on registries that still use stages (None, Staging, Production, Archived). */
  readonly stage?: string;
  readonly aliases: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly runId?: string;
  /** Where the model's files are: runs:/…, models:/m-… (an MLflow 3 logged model), a path or a bucket. */
  readonly source?: string;
  /** The MLflow 3 logged model the version was made from. */
  readonly modelId?: string;
  readonly description?: string;
  readonly created?: number;
  readonly updated?: number;
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const time = (v: unknown): number | undefined => {
  const n = Number(v);
  return v !== undefined && v !== null && v !== '' && Number.isFinite(n) ? n : undefined;
};

/** `[{key, value}]` as a record, its own keys only. */
function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (Array.isArray(v)) for (const t of v) if (typeof obj(t).key === 'string') out[obj(t).key as string] = str(obj(t).value) ?? '';
  return { ...out };
}

/** `o` without its undefined and empty-string fields (optional fields are left out, not set to undefined). */
function compact<T extends object>(o: T): Partial<T> {
  for (const [k, v] of Object.entries(o)) if (v === undefined || v === '') delete (o as Record<string, unknown>)[k];
  return o;
}

/** A model version as MLflow's REST API answers it (2.x and 3.x). */
export function parseVersion(raw: unknown): ModelVersion {
  const v = obj(raw);
  return {
    name: str(v.name) ?? '',
    version: str(v.version) ?? '',
    aliases: Array.isArray(v.aliases) ? v.aliases.filter((a): a is string => typeof a === 'string') : [],
    tags: tagsOf(v.tags),
    ...compact({
      status: str(v.status),
      statusMessage: str(v.status_message),
      stage: str(v.current_stage),
      runId: str(v.run_id),
      source: str(v.source),
      // Servers do not all answer model_id; a source models:/m-… names the logged model too.
      modelId: str(v.model_id) ?? /^models:\/(m-[\w-]+)$/.exec(str(v.source) ?? '')?.[1],
      description: str(v.description),
      created: time(v.creation_timestamp),
      updated: time(v.last_updated_timestamp),
    }),
  };
}

/** A registered model as MLflow's REST API answers it. */
export function parseModel(raw: unknown): RegisteredModel {
  const m = obj(raw);
  const aliases: Record<string, string> = {};
  if (Array.isArray(m.aliases)) for (const a of m.aliases) if (typeof obj(a).alias === 'string' && str(obj(a).version)) aliases[obj(a).alias as string] = str(obj(a).version)!;
  return {
    name: str(m.name) ?? '',
    tags: tagsOf(m.tags),
    aliases,
    latestVersions: Array.isArray(m.latest_versions) ? m.latest_versions.map(parseVersion) : [],
    ...compact({ description: str(m.description), created: time(m.creation_timestamp), updated: time(m.last_updated_timestamp) }),
  };
}

/** Versions newest first (numerically: 10 after 9). */
export function byVersionDesc(a: ModelVersion, b: ModelVersion): number {
  return Number(b.version) - Number(a.version) || b.version.localeCompare(a.version);
}

/** "v7" for MLflow's numbered versions; a GTO version ("v1.2.0") as it is. */
export function versionText(version: string): string {
  return /^\d+$/.test(version) ? `v${version}` : version;
}

/** "iris v7", "churn v1.2.0": a version as messages name it. */
export function versionLabel(v: { readonly name: string; readonly version: string }): string {
  return `${v.name} ${versionText(v.version)}`;
}

/** The model URI MLflow loads a version by: `models:/name@alias` or `models:/name/version`. */
export function modelUri(name: string, ref: { alias: string } | { version: string }): string {
  return 'alias' in ref ? `models:/${name}@${ref.alias}` : `models:/${name}/${ref.version}`;
}

/** `models:/name@alias`, `models:/name/3` (not `models:/m-…`, a logged model) → its parts. */
export function parseModelUri(uri: string): { name: string; alias?: string; version?: string } | undefined {
  const m = /^models:\/(.+?)(?:@([\w-]+)|\/(\d+|latest))$/.exec(uri.trim());
  if (!m || m[1]!.startsWith('m-') && !m[2] && !m[3]) return undefined;
  return { name: m[1]!, ...(m[2] ? { alias: m[2] } : {}), ...(m[3] ? { version: m[3] } : {}) };
}

/** What MLflow accepts as an alias: letters, digits, `_` and `-`, not `latest` nor `vN` (those name versions). */
export function aliasProblem(alias: string): string | undefined {
  if (!/^[\w-]+$/.test(alias)) return 'letters, digits, _ and - only';
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) return `"${alias}" names a version, not an alias`;
  if (alias.length > 255) return 'at most 255 characters';
  return undefined;
}

/** Models whose name, description or a tag (key or value) contains `text`, ignoring case. */
export function matches(model: RegisteredModel, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  const hay = [model.name, model.description ?? '', ...Object.entries(model.tags).flat(), ...Object.keys(model.aliases)];
  return hay.some((s) => s.toLowerCase().includes(q));
}

/** The registered version an image serves, as the generated fetch_model.py records it (model/registered.json). */
export interface ServedVersion {
  readonly name: string;
  readonly version: string;
  readonly alias?: string;
}

/** The label and annotation keys that carry a ServedVersion on an image and a Deployment's pod template. */
export const SERVED_KEYS = { name: 'mlops.workbench/registered-model', version: 'mlops.workbench/registered-version', alias: 'mlops.workbench/registered-alias' } as const;

/** registered.json's text (from the user's folder: checked, bounded) as a ServedVersion. */
export function parseServedRecord(text: string): ServedVersion | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text.slice(0, 64 * 1024));
  } catch {
    return undefined;
  }
  const o = obj(v);
  const name = typeof o.name === 'string' ? o.name.trim() : '';
  const version = str(o.version) ?? '';
  if (!name || name.length > 256 || !/^\d{1,9}$/.test(version)) return undefined;
  const alias = typeof o.alias === 'string' && !aliasProblem(o.alias) ? o.alias : undefined;
  return { name, version, ...(alias ? { alias } : {}) };
}

/** A ServedVersion as labels or annotations. */
export function servedLabels(s: ServedVersion): Record<string, string> {
  return { [SERVED_KEYS.name]: s.name, [SERVED_KEYS.version]: s.version, ...(s.alias ? { [SERVED_KEYS.alias]: s.alias } : {}) };
}

/** The ServedVersion in labels or annotations, if they carry one. */
export function servedFrom(m: Readonly<Record<string, string>> | undefined): ServedVersion | undefined {
  const name = m?.[SERVED_KEYS.name];
  const version = m?.[SERVED_KEYS.version];
  if (!name || !version) return undefined;
  const alias = m?.[SERVED_KEYS.alias];
  return { name, version, ...(alias ? { alias } : {}) };
}

/** "iris-classifier v7 (@champion)" */
export function servedText(s: ServedVersion): string {
  return `${s.name} v${s.version}${s.alias ? ` (@${s.alias})` : ''}`;
}
