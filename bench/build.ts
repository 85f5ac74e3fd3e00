// Image builds: the extension's client (tar-stream context honouring .dockerignore,
// dockerode) vs `docker build` with the classic builder, on the same context, the same
// daemon and the same build args and labels, interleaved in one run. Cold: no cache
// (--no-cache on both); cached: a rebuild with nothing changed. Also the bytes the
// context sends with the generated .dockerignore and without one.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerClient } from '../src/docker/core/client';
import { measureContext } from '../src/docker/core/context';
import { SAMPLE_FEATURES } from '../src/scaffold/core/model';
import { planProject } from '../src/scaffold/core/render';
import { loadTemplates } from '../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../src/scaffold/core/write';
import { root, run, venvPython } from '../test/integration/helpers/processes';
import { median, round, writeResult } from './results';

const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS) || 5;
const CACHED_ROUNDS = Number(process.env.BENCH_ROUNDS) || 7;

export async function benchBuild(): Promise<void> {
  const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-build-'));
  const dir = path.join(work, 'bench-api');
  const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
  await writePlan(dir, await inspectPlan(dir, planProject({ framework: 'fastapi', projectName: 'bench-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates)));
  const trained = await run(venvPython(), ['train.py'], { cwd: dir });
  if (trained.code !== 0) throw new Error(trained.out);
  // A project as it looks in use, following its README: a .venv inside the project with
  // the dev requirements, and the tests run (caches) next to the sources.
  for (const [cmd, args] of [
    [venvPython(), ['-m', 'venv', '.venv']],
    [path.join(dir, '.venv', 'bin', 'pip'), ['install', '-q', '-r', 'requirements-dev.txt']],
    [path.join(dir, '.venv', 'bin', 'python'), ['-m', 'pytest', '-q']],
  ] as const) {
    const r = await run(cmd, [...args], { cwd: dir });
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.out}`);
  }

  const client = await DockerClient.connect();
  const buildArgs = { BASE_IMAGE: baseImage };
  const labels = { 'mlops.workbench/managed': 'true', 'mlops.workbench/bench': 'build' };
  const danglingBefore = new Set(listDangling());
  const tags: string[] = [];

  const ours = async (tag: string, nocache: boolean): Promise<number> => {
    tags.push(tag);
    const t0 = performance.now();
    await client.build(dir, { tags: [tag], buildArgs, labels, ...(nocache ? { noCache: true } : {}) });
    return performance.now() - t0;
  };
  const cli = (tag: string, nocache: boolean): number => {
    tags.push(tag);
    const args = ['build', '-q', '-t', tag, ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), ...(nocache ? ['--no-cache'] : []), dir];
    const t0 = performance.now();
    const r = spawnSync('docker', args, { env: { ...process.env, DOCKER_BUILDKIT: '0' }, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`docker build failed: ${r.stderr}`);
    return ms;
  };

  try {
    // Warm both paths once (the daemon's caches, the CLI binary in the page cache).
    await ours('mlops-bench/ours:warm', false);
    cli('mlops-bench/cli:warm', false);

    /** Interleaved rounds; who goes first alternates, so neither always meets a busier disk or network. */
    const rounds = async (kind: 'cold' | 'cached', n: number) => {
      const out = { ours: [] as number[], cli: [] as number[] };
      const nocache = kind === 'cold';
      for (let i = 0; i < n; i++) {
        const runOurs = async () => out.ours.push(await ours(`mlops-bench/ours:${kind}-${i}`, nocache));
        const runCli = () => out.cli.push(cli(`mlops-bench/cli:${kind}-${i}`, nocache));
        if (i % 2 === 0) {
          await runOurs();
          runCli();
        } else {
          runCli();
          await runOurs();
        }
      }
      console.log(`${kind}: ours ${out.ours.map(Math.round).join(', ')} ms; docker build ${out.cli.map(Math.round).join(', ')} ms`);
      return out;
    };
    const cold = await rounds('cold', COLD_ROUNDS);
    const cached = await rounds('cached', CACHED_ROUNDS);

    const engine = await client.version();
    const common = `${engine.podman ? 'Podman' : 'Docker'} ${engine.version}, classic builder (DOCKER_BUILDKIT=0), scaffolded FastAPI project (multi-stage, pip install of the pinned requirements from the package index), local Debian base image; interleaved rounds, medians; ours timed inside Node with dockerode loaded, docker build as a process (its start-up included); both skip the project's .venv as excluded (no exception rule reaches into it)`;
    const ratioResult = (id: string, metric: string, peerName: string, samples: { ours: number[]; cli: number[] }) =>
      writeResult({
        id,
        metric,
        better: 'lower',
        ours: round(median(samples.ours), 0),
        peer: round(median(samples.cli), 0),
        peer_name: peerName,
        goal: 1.05,
        runs: samples.ours.length,
        notes: common,
        samples_ours: samples.ours.map((x) => round(x, 0)),
        samples_peer: samples.cli.map((x) => round(x, 0)),
      });
    ratioResult('build-cold-vs-docker-cli', 'cold image build (no cache), wall ms', '`docker build --no-cache` (docker CLI, classic builder)', cold);
    ratioResult('build-cached-vs-docker-cli', 'cached rebuild (nothing changed), wall ms', '`docker build` (docker CLI, classic builder)', cached);

    const withIgnore = await measureContext(dir);
    const without = await measureContext(dir, 'Dockerfile', '');
    const generated = readFileSync(path.join(dir, '.dockerignore'), 'utf8');
    writeResult({
      id: 'build-context-bytes',
      metric: 'build context bytes sent, with the generated .dockerignore vs without one',
      better: 'lower',
      ours: withIgnore.sentBytes,
      peer: without.sentBytes,
      peer_name: 'the same project without a .dockerignore',
      goal: 0.5,
      runs: 1,
      notes: `scaffolded FastAPI project as its README leaves it (train.py, a .venv with requirements-dev.txt, pytest run); ${withIgnore.sentFiles} vs ${without.sentFiles} files; rules: ${generated.split('\n').filter((l) => l && !l.startsWith('#')).join(' ')}`,
    });
  } finally {
    for (const t of tags) await client.removeImage(t).catch(() => undefined);
    // The layers these builds left behind, and only those.
    const left = listDangling().filter((id) => !danglingBefore.has(id));
    if (left.length) spawnSync('docker', ['rmi', '-f', ...left]);
    rmSync(work, { recursive: true, force: true });
  }
}

function listDangling(): string[] {
  return execFileSync('docker', ['images', '-q', '--no-trunc', '--filter', 'dangling=true'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}
