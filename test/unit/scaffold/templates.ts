// Reads media/templates/model-api the way the extension does: every file, by relative path.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const templatesRoot = path.resolve(__dirname, '..', '..', '..', 'media', 'templates', 'model-api');

export function loadTemplates(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(templatesRoot, p).split(path.sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(templatesRoot);
  return out;
}
