// The process runner on real processes (sh, sleep, cat): what every spawn of the
// extension relies on.
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { CancelledError } from '../../../src/common/cancellation';
import { groupAlive, OutputTooLargeError, ProcessTimeoutError, run, start, ToolNotFoundError } from '../../../src/common/process';
import { cancellable } from '../../helpers/cancel';

describe('process runner (common/process)', () => {
  it('returns stdout, the end of stderr and the exit code; a non-zero exit is a result', async () => {
    const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('a missing executable is a ToolNotFoundError naming it', async () => {
    await assert.rejects(run('no-such-tool-mlops', []), (e: unknown) => e instanceof ToolNotFoundError && e.command === 'no-such-tool-mlops');
  });

  it('stdin is closed: a command that reads a prompt answer gets EOF instead of hanging', async () => {
    const r = await run('sh', ['-c', 'read answer; echo "got:$answer"'], { timeoutMs: 5000 });
    assert.equal(r.stdout, 'got:\n');
  });

  it('a timeout kills the whole process group, children included', async () => {
    const p = start('sh', ['-c', 'sleep 30 & sleep 30; wait'], { timeoutMs: 300 });
    await assert.rejects(p.done, ProcessTimeoutError);
    for (let i = 0; i < 50 && groupAlive(p.child.pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(groupAlive(p.child.pid), false, 'the backgrounded sleep survived');
  });

  it('cancellation kills the group and rejects with CancelledError', async () => {
    const { token, cancel } = cancellable();
    const p = start('sh', ['-c', 'sleep 30 & sleep 30; wait'], { token, timeoutMs: 0 });
    setTimeout(cancel, 200);
    await assert.rejects(p.done, CancelledError);
    for (let i = 0; i < 50 && groupAlive(p.child.pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(groupAlive(p.child.pid), false);
  });

  it('stdout over its bound stops the process instead of filling memory', async () => {
    await assert.rejects(run('sh', ['-c', 'yes'], { maxStdoutBytes: 1024 * 1024 }), OutputTooLargeError);
  });

  it('keeps only the end of a long stderr', async () => {
    const r = await run('sh', ['-c', 'i=0; while [ $i -lt 5000 ]; do echo "line $i" >&2; i=$((i+1)); done; echo last >&2'], { maxStderrBytes: 1000 });
    assert.ok(r.stderr.length <= 1000);
    assert.match(r.stderr, /last\n$/);
  });

  it('a stream is piped into stdin; another process’s stdout is shared with stdinFrom', async () => {
    const piped = await run('cat', [], { stdin: Readable.from(['a', 'b']) });
    assert.equal(piped.stdout, 'ab');
    const save = start('sh', ['-c', 'printf hello'], { stdoutPiped: true });
    const reader = await run('wc', ['-c'], { stdinFrom: save });
    assert.equal(reader.stdout.trim(), '5');
    assert.equal((await save.done).code, 0);
  });

  it('stop() ends a long-running server and its workers', async () => {
    const p = start('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 200));
    await p.stop(500);
    assert.equal(p.exited, true);
    assert.equal(groupAlive(p.child.pid), false);
  });

  it('a server started with reapWithParent is stopped when its parent dies without stopping it (a crashed extension host)', async function () {
    this.timeout(30_000);
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-reap-'));
    const script = path.join(dir, 'parent.ts');
    const runner = path.resolve(__dirname, '..', '..', '..', 'src', 'common', 'process.ts');
    writeFileSync(script, `import { start } from ${JSON.stringify(runner)};\nconst p = start('sleep', ['300'], { timeoutMs: 0, reapWithParent: true });\nconsole.log(p.child.pid);\nsetInterval(() => undefined, 1000);\n`);
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '..', '..', '..') });
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
        parent.once('exit', () => reject(new Error('the parent exited early')));
      });
      assert.equal(groupAlive(pid), true, 'the server runs');
      parent.kill('SIGKILL'); // no exit handlers, no dispose: as a crash
      const deadline = Date.now() + 15_000;
      while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.equal(groupAlive(pid), false, 'the orphaned server was stopped');
    } finally {
      parent.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
