import { strict as assert } from 'node:assert';
import { imageLabels, imageTags, mlflowRunId, sanitizeTag } from '../../../src/docker/model';

describe('image tags and labels', () => {
  const git = { sha: '0123456789abcdef0123456789abcdef01234567', dirty: false };

  it('tags by version and by commit, marking a dirty tree', () => {
    assert.deepEqual(imageTags('iris-api', '0.1.0'), ['iris-api:0.1.0']);
    assert.deepEqual(imageTags('iris-api', '0.1.0', git), ['iris-api:0.1.0', 'iris-api:git-0123456']);
    assert.deepEqual(imageTags('iris-api', '0.1.0', { ...git, dirty: true }), ['iris-api:0.1.0', 'iris-api:git-0123456-dirty']);
  });

  it('makes any version a valid tag', () => {
    assert.equal(sanitizeTag('v1.2+build/7'), 'v1.2-build-7');
    assert.equal(sanitizeTag('..x'), 'x');
    assert.equal(sanitizeTag('///'), 'latest');
    assert.equal(sanitizeTag('a'.repeat(200)).length, 128);
  });

  it('finds the run id of an MLflow runs:/ URI only', () => {
    assert.equal(mlflowRunId('runs:/0123456789abcdef0123456789abcdef/model'), '0123456789abcdef0123456789abcdef');
    assert.equal(mlflowRunId('models:/iris/2'), undefined);
    assert.equal(mlflowRunId(undefined), undefined);
  });

  it('writes OCI labels and the extension’s own', () => {
    const labels = imageLabels({ title: 'iris-api', version: '0.1.0', created: new Date('2026-11-24T12:00:00Z'), git: { ...git, dirty: true, remote: 'ssh://example.invalid/iris.git' }, framework: 'fastapi', modelSource: 'mlflow', mlflowRunId: 'abc' });
    assert.deepEqual(labels, {
      'org.opencontainers.image.title': 'iris-api',
      'org.opencontainers.image.version': '0.1.0',
      'org.opencontainers.image.created': '2026-11-24T12:00:00.000Z',
      'org.opencontainers.image.revision': `${git.sha}-dirty`,
      'org.opencontainers.image.source': 'ssh://example.invalid/iris.git',
      'mlops.workbench/managed': 'true',
      'mlops.workbench/framework': 'fastapi',
      'mlops.workbench/model-source': 'mlflow',
      'mlops.workbench/mlflow-run-id': 'abc',
    });
    assert.equal(Object.keys(imageLabels({ title: 't', version: '1', created: new Date(0) })).length, 4);
  });
});
