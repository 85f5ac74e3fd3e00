// `npm test`: every tier in order (unit → integration → editor → e2e), provisioning what is
// missing first. Ends with one line `tests: N passed, M failed` summing all tiers and
// exits non-zero on any failure. `--only <tier>` (repeatable) runs a subset.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './lib/bootstrap.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === '--only' ? [args[i + 1]] : []));
const tiers = ['unit', 'integration', 'editor', 'e2e'].filter((t) => only.length === 0 || only.includes(t));

function run(cmd, argv, { capture = false, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    if (capture) {
      child.stdout.on('data', (d) => {
        process.stdout.write(d);
        out += d;
      });
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

ensureDependencies();
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

/** Counts from mocha's spec reporter; a run that dies before its summary counts as one failure. */
function counts(out, code) {
  const n = (re) => Number(re.exec(out)?.[1] ?? 0);
  const passed = n(/^\s*(\d+) passing/m);
  const failed = n(/^\s*(\d+) failing/m);
  const pending = n(/^\s*(\d+) pending/m);
  const summarised = /^\s*\d+ (passing|failing)/m.test(out);
  return { passed, failed: failed || (code !== 0 && (!summarised || failed === 0) ? 1 : 0), pending };
}

const steps = {
  async unit() {
    const r = await run(process.execPath, [mocha, '--config', 'test/unit/.mocharc.json'], { capture: true });
    return counts(r.out, r.code);
  },
  async integration() {
    // Services (Docker, Kubernetes, MLflow, DVC) are provisioned by test/env scripts
    // that the integration tests call themselves, so a subset runs with only what it needs.
    const r = await run(process.execPath, [mocha, '--config', 'test/integration/.mocharc.json'], { capture: true });
    return counts(r.out, r.code);
  },
  async editor() {
    // mocha inside the extension host of a real VS Code (test/editor/run.ts).
    const r = await run(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'editor', 'run.ts')], { capture: true });
    return counts(r.out, r.code);
  },
  async e2e() {
    const r = await run(process.execPath, [mocha, '--config', 'test/e2e/.mocharc.json'], { capture: true });
    return counts(r.out, r.code);
  },
};

let passed = 0;
let failed = 0;
let pending = 0;
const started = Date.now();
for (const tier of tiers) {
  console.log(`\n=== ${tier} tier ===`);
  const t0 = Date.now();
  const c = await steps[tier]();
  console.log(`=== ${tier}: ${c.passed} passed, ${c.failed} failed${c.pending ? `, ${c.pending} pending` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s) ===`);
  passed += c.passed;
  failed += c.failed;
  pending += c.pending;
}
// Services the test/env scripts started (the Docker engine) are stopped again.
await run('bash', [path.join(root, 'test', 'env', 'stop-services.sh')]);
console.log(`\nall tiers in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`tests: ${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
