// The model registry of MLflow's file store (`mlruns/models/`), read directly as MLflow
// writes it: `<name>/meta.yaml`, `<name>/tags/`, `<name>/aliases/<alias>` (the version),
// `<name>/version-<n>/meta.yaml` and its `tags/`. Deleted versions (stage Deleted_Internal)
// are left out. The same untrusted-store rules as the run reader: no links followed,
// bounded files, unreadable entries reported, never fatal. Read-only. No editor API.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FileStoreProblem } from '../../experiments/core/mlflow/fileStore';
import { keyValuesSync, readMapping } from '../../experiments/core/mlflow/fileStore';
import type { ModelEntry } from './mlflowRegistry';
import type { ModelVersion } from './model';
import { byVersionDesc, parseModel, parseVersion } from './model';

const DELETED_STAGE = 'Deleted_Internal';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

export class FileRegistry {
  /** `root`: the file store (the folder holding `models/`). */
  constructor(readonly root: string) {}

  get dir(): string {
    return path.join(this.root, 'models');
  }

  async list(): Promise<{ entries: ModelEntry[]; problems: FileStoreProblem[] }> {
    const { parse: parseYaml } = await import('yaml');
    const parse = (s: string): unknown => parseYaml(s, { logLevel: 'error' });
    const problems: FileStoreProblem[] = [];
    const entries: ModelEntry[] = [];
    let names;
    try {
      names = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory());
    } catch {
      return { entries, problems };
    }
    for (const e of names) {
      const dir = path.join(this.dir, e.name);
      let meta: Record<string, unknown>;
      try {
        meta = readMapping(path.join(dir, 'meta.yaml'), parse);
      } catch (err) {
        problems.push({ path: path.join(dir, 'meta.yaml'), message: (err as Error).message });
        continue;
      }
      const name = text(meta.name) ?? e.name;
      const aliases: Record<string, string> = {};
      for (const [alias, version] of keyValuesSync(path.join(dir, 'aliases'))) if (!alias.includes('/')) aliases[alias] = version.trim();
      const versions: ModelVersion[] = [];
      for (const v of await readdir(dir, { withFileTypes: true })) {
        if (!v.isDirectory() || !/^version-\d+$/.test(v.name)) continue;
        const file = path.join(dir, v.name, 'meta.yaml');
        let m: Record<string, unknown>;
        try {
          m = readMapping(file, parse);
        } catch (err) {
          problems.push({ path: file, message: (err as Error).message });
          continue;
        }
        const stage = text(m.current_stage);
        if (stage === DELETED_STAGE) continue;
        // The same fields as the REST API's answer; tags are files, aliases the model's.
        const version = parseVersion({ ...m, version: text(m.version) ?? v.name.slice('version-'.length), tags: [] });
        versions.push({ ...version, name, aliases: Object.keys(aliases).filter((a) => aliases[a] === version.version), tags: Object.fromEntries(keyValuesSync(path.join(dir, v.name, 'tags'))) });
      }
      versions.sort(byVersionDesc);
      entries.push({ model: { ...parseModel({ ...meta, name, tags: [], aliases: [] }), tags: Object.fromEntries(keyValuesSync(path.join(dir, 'tags'))), aliases, latestVersions: versions.slice(0, 1) }, versions });
    }
    entries.sort((a, b) => a.model.name.localeCompare(b.model.name));
    return { entries, problems };
  }
}

/** Whether a file store holds a registry (a `models/` folder with at least one model). */
export async function hasFileRegistry(root: string): Promise<boolean> {
  try {
    return (await readdir(path.join(root, 'models'), { withFileTypes: true })).some((e) => e.isDirectory());
  } catch {
    return false;
  }
}
