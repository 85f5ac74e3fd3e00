// The smoke test of a user's app that has no sample payload: real FastAPI apps in the shapes
// users write (a pydantic model of named features, a list of rows under a versioned route,
// an example given in the schema) serve their /openapi.json from a real uvicorn; the body
// built from it is accepted by the app itself.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { payloadFromOpenApi } from '../../src/scaffold/core/openapi';
import { freePort, startServer, venvPython } from './helpers/processes';

const APPS: Array<[string, string, string]> = [
  [
    'named features in a pydantic model, /predict',
    '/predict',
    `from fastapi import FastAPI
from pydantic import BaseModel, Field
from typing import Literal, Optional
app = FastAPI()
class House(BaseModel):
    rooms: int = Field(ge=1)
    area: float
    city: Literal["paris", "lyon"]
    garden: bool
    note: Optional[str] = None
@app.get("/health")
def health(): return {"ok": True}
@app.post("/predict")
def predict(h: House): return {"price": h.area * 10}
`,
  ],
  [
    'a list of rows under a versioned route, beside other POSTs',
    '/v1/models/house:predict',
    `from fastapi import FastAPI
from pydantic import BaseModel
from typing import List
app = FastAPI()
class Row(BaseModel):
    x: List[float]
class Batch(BaseModel):
    instances: List[Row]
class Login(BaseModel):
    user: str
@app.post("/login")
def login(l: Login): return {}
@app.post("/v1/models/house:predict")
def predict(b: Batch): return {"predictions": [sum(r.x) for r in b.instances]}
`,
  ],
  [
    'an example in the schema (model_config json_schema_extra)',
    '/score',
    `from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
app = FastAPI()
class Req(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "hello world", "lang": "en"}]})
    text: str
    lang: str
@app.post("/score")
def score(r: Req):
    if r.text != "hello world": raise HTTPException(422, "not the example")
    return {"score": 1}
`,
  ],
];

describe('a smoke-test body from a real app’s OpenAPI document', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-openapi-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [what, route, source] of APPS) {
    it(`${what}: POST ${route} with the built body answers 200`, async () => {
      const app = path.join(dir, `app_${APPS.findIndex((a) => a[0] === what)}.py`);
      writeFileSync(app, source);
      const port = await freePort();
      const server = await startServer({ cmd: venvPython(), args: ['-m', 'uvicorn', `${path.basename(app, '.py')}:app`, '--port', String(port)], cwd: dir, port, readyPath: '/openapi.json', logFile: `${app}.log` });
      try {
        const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as unknown;
        const built = payloadFromOpenApi(doc);
        assert.ok(built, 'a route was chosen');
        assert.equal(built.path, route);
        const r = await fetch(`${server.url}${built.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(built.payload) });
        assert.equal(r.status, 200, `${JSON.stringify(built.payload)} → ${await r.text()}`);
      } finally {
        await server.stop();
      }
    });
  }
});
