// The OpenAPI document is the app's answer: a schema that refers to itself, nests without
// end, names __proto__ or holds no POST route gives a bounded body or none, never a hang.
import { strict as assert } from 'node:assert';
import { payloadFromOpenApi } from '../../../src/scaffold/core/openapi';

const withBody = (schema: unknown, components: Record<string, unknown> = {}): unknown => ({
  paths: { '/predict': { post: { requestBody: { content: { 'application/json': { schema } } } } } },
  components: { schemas: components },
});

describe('hostile OpenAPI documents', () => {
  it('a schema that refers to itself ends', () => {
    const out = payloadFromOpenApi(withBody({ $ref: '#/components/schemas/A' }, { A: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' }, b: { type: 'number' } } } }));
    assert.deepEqual(out?.payload, { a: null, b: 1 });
  });

  it('nesting deeper than 8 levels is cut', () => {
    let schema: unknown = { type: 'number' };
    for (let i = 0; i < 10_000; i++) schema = { type: 'array', items: schema };
    const out = payloadFromOpenApi(withBody(schema));
    assert.ok(JSON.stringify(out?.payload).length < 100);
  });

  it('__proto__ properties and huge minItems do not pollute or blow up', () => {
    const out = payloadFromOpenApi(withBody({ type: 'object', properties: { ['__proto__']: { type: 'object', properties: { polluted: { type: 'boolean' } } }, xs: { type: 'array', minItems: 1e9, items: { type: 'integer' } } } }));
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.equal((out?.payload as { xs: unknown[] }).xs.length, 100);
  });

  it('refs outside the document are not followed', () => {
    assert.deepEqual(payloadFromOpenApi(withBody({ type: 'object', properties: { a: { $ref: 'http://169.254.169.254/latest' } } }))?.payload, { a: null });
  });

  it('no POST route with a JSON body, or not a document at all: none', () => {
    for (const doc of [null, 'x', [], { paths: [] }, { paths: { '/predict': { get: {} } } }, { paths: { '/a': { post: { requestBody: { content: { 'application/json': {} } } } }, '/b': { post: { requestBody: { content: { 'application/json': {} } } } } } }]) {
      assert.equal(payloadFromOpenApi(doc), undefined);
    }
  });
});
