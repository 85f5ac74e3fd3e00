import { strict as assert } from 'node:assert';
import type { ContainerSummary, ImageSummary } from '../../../src/docker/core/client';
import { groupByImage, imageLabels, imageTags, mlflowRunId, parseEnv, sanitizeTag, splitTag } from '../../../src/docker/core/model';

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

describe('the Images tree’s grouping', () => {
  const image = (id: string, tags: string[]): ImageSummary => ({ id, tags, created: new Date(0), size: 1, labels: {} });
  const container = (id: string, imageId: string, state: string, managed = false): ContainerSummary => ({
    id,
    name: id,
    image: imageId,
    imageId,
    state,
    status: state,
    labels: managed ? { 'mlops.workbench/managed': 'true' } : {},
    ports: [],
  });

  it('puts containers under their image, running first, and keeps only the extension’s loose ones', () => {
    const { groups, loose } = groupByImage(
      [image('sha256:a', ['iris-api:0.1.0', 'iris-api:git-0123456'])],
      [container('z-stopped', 'sha256:a', 'exited'), container('b-running', 'sha256:a', 'running'), container('orphan', 'sha256:gone', 'exited', true), container('foreign', 'sha256:x', 'running')],
      false,
    );
    assert.deepEqual(groups[0].containers.map((c) => c.id), ['b-running', 'z-stopped']);
    assert.deepEqual(loose.map((c) => c.id), ['orphan']);
    assert.deepEqual(groupByImage([], [container('foreign', 'sha256:x', 'running')], true).loose.map((c) => c.id), ['foreign']);
  });

  it('splits references into repository and tag', () => {
    assert.deepEqual(splitTag('iris-api:0.1.0'), ['iris-api', '0.1.0']);
    assert.deepEqual(splitTag('localhost:5000/iris-api'), ['localhost:5000/iris-api', 'latest']);
    assert.deepEqual(splitTag('localhost:5000/iris-api:git-1'), ['localhost:5000/iris-api', 'git-1']);
  });

  it('reads KEY=value environment pairs, refusing anything else', () => {
    assert.deepEqual(parseEnv(' LOG_LEVEL=DEBUG  WORKERS=1 '), { LOG_LEVEL: 'DEBUG', WORKERS: '1' });
    assert.deepEqual(parseEnv(''), {});
    assert.equal(parseEnv('1X=2'), undefined);
    assert.equal(parseEnv('NOEQUALS'), undefined);
  });
});
