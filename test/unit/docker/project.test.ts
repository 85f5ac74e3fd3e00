import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../../src/common/errors';
import { buildFailure, explainConnectionError, explainRequestError } from '../../../src/docker/core/client';
import { nextFreePort } from '../../../src/common/net';
import { imageNameFor, planImage } from '../../../src/docker/core/project';

const root = path.resolve(__dirname, '..', '..', '..');

describe('planning an image build', () => {
  it('names, tags and labels the sample API from its project file and git state', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-plan-'));
    cpSync(path.join(root, 'sample-workspace', 'iris-api'), dir, { recursive: true });
    const git = { sha: 'abcdef0123456789abcdef0123456789abcdef01', dirty: true, remote: 'ssh://example.invalid/iris.git' };
    const plan = await planImage({ dockerfile: path.join(dir, 'Dockerfile'), baseImage: 'local/python:3.11', git, now: new Date('2026-11-24T00:00:00Z') });
    assert.deepEqual(plan.tags, ['iris-api:0.1.0', 'iris-api:git-abcdef0-dirty']);
    assert.deepEqual(plan.buildArgs, { BASE_IMAGE: 'local/python:3.11' });
    assert.equal(plan.port, 8000);
    assert.equal(plan.framework, 'fastapi');
    assert.equal(plan.samplePayload, path.join(dir, 'sample-payload.json'));
    assert.equal(plan.labels['org.opencontainers.image.revision'], `${git.sha}-dirty`);
    assert.equal(plan.labels['org.opencontainers.image.source'], git.remote);
    assert.equal(plan.labels['mlops.workbench/model-source'], 'sample');
  });

  it('builds any Dockerfile: name from the folder, port from EXPOSE, no BASE_IMAGE when not declared', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlops-plan-')), 'My Service_v2');
    cpSync(path.join(root, 'sample-workspace', 'iris-api', 'Dockerfile'), path.join(dir, 'ignored'), { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian\nEXPOSE 9090\n');
    const plan = await planImage({ dockerfile: path.join(dir, 'Dockerfile'), baseImage: 'x' });
    assert.deepEqual(plan.tags, ['my-service_v2:latest']);
    assert.equal(plan.port, 9090);
    assert.deepEqual(plan.buildArgs, {});
  });

  it('makes valid repository names', () => {
    assert.equal(imageNameFor('Iris API!!'), 'iris-api');
    assert.equal(imageNameFor('--'), 'model-api');
    assert.equal(imageNameFor('team/Model..x'), 'team/model.x');
  });

  it('offers the next free port', async () => {
    assert.equal(await nextFreePort(8000, async (p) => p < 8003), 8003);
    assert.equal(await nextFreePort(65535, async () => true), undefined);
  });
});

describe('Docker errors in words a user can act on', () => {
  it('a base image that cannot be pulled names the setting and the build arg', () => {
    const e = buildFailure('Get "https://registry.invalid/v2/": dial tcp: lookup registry.invalid: no such host', 'ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE} AS build\n', 'FROM ${BASE_IMAGE} AS build', undefined);
    assert.match(e.message, /"python:3\.12-slim" is not on this engine and cannot be pulled at Dockerfile line 2/);
    assert.match(e.message, /mlops\.docker\.baseImage \(the BASE_IMAGE build arg\)/);
    const plain = buildFailure('pull access denied for nope', 'FROM nope:1\n', 'FROM nope:1', undefined);
    assert.match(plain.message, /"nope:1".*Change the FROM line/);
    // What the toast offers comes with the error, not from reading its text.
    assert.equal(e.code, 'docker.baseImageMissing');
    assert.deepEqual(e.actions.map((x) => [x.command, ...(x.args ?? [])]), [['workbench.action.openSettings', 'mlops.docker.baseImage']]);
    assert.deepEqual(plain.actions, [], 'no setting fixes a FROM line without the build arg');
  });

  it('a failing RUN step names its line', () => {
    assert.match(buildFailure('exit code 3', 'FROM x\nRUN a\nRUN exit 3\n', 'RUN exit 3', undefined).message, /Dockerfile line 3/);
  });

  it('a parse error and a refused request are told apart from a connection failure', () => {
    const parse = explainRequestError(Object.assign(new Error('(HTTP code 400) unexpected - dockerfile parse error line 2: unknown instruction: RUNN'), { statusCode: 400 }), 'x', 'build');
    assert.equal(parse.message, 'The Dockerfile does not parse: line 2: unknown instruction: RUNN');
    assert.match(explainRequestError(Object.assign(new Error('conflict'), { statusCode: 409, json: { message: 'name in use' } }), 'x', 'container start').message, /refused the container start: name in use/);
  });

  it('a socket without permission says how to get it (root cannot be refused, so this one is simulated)', () => {
    const e = explainConnectionError(Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }), '/var/run/docker.sock');
    assert.ok(e instanceof UserFacingError);
    assert.match(e.message, /Permission denied.*"docker" group/);
  });
});
