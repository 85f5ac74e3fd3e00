// The registry's shapes from MLflow's REST answers (2.x with stages, 3.x with aliases and
// logged models, and answers a hostile or broken server could send), model URIs and alias rules.
import { strict as assert } from 'node:assert';
import { signatureInputs } from '../../src/experiments/core/runModel';
import { featuresFromSignature } from '../../src/scaffold/core/model';
import { imageLabels } from '../../src/docker/core/model';
import { generatedManifests, prepareManifests } from '../../src/deploy/core/manifests';
import { summarizeDeployment } from '../../src/kube/core/model';
import type { V1Deployment } from '@kubernetes/client-node';
import { parseServedRecord, servedFrom, servedText, aliasProblem, byVersionDesc, matches, modelUri, parseModel, parseModelUri, parseVersion } from '../../src/registry/core/model';

describe('registry model', () => {
  it('parses a 3.x version with aliases, tags and its logged model', () => {
    const v = parseVersion({
      name: 'iris',
      version: '3',
      creation_timestamp: 1_700_000_000_000,
      last_updated_timestamp: '1700000000500',
      current_stage: 'None',
      source: 'models:/m-0123',
      run_id: 'abc',
      model_id: 'm-0123',
      status: 'READY',
      aliases: ['champion', 7, null],
      tags: [{ key: 'team', value: 'fraud' }, { key: 'n', value: 5 }, { value: 'no key' }],
    });
    assert.deepEqual(v, { name: 'iris', version: '3', status: 'READY', stage: 'None', aliases: ['champion'], tags: { team: 'fraud', n: '5' }, runId: 'abc', source: 'models:/m-0123', modelId: 'm-0123', created: 1_700_000_000_000, updated: 1_700_000_000_500 });
  });

  it('parses a registered model and keeps only well-formed aliases', () => {
    const m = parseModel({ name: 'iris', description: '', aliases: [{ alias: 'champion', version: '2' }, { alias: 'x' }, { version: '1' }], tags: [{ key: '__proto__', value: 'p' }], latest_versions: [{ name: 'iris', version: '2', current_stage: 'Production' }] });
    assert.deepEqual(m.aliases, { champion: '2' });
    assert.equal(m.description, undefined, 'an empty description is left out');
    assert.equal(m.latestVersions[0]!.stage, 'Production');
    assert.equal(Object.getPrototypeOf(m.tags), Object.prototype, 'a tag named __proto__ does not change the prototype');
    assert.equal(Object.keys(m.tags).length, 1);
  });

  it('survives answers that are not objects', () => {
    for (const raw of [null, 'x', 42, [], { aliases: 'champion', tags: {}, latest_versions: 'v1' }]) {
      const m = parseModel(raw);
      assert.deepEqual([m.name, m.aliases, m.tags, m.latestVersions], ['', {}, {}, []]);
      assert.equal(parseVersion(raw).version, '');
    }
  });

  it('orders versions numerically, newest first', () => {
    const vs = ['1', '10', '9', '2'].map((version) => parseVersion({ name: 'm', version }));
    assert.deepEqual(vs.sort(byVersionDesc).map((v) => v.version), ['10', '9', '2', '1']);
  });

  it('writes and reads model URIs; logged models are not registry URIs', () => {
    assert.equal(modelUri('iris classifier', { alias: 'champion' }), 'models:/iris classifier@champion');
    assert.equal(modelUri('modèle', { version: '7' }), 'models:/modèle/7');
    assert.deepEqual(parseModelUri('models:/iris@champion'), { name: 'iris', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/modèle/7'), { name: 'modèle', version: '7' });
    assert.deepEqual(parseModelUri('models:/a/b/latest'), { name: 'a/b', version: 'latest' });
    assert.equal(parseModelUri('models:/m-0123'), undefined);
    assert.equal(parseModelUri('runs:/abc/model'), undefined);
  });

  it('accepts the aliases MLflow accepts', () => {
    for (const ok of ['champion', 'prod_2', 'a-b']) assert.equal(aliasProblem(ok), undefined, ok);
    for (const bad of ['latest', 'v3', 'V12', 'with space', 'ñ', 'a/b', 'x'.repeat(256)]) assert.ok(aliasProblem(bad), bad);
  });

  it('filters by name, description, tag and alias, ignoring case', () => {
    const m = parseModel({ name: 'Fraud-Detector', description: 'gradient boosting', tags: [{ key: 'team', value: 'Risk' }], aliases: [{ alias: 'champion', version: '1' }] });
    for (const q of ['fraud', 'BOOST', 'risk', 'team', 'champ', '', '  ']) assert.ok(matches(m, q), q);
    assert.ok(!matches(m, 'iris'));
  });

  it('turns a logged signature into the form’s features: columns by name and type, a 2-D tensor as x0…', () => {
    const cols = JSON.stringify([{ type: 'double', name: 'sepal length (cm)', required: true }, { type: 'long', name: 'age' }, { type: 'string', name: 'city' }, { type: 'boolean', name: 'member' }]);
    assert.deepEqual(featuresFromSignature(signatureInputs(cols)), [
      { name: 'sepal length (cm)', type: 'float' },
      { name: 'age', type: 'int' },
      { name: 'city', type: 'str' },
      { name: 'member', type: 'bool' },
    ]);
    const tensor = JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 3] } }]);
    assert.deepEqual(featuresFromSignature(signatureInputs(tensor)), [
      { name: 'x0', type: 'float' },
      { name: 'x1', type: 'float' },
      { name: 'x2', type: 'float' },
    ]);
    // What a form cannot hold is left to the user (the sample's features stay).
    for (const spec of [JSON.stringify([{ type: 'binary', name: 'image' }]), JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'uint8', shape: [-1, 28, 28] } }]), 'not json', '[]', JSON.stringify({ type: 'double' }), undefined]) {
      assert.equal(featuresFromSignature(signatureInputs(spec)), undefined, String(spec));
    }
  });

  it('carries the served version from fetch_model.py’s record through the image’s labels and the pod template to the Kubernetes view', () => {
    const record = parseServedRecord(JSON.stringify({ name: 'iris classifier', version: '7', alias: 'champion', run_id: 'abc' }));
    assert.deepEqual(record, { name: 'iris classifier', version: '7', alias: 'champion' });
    const labels = imageLabels({ title: 'iris-api', version: '0.1.0', created: new Date(0), served: record! });
    const served = servedFrom(labels);
    const [deployment] = prepareManifests(generatedManifests('iris-api', 8000), { namespace: 'ml', image: 'iris-api:1', pullPolicy: 'IfNotPresent', modelVersion: '0.1.0', imageId: 'sha256:1', served: served! });
    const summary = summarizeDeployment({ ...deployment, metadata: { ...deployment!.metadata } } as unknown as V1Deployment);
    assert.equal(servedText(summary.served!), 'iris classifier v7 (@champion)');
    assert.equal(servedText({ name: 'm', version: '2' }), 'm v2');
    // A record from the user's folder is checked: a version that is not a number, an alias MLflow refuses, no name.
    for (const bad of ['{', '[]', JSON.stringify({ name: 'm', version: 'latest' }), JSON.stringify({ version: '1' }), JSON.stringify({ name: '', version: '1' })]) assert.equal(parseServedRecord(bad), undefined, bad);
    assert.deepEqual(parseServedRecord(JSON.stringify({ name: 'm', version: 3, alias: 'no good' })), { name: 'm', version: '3' });
    assert.equal(servedFrom({}), undefined);
  });
});
