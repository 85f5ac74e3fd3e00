// One-click deploy, click to healthy, against the same steps done by hand with the CLIs,
// on the same test cluster (test/env/kube-cluster.sh) and the same Docker engine, in one
// run, rounds interleaved. Both end at the same point: the new revision rolled out and
// POST /predict answering 200 through a port-forward.
//   ours: containerizeAndDeploy (what the click runs): build → containerd import → server-side
//         apply → rollout watch → port-forward → smoke test.
//   by hand: docker build; docker save | ctr import; kubectl apply (manifests with the new
//         image); kubectl rollout status; kubectl port-forward; POST /predict.
// Cold: nothing of the project on the engine (its images removed, so every layer after the
// base image is built again) and nothing deployed. Warm: a code change (a line appended to
// app/main.py), then the new revision serving.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerClient } from '../src/docker/core/client';
import { KubeClient } from '../src/kube/core/client';
import type { DeploySettings } from '../src/deploy/core/deploy';
import { containerizeAndDeploy } from '../src/deploy/core/deploy';
import { PortForwards } from '../src/kube/core/portforward';
import { SAMPLE_FEATURES } from '../src/scaffold/core/model';
import { planProject } from '../src/scaffold/core/render';
import { loadTemplates } from '../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../src/scaffold/core/write';
import { root, run, venvPython } from '../test/integration/helpers/processes';
import { median, round, writeResult } from './results';

const COLD_ROUNDS = Number(process.env.BENCH_DEPLOY_COLD_ROUNDS) || 3;
const WARM_ROUNDS = Number(process.env.BENCH_DEPLOY_WARM_ROUNDS) || 5;

export async function benchDeploy(): Promise<void> {
  const { kubeCluster } = await import('../scripts/lib/kube-cluster.mjs');
  const env = kubeCluster('up');
  const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-deploy-'));
  const stamp = Date.now().toString(36);
  const nsOurs = `bench-ours-${stamp}`;
  const nsCli = `bench-cli-${stamp}`;
  const kubeconfig = env.KUBECONFIG!;
  const kubectl = (...args: string[]): string => execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

  // One scaffolded FastAPI project per side, the same but for its name, so neither side's
  // images serve the other.
  const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
  const oursDir = path.join(work, 'bench-api');
  await writePlan(oursDir, await inspectPlan(oursDir, planProject({ framework: 'fastapi', projectName: 'bench-api', modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' }, templates)));
  const trained = await run(venvPython(), ['train.py'], { cwd: oursDir });
  if (trained.code !== 0) throw new Error(trained.out);
  const cliDir = path.join(work, 'bench-cli');
  cpSync(oursDir, cliDir, { recursive: true });
  const payload = readFileSync(path.join(oursDir, 'sample-payload.json'), 'utf8');

  const docker = await DockerClient.connect();
  const kube = await KubeClient.load({ env: { ...process.env, KUBECONFIG: kubeconfig } });
  const forwards = new PortForwards();
  const settings: DeploySettings = { namespace: nsOurs, imageDelivery: 'containerd', registry: env.REGISTRY!, containerdAddress: env.CONTAINERD_ADDRESS!, rolloutTimeoutSeconds: 300, baseImage };
  for (const ns of [nsOurs, nsCli]) kubectl('create', 'namespace', ns);

  const ours = async (): Promise<number> => {
    await forwards.dispose();
    const t0 = performance.now();
    const steps: string[] = [];
    let last = t0;
    const r = await containerizeAndDeploy(oursDir, {
      docker,
      kube,
      forwards,
      settings,
      onStep: (s) => {
        const now = performance.now();
        steps.push(`${Math.round(now - last)}`, s);
        last = now;
      },
    });
    const ms = performance.now() - t0;
    if (process.env.BENCH_VERBOSE) console.log(`  ours: ${steps.join(' ')} ${Math.round(performance.now() - last)}`);
    if (r.smoke?.status !== 200) throw new Error('ours: the smoke test did not pass');
    return ms;
  };

  let cliRound = 0;
  const cli = async (): Promise<number> => {
    const tag = `bench-cli:r${cliRound++}`;
    const t0 = performance.now();
    const marks: number[] = [];
    const mark = (): number => marks.push(Math.round(performance.now() - t0 - marks.reduce((a, b) => a + b, 0)));
    const built = spawnSync('docker', ['build', '-q', '-t', tag, '--build-arg', `BASE_IMAGE=${baseImage}`, cliDir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`docker build: ${built.stderr}`);
    mark();
    const imported = spawnSync('bash', ['-c', `docker save "$1" | ctr -a "$2" -n k8s.io images import -`, 'import', tag, env.CONTAINERD_ADDRESS!], { encoding: 'utf8' });
    if (imported.status !== 0) throw new Error(`docker save | ctr import: ${imported.stderr}`);
    mark();
    const manifests = ['deployment.yaml', 'service.yaml'].map((f) => readFileSync(path.join(cliDir, 'k8s', f), 'utf8')).join('\n---\n').replace(/image: .*/, `image: docker.io/library/${tag}`);
    execFileSync('kubectl', ['--kubeconfig', kubeconfig, '-n', nsCli, 'apply', '-f', '-'], { input: manifests, stdio: ['pipe', 'ignore', 'pipe'] });
    mark();
    kubectl('-n', nsCli, 'rollout', 'status', 'deployment/bench-api', '--timeout=300s');
    mark();
    const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, '-n', nsCli, 'port-forward', 'deployment/bench-api', ':8000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        pf.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        pf.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}`)));
      });
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const r = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
      if (r.status !== 200) throw new Error(`by hand: /predict answered ${r.status}`);
      mark();
      if (process.env.BENCH_VERBOSE) console.log(`  by hand: build ${marks[0]} import ${marks[1]} apply ${marks[2]} rollout ${marks[3]} forward+predict ${marks[4]}`);
      return performance.now() - t0;
    } finally {
      pf.kill();
    }
  };

  const dangling = (): string[] => execFileSync('docker', ['images', '-q', '--no-trunc', '--filter', 'dangling=true'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const danglingBefore = new Set(dangling());
  /** The project's images, and the untagged build-stage images its builds left (they would serve the next build from cache). */
  const removeImages = (repo: string): void => {
    const ids = execFileSync('docker', ['images', '-q', '--filter', `reference=${repo}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (ids.length) spawnSync('docker', ['rmi', '-f', ...new Set(ids)]);
    const left = dangling().filter((id) => !danglingBefore.has(id));
    if (left.length) spawnSync('docker', ['rmi', '-f', ...left]);
  };
  const undeploy = (ns: string): void => {
    kubectl('-n', ns, 'delete', 'deployment,service', '--all', '--wait=true');
    kubectl('-n', ns, 'wait', '--for=delete', 'pod', '--all', '--timeout=120s');
  };
  const change = (dir: string, i: number): void => appendFileSync(path.join(dir, 'app', 'main.py'), `\n# bench change ${i} ${Date.now()}\n`);

  try {
    const sample = { cold: { ours: [] as number[], cli: [] as number[] }, warm: { ours: [] as number[], cli: [] as number[] } };
    // Cold: each measurement starts with no image of either project on the engine (so no
    // layer of one side's build serves the other) and nothing deployed in its namespace.
    for (let i = 0; i < COLD_ROUNDS; i++) {
      for (const side of i % 2 === 0 ? (['ours', 'cli'] as const) : (['cli', 'ours'] as const)) {
        removeImages('bench-api');
        removeImages('bench-cli');
        undeploy(side === 'ours' ? nsOurs : nsCli);
        sample.cold[side].push(side === 'ours' ? await ours() : await cli());
      }
    }
    console.log(`cold: ours ${sample.cold.ours.map(Math.round).join(', ')} ms; by hand ${sample.cold.cli.map(Math.round).join(', ')} ms`);
    // Warm: both deployed with their build cache in place; each round a code change, then deploy.
    await ours();
    await cli();
    for (let i = 0; i < WARM_ROUNDS; i++) {
      for (const side of i % 2 === 0 ? (['ours', 'cli'] as const) : (['cli', 'ours'] as const)) {
        change(side === 'ours' ? oursDir : cliDir, i);
        sample.warm[side].push(side === 'ours' ? await ours() : await cli());
      }
    }
    console.log(`warm: ours ${sample.warm.ours.map(Math.round).join(', ')} ms; by hand ${sample.warm.cli.map(Math.round).join(', ')} ms`);

    const notes = `test cluster (kube-cluster.sh: Kubernetes v1.34.4, containerd, one node on this 2-core machine), Docker ${(await docker.version()).version} classic builder, scaffolded FastAPI project, local Debian Python base image; ours = containerizeAndDeploy as the click runs it (containerd route), by hand = docker build, docker save piped into ctr import, kubectl apply, kubectl rollout status, kubectl port-forward, POST /predict; both end at /predict 200 on the new revision; interleaved rounds, medians`;
    for (const [kind, metric, goal] of [
      ['cold', 'cold deploy (no project image, nothing deployed), click to /predict 200, wall ms', 1.1],
      ['warm', 'warm redeploy (a code change → the new revision serving), click to /predict 200, wall ms', 1.1],
    ] as const) {
      const s = sample[kind];
      writeResult({
        id: `deploy-${kind}-vs-cli`,
        metric,
        better: 'lower',
        ours: round(median(s.ours), 0),
        peer: round(median(s.cli), 0),
        peer_name: 'the same steps by hand: docker, ctr and kubectl CLIs',
        goal,
        runs: s.ours.length,
        notes: kind === 'warm' ? `${notes}; goal also: warm redeploy ≤ 20 s (ours median ${(median(s.ours) / 1000).toFixed(1)} s)` : notes,
        samples_ours: s.ours.map((x) => round(x, 0)),
        samples_peer: s.cli.map((x) => round(x, 0)),
      });
    }
  } finally {
    await forwards.dispose();
    for (const ns of [nsOurs, nsCli]) spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=true', '--timeout=120s']);
    removeImages('bench-api');
    removeImages('bench-cli');
    rmSync(work, { recursive: true, force: true });
    kubeCluster('down');
  }
}
