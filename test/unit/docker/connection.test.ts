import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../../src/common/errors';
import { describeEndpoint, dockerodeOptions, parseHost, resolveEndpoint } from '../../../src/docker/core/connection';

/** A HOME with a docker CLI config and one context, as `docker context create` writes them. */
function homeWithContext(name: string, host: string, opts: { tls?: boolean; skipVerify?: boolean; current?: boolean } = {}): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mlops-home-'));
  const id = createHash('sha256').update(name).digest('hex');
  const meta = path.join(home, '.docker', 'contexts', 'meta', id);
  mkdirSync(meta, { recursive: true });
  writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: !!opts.skipVerify } } }));
  if (opts.tls) {
    const tls = path.join(home, '.docker', 'contexts', 'tls', id, 'docker');
    mkdirSync(tls, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tls, f), `-----${f}-----`);
  }
  if (opts.current !== false) writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
  return home;
}

describe('where the Docker engine is', () => {
  const none = () => false;

  it('takes the setting first, then DOCKER_HOST', () => {
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://a:2375' }, setting: 'unix:///run/x.sock', exists: none });
    assert.deepEqual(e, { kind: 'unix', socketPath: '/run/x.sock', source: 'the mlops.docker.host setting' });
    const d = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://build-box:2375' }, exists: none });
    assert.deepEqual(d, { kind: 'tcp', host: 'build-box', port: 2375, source: 'DOCKER_HOST' });
  });

  it('uses TLS for tcp when DOCKER_TLS_VERIFY is set or the port is 2376', () => {
    const certs = mkdtempSync(path.join(os.tmpdir(), 'mlops-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, f), f);
    const e = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, exists: none });
    assert.equal(e.kind, 'tcp');
    assert.deepEqual(e.kind === 'tcp' && e.tls, { verify: true, ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' });
    const { agent, ...options } = dockerodeOptions(e);
    assert.deepEqual(options, { host: '10.0.0.5', port: 2376, protocol: 'https', ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' });
    assert.ok(agent, 'an agent with a connect timeout');
    const p = parseHost('tcp://box:2376', 'x');
    assert.equal(p.kind === 'tcp' && p.tls?.verify, true);
  });

  it('follows the current Docker context, with its TLS material', () => {
    const home = homeWithContext('remote', 'tcp://ci-box:2376', { tls: true });
    const e = resolveEndpoint({ env: {}, home });
    assert.equal(e.kind, 'tcp');
    if (e.kind !== 'tcp') return;
    assert.equal(e.host, 'ci-box');
    assert.equal(e.source, 'the Docker context "remote"');
    assert.deepEqual(e.tls, { verify: true, ca: '-----ca.pem-----', cert: '-----cert.pem-----', key: '-----key.pem-----' });
  });

  it('honours DOCKER_CONTEXT over config.json, and SkipTLSVerify', () => {
    const home = homeWithContext('lab', 'tcp://lab:2376', { tls: true, skipVerify: true, current: false });
    const e = resolveEndpoint({ env: { DOCKER_CONTEXT: 'lab' }, home });
    assert.equal(e.kind === 'tcp' && e.tls?.verify, false);
    assert.equal((dockerodeOptions(e).agent as { options: { rejectUnauthorized?: boolean } }).options.rejectUnauthorized, false, 'an agent that skips verification');
  });

  it('says what to do when the selected context cannot be read', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'mlops-home-'));
    assert.throws(() => resolveEndpoint({ env: { DOCKER_CONTEXT: 'gone' }, home }), (e: unknown) => e instanceof UserFacingError && /docker context use default/.test(e.message));
  });

  it('falls back to the default socket, then Podman’s', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'mlops-home-'));
    assert.deepEqual(resolveEndpoint({ env: {}, home, exists: (p) => p === '/var/run/docker.sock' }), { kind: 'unix', socketPath: '/var/run/docker.sock', source: 'the default socket' });
    const podman = resolveEndpoint({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, home, exists: (p) => p === '/run/user/1000/podman/podman.sock' });
    assert.deepEqual(podman, { kind: 'unix', socketPath: '/run/user/1000/podman/podman.sock', source: 'Podman’s socket' });
    assert.equal(resolveEndpoint({ env: {}, home, exists: none }).kind, 'unix');
  });

  it('refuses addresses it cannot use, saying why', () => {
    assert.throws(() => parseHost('ssh://me@box', 'DOCKER_HOST'), /ssh:\/\/ engines are not supported/);
    assert.throws(() => parseHost('tcp://', 'DOCKER_HOST'), UserFacingError);
    assert.equal(describeEndpoint(parseHost('unix:///var/run/docker.sock', 'DOCKER_HOST')), 'unix:///var/run/docker.sock (DOCKER_HOST)');
  });
});
