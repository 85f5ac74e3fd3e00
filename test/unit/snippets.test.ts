import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributed = manifest.contributes.snippets as Array<{ language: string; path: string }>;

interface Snippet {
  prefix: string;
  body: string | string[];
  description?: string;
}

/** The text a snippet inserts when every placeholder keeps its default (first choice). */
function expand(body: string): string {
  let out = body;
  for (let i = 0; i < 10; i++) {
    const next = out
      .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_, __, choices: string) => choices.split(',')[0])
      .replace(/\$\{(\d+):([^${}]*)\}/g, '$2')
      .replace(/\$\{\d+\}|\$\d+/g, '');
    if (next === out) break;
    out = next;
  }
  return out.replace(/\\\$/g, '$');
}

describe('snippets', () => {
  const all: Array<{ lang: string; name: string; s: Snippet }> = [];
  for (const c of contributed) {
    const file = JSON.parse(readFileSync(path.join(root, c.path), 'utf8')) as Record<string, Snippet>;
    for (const [name, s] of Object.entries(file)) all.push({ lang: c.language, name, s });
  }

  it('there are at least 20, across Python, Dockerfile and YAML', () => {
    assert.ok(all.length >= 20, `${all.length}`);
    assert.deepEqual([...new Set(all.map((a) => a.lang))].sort(), ['dockerfile', 'python', 'yaml']);
  });

  it('prefixes are unique and namespaced', () => {
    const prefixes = all.map((a) => a.s.prefix);
    assert.equal(new Set(prefixes).size, prefixes.length);
    for (const p of prefixes) assert.match(p, /^mlops-[a-z0-9-]+$/);
  });

  it('bodies are well formed: balanced placeholders, consistent defaults, a description', () => {
    for (const { name, s } of all) {
      assert.ok(s.description, `${name}: description`);
      const body = Array.isArray(s.body) ? s.body.join('\n') : s.body;
      assert.ok(/\$\{?\d/.test(body), `${name}: has tab stops`);
      let depth = 0;
      for (let i = 0; i < body.length; i++) {
        if (body[i] === '\\') i++;
        else if (body[i] === '$' && body[i + 1] === '{') {
          depth++;
          i++;
        }
        else if (body[i] === '}' && depth > 0) depth--;
      }
      assert.equal(depth, 0, `${name}: unbalanced \${`);
      const defaults = new Map<string, string>();
      for (const m of body.matchAll(/\$\{(\d+):([^${}]*)\}/g)) {
        const prev = defaults.get(m[1]);
        assert.ok(prev === undefined || prev === m[2], `${name}: tab stop ${m[1]} has two defaults`);
        defaults.set(m[1], m[2]);
      }
    }
  });

  it('YAML snippets, as inserted, are valid YAML; Dockerfile lines start with instructions', () => {
    for (const { lang, name, s } of all) {
      const text = expand(Array.isArray(s.body) ? s.body.join('\n') : s.body);
      if (lang === 'yaml') {
        assert.doesNotThrow(() => parseYaml(text), name);
        assert.doesNotMatch(text, /\t/, `${name}: tabs in YAML`);
      }
      if (lang === 'dockerfile') {
        const lines = text.split('\n');
        lines.forEach((l, i) => {
          if (l.trim() === '' || l.startsWith('#') || lines[i - 1]?.endsWith('\\')) return;
          assert.match(l, /^(FROM|RUN|ENV|COPY|WORKDIR|USER|EXPOSE|HEALTHCHECK|CMD|ARG|LABEL|ENTRYPOINT)\b/, `${name}: ${l}`);
        });
      }
    }
  });
});
