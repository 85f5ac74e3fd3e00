// A request body for the smoke test of an app that has no sample payload: from the app's own
// OpenAPI document (FastAPI serves one at /openapi.json), the POST route that predicts
// (/predict, else one named like predicting, else the only POST with a JSON body) and an
// example of its schema: the document's own example when it gives one, else values of
// each field's type. The document is the app's answer: bounded in depth and size, never
// trusted to be well formed. No editor API.

export interface OpenApiPayload {
  /** The route, "/predict" or "/v1/models/iris:predict". */
  readonly path: string;
  readonly payload: unknown;
  /** For the output: which route and where the body came from. */
  readonly reason: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const MAX_DEPTH = 8;
const PREDICTING = /predict|infer|score|classif|forecast|invocations/i;

/** The POST route to smoke-test and a body for it; undefined when the document has none. */
export function payloadFromOpenApi(doc: unknown): OpenApiPayload | undefined {
  if (!isObj(doc) || !isObj(doc.paths)) return undefined;
  const posts: Array<{ path: string; body: Json }> = [];
  for (const [p, item] of Object.entries(doc.paths).slice(0, 500)) {
    const post = isObj(item) ? item.post : undefined;
    const content = isObj(post) && isObj(post.requestBody) ? post.requestBody.content : undefined;
    const json = isObj(content) ? content['application/json'] : undefined;
    if (typeof p === 'string' && p.startsWith('/') && isObj(json)) posts.push({ path: p, body: json });
  }
  const chosen = posts.find((x) => x.path === '/predict') ?? posts.find((x) => PREDICTING.test(x.path)) ?? (posts.length === 1 ? posts[0] : undefined);
  if (!chosen) return undefined;
  const { body } = chosen;
  const examples = isObj(body.examples) ? Object.values(body.examples).find((e) => isObj(e) && 'value' in e) : undefined;
  if ('example' in body) return { path: chosen.path, payload: body.example, reason: `POST ${chosen.path} with the example its OpenAPI document gives` };
  if (isObj(examples)) return { path: chosen.path, payload: examples.value, reason: `POST ${chosen.path} with the first of the examples its OpenAPI document gives` };
  const payload = exampleOf(body.schema, doc, 0, new Set());
  return { path: chosen.path, payload, reason: `POST ${chosen.path} with a body built from its schema in /openapi.json` };
}

/** A value of a JSON schema: its example, default, first enum value or const, else one of its type. */
export function exampleOf(schema: unknown, doc: unknown, depth: number, seen: Set<string>): unknown {
  if (!isObj(schema) || depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (seen.has(ref)) return null;
    const target = resolve(doc, ref);
    return exampleOf(target, doc, depth + 1, new Set([...seen, ref]));
  }
  if ('example' in schema) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) {
      const first = list.find((s) => !(isObj(s) && s.type === 'null'));
      return exampleOf(first, doc, depth + 1, seen);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Json = {};
    for (const part of schema.allOf.slice(0, 20)) {
      const v = exampleOf(part, doc, depth + 1, seen);
      if (isObj(v)) Object.assign(merged, v);
    }
    return merged;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  switch (type) {
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1.0;
    case 'boolean':
      return true;
    case 'string':
      return schema.format === 'date-time' ? '2024-01-01T00:00:00Z' : schema.format === 'date' ? '2024-01-01' : 'string';
    case 'array': {
      const n = Math.min(typeof schema.minItems === 'number' && schema.minItems > 0 ? schema.minItems : 1, 100);
      // A list of rows, each a list of numbers (prefixItems or a fixed length), as models take.
      if (Array.isArray(schema.prefixItems)) return schema.prefixItems.slice(0, 100).map((s) => exampleOf(s, doc, depth + 1, seen));
      const item = exampleOf(schema.items, doc, depth + 1, seen);
      return Array.from({ length: n }, () => structuredClone(item));
    }
    default: {
      if (!isObj(schema.properties) && type !== 'object') return null;
      const out: Json = {};
      const props = isObj(schema.properties) ? schema.properties : {};
      for (const [k, v] of Object.entries(props).slice(0, 200)) {
        if (k === '__proto__') continue;
        out[k] = exampleOf(v, doc, depth + 1, seen);
      }
      return out;
    }
  }
}

/** "#/components/schemas/Iris" (or "#/definitions/Iris") in the same document; nothing else is fetched. */
function resolve(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split('/').slice(0, 10)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}
