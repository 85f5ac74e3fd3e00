// Loading kubeconfig files as kubectl does: KUBECONFIG's list, missing files skipped, the
// first file to name a context wins, use-context written where current-context was set.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../../src/common/errors';
import { KubeClient } from '../../../src/kube/core/client';
import { writeCurrentContext } from '../../../src/kube/core/kubeconfig';

const config = (ctx: string, server: string, current?: string) => `# mine
apiVersion: v1
kind: Config
clusters:
- name: ${ctx}
  cluster: {server: '${server}'}
users:
- name: ${ctx}
  user: {token: t}
contexts:
- name: ${ctx}
  context: {cluster: ${ctx}, user: ${ctx}, namespace: ns-${ctx}}
${current ? `current-context: ${current}\n` : ''}`;

describe('kubeconfig loading', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-kubeconfig-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges several files, the first naming a context winning, and skips missing ones', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    writeFileSync(a, config('kind-dev', 'https://127.0.0.1:1111'));
    // b repeats kind-dev (ignored, as kubectl does) and sets the current context.
    writeFileSync(b, config('kind-dev', 'https://127.0.0.1:2222', 'kind-dev'));
    const KUBECONFIG = [path.join(dir, 'missing'), a, b].join(path.delimiter);
    const kube = await KubeClient.load({ env: { KUBECONFIG } });
    assert.equal(kube.context, 'kind-dev');
    assert.equal(kube.server, 'https://127.0.0.1:1111');
    assert.equal(kube.namespace, 'ns-kind-dev');
    assert.deepEqual(
      kube.contexts().map((c) => c.name),
      ['kind-dev'],
    );
  });

  it('switches context in the file that set it, keeping its comments', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    writeFileSync(a, config('one', 'https://127.0.0.1:1111'));
    writeFileSync(b, config('two', 'https://127.0.0.1:2222', 'two'));
    const kube = await KubeClient.load({ env: { KUBECONFIG: [a, b].join(path.delimiter) } });
    assert.equal(kube.context, 'two');
    await kube.useContext('one');
    assert.equal(kube.context, 'one');
    assert.match(readFileSync(b, 'utf8'), /^# mine[\s\S]*current-context: one/);
    assert.doesNotMatch(readFileSync(a, 'utf8'), /current-context/);
    assert.equal((await KubeClient.load({ env: { KUBECONFIG: [a, b].join(path.delimiter) } })).context, 'one');
  });

  it('says what to do when there is no kubeconfig', async () => {
    await assert.rejects(KubeClient.load({ env: { KUBECONFIG: path.join(dir, 'none') } }), (e: unknown) => e instanceof UserFacingError && /No kubeconfig found .*Create a local cluster/.test(e.message));
  });

  it('peeks at the current context and namespace without loading client-node, as the status bar does', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    writeFileSync(a, config('one', 'https://127.0.0.1:1'));
    writeFileSync(b, config('two', 'https://127.0.0.1:2', 'two'));
    assert.deepEqual(await KubeClient.peek({ KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) }), { context: 'two', namespace: 'ns-two' });
    // No current-context anywhere: the first context, as the client picks it.
    assert.deepEqual(await KubeClient.peek({ KUBECONFIG: a }), { context: 'one', namespace: 'ns-one' });
    writeFileSync(b, 'current-context: [unclosed');
    assert.deepEqual(await KubeClient.peek({ KUBECONFIG: [b, a].join(path.delimiter) }), { context: 'one', namespace: 'ns-one' });
    assert.equal(await KubeClient.peek({ KUBECONFIG: path.join(dir, 'missing') }), undefined);
  });

  it('use-context writes through a temporary file renamed over the kubeconfig: its mode and comments are kept and nothing is left beside it', async () => {
    const file = path.join(dir, 'private-config');
    writeFileSync(file, config('a', 'https://a.example:6443', 'a') + '# kept comment\n');
    chmodSync(file, 0o600);
    await writeCurrentContext(file, 'other');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /current-context: other/);
    assert.match(text, /# kept comment/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
    // A kubeconfig that cannot be read is an error, and leaves no temporary file either.
    const folder = path.join(dir, 'as-folder');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'x'), 'x');
    await assert.rejects(writeCurrentContext(folder, 'a'));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  });
});
