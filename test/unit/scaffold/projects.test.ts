import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { featuresFromCsv } from '../../../src/scaffold/core/inspect';
import { parseFeatureList } from '../../../src/scaffold/core/model';
import { detectFramework, parseProjectMarker } from '../../../src/scaffold/core/projects';

describe('model API discovery and feature input', () => {
  it('reads a project marker, and says what is wrong with a broken one', () => {
    const p = parseProjectMarker('/ws/iris-api', JSON.stringify({ name: 'iris-api', framework: 'flask', port: 8080, image: 'iris-api', version: '0.2.0', samplePayload: 'sample-payload.json', modelSource: { kind: 'mlflow', uri: 'models:/iris/2' } }));
    assert.deepEqual(p, {
      dir: '/ws/iris-api',
      name: 'iris-api',
      framework: 'flask',
      port: 8080,
      scaffolded: true,
      modelLabel: 'models:/iris/2',
      image: 'iris-api',
      version: '0.2.0',
      modelSource: { kind: 'mlflow', uri: 'models:/iris/2' },
      samplePayload: 'sample-payload.json',
    });
    const broken = parseProjectMarker('/ws/x', '{ nope');
    assert.equal(broken.name, 'x');
    assert.match(broken.problem ?? '', /not valid JSON/);
  });

  it('tells FastAPI from Flask by requirements, then by imports', () => {
    assert.equal(detectFramework('fastapi==0.1\nuvicorn', []), 'fastapi');
    assert.equal(detectFramework('Flask>=3', []), 'flask');
    assert.equal(detectFramework(undefined, ['import os\nfrom flask import Flask']), 'flask');
    assert.equal(detectFramework('requests', ['print("hello")']), undefined);
  });

  it('tells the framework from pyproject.toml, a Pipfile and setup.py as users write them', () => {
    assert.equal(detectFramework('[project]\nname = "shop"\ndependencies = [\n  "fastapi>=0.110",\n  "uvicorn[standard]",\n]\n', []), 'fastapi');
    assert.equal(detectFramework('[project]\ndependencies = ["numpy", "Flask==3.0"]\n', []), 'flask');
    assert.equal(detectFramework('[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.110"\n', []), 'fastapi');
    assert.equal(detectFramework('[packages]\nflask = "*"\ngunicorn = "*"\n', []), 'flask');
    assert.equal(detectFramework("setup(install_requires=['requests', 'flask'])", []), 'flask');
    // A name that only starts like one is not it.
    assert.equal(detectFramework('fastapi-mail==1\nflask_sqlalchemy', []), undefined);
  });

  it('parses typed-in features, keeping unknown types for the rules to name', () => {
    assert.deepEqual(parseFeatureList('age:int, income , city:str,,is_new:BOOL, x:complex'), [
      { name: 'age', type: 'int' },
      { name: 'income', type: 'float' },
      { name: 'city', type: 'str' },
      { name: 'is_new', type: 'bool' },
      { name: 'x', type: 'complex' },
    ]);
  });

  it('takes features and types from a CSV header and first row, quotes included', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'csv-')), 'data.csv');
    writeFileSync(file, 'age,"income, net",city,target\n34,"51,000.5",Lima,1\n');
    const features = await featuresFromCsv(file, 'target');
    assert.deepEqual(features, [
      { name: 'age', type: 'float', example: 34 },
      { name: 'income, net', type: 'str', example: '51,000.5' },
      { name: 'city', type: 'str', example: 'Lima' },
    ]);
  });
});
