// Serving throughput and tail latency: the generated FastAPI and Flask APIs vs
// `mlflow models serve`, on the same scikit-learn model, the same one-record
// payload and the same number of workers, loaded by wrk on loopback in one run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScaffoldOptions } from '../src/scaffold/core/model';
import { SAMPLE_FEATURES } from '../src/scaffold/core/model';
import { planProject } from '../src/scaffold/core/render';
import { loadTemplates } from '../src/scaffold/core/templates';
import { inspectPlan, writePlan } from '../src/scaffold/core/write';
import type { Server } from '../test/integration/helpers/processes';
import { freePort, root, run, startServer, stopAll, venvBin, venvPython } from '../test/integration/helpers/processes';
import { median, round, writeResult } from './results';

const WORKERS = 2;
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SERVING_SECONDS) || 15;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;

interface Load {
  rps: number;
  p99ms: number;
  non2xx: number;
}

function wrk(url: string, body: string, dir: string): Load {
  const script = path.join(dir, `post-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const out = execFileSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  if (process.env.BENCH_DEBUG) console.log(out);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)$/m.exec(out);
  const p99ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps) || !Number.isFinite(p99ms) || rps <= 0) throw new Error(`cannot read wrk's output:\n${out}`);
  return { rps, p99ms, non2xx };
}

export async function benchServing(): Promise<void> {
  execFileSync('bash', [path.join(root, 'test', 'env', 'apt.sh'), 'wrk'], { stdio: 'inherit' });
  const python = venvPython();
  const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-serving-'));
  const templates = await loadTemplates(path.join(root, 'media', 'templates', 'model-api'));
  const gen = async (framework: 'fastapi' | 'flask'): Promise<string> => {
    const o: ScaffoldOptions = { framework, projectName: `bench-${framework}`, modelSource: { kind: 'sample' }, features: SAMPLE_FEATURES, port: 8000, pythonVersion: '3.12' };
    const dir = path.join(work, o.projectName);
    await writePlan(dir, await inspectPlan(dir, planProject(o, templates)));
    return dir;
  };
  const fastapiDir = await gen('fastapi');
  const flaskDir = await gen('flask');
  // One model for all three: trained once by the generated train.py, copied to the
  // Flask project and saved in MLflow's format for `mlflow models serve`.
  const trained = await run(python, ['train.py'], { cwd: fastapiDir });
  if (trained.code !== 0) throw new Error(trained.out);
  const modelFile = path.join(fastapiDir, 'model', 'model.joblib');
  execFileSync('mkdir', ['-p', path.join(flaskDir, 'model')]);
  execFileSync('cp', [modelFile, path.join(flaskDir, 'model', 'model.joblib')]);
  const mlflowModel = path.join(work, 'mlflow-model');
  const saved = await run(python, ['-c', `import joblib, mlflow.sklearn; mlflow.sklearn.save_model(joblib.load(${JSON.stringify(modelFile)}), ${JSON.stringify(mlflowModel)})`], { cwd: work });
  if (saved.code !== 0) throw new Error(saved.out);

  const record = JSON.parse(readFileSync(path.join(fastapiDir, 'sample-payload.json'), 'utf8')) as Record<string, number>;
  const mlflowBody = JSON.stringify({ dataframe_split: { columns: Object.keys(record), data: [Object.values(record)] } });
  const pathEnv = `${path.dirname(python)}:${process.env.PATH}`;

  const gunicorn = (name: 'fastapi' | 'flask', dir: string) => ({
    name,
    body: JSON.stringify(record),
    path: '/predict',
    start: async (): Promise<Server> => {
      const port = await freePort();
      const prom = mkdtempSync(path.join(work, 'prom-'));
      return startServer({ cmd: venvBin('gunicorn'), args: ['-c', 'gunicorn.conf.py', 'app.main:app'], cwd: dir, env: { PORT: String(port), WORKERS: String(WORKERS), PROMETHEUS_MULTIPROC_DIR: prom, PATH: pathEnv }, port, readyPath: '/ready', logFile: path.join(work, `${name}.log`) });
    },
  });
  const targets: Array<{ name: string; start: () => Promise<Server>; body: string; path: string }> = [
    gunicorn('fastapi', fastapiDir),
    gunicorn('flask', flaskDir),
    {
      name: 'mlflow',
      body: mlflowBody,
      path: '/invocations',
      start: async () => {
        const port = await freePort();
        return startServer({ cmd: venvBin('mlflow'), args: ['models', 'serve', '-m', mlflowModel, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port), '-w', String(WORKERS)], cwd: work, env: { PATH: pathEnv }, port, readyPath: '/ping', logFile: path.join(work, 'mlflow.log'), timeoutMs: 120_000 });
      },
    },
  ];

  const results: Record<string, Load[]> = { fastapi: [], flask: [], mlflow: [] };
  try {
    // Interleaved rounds, one server at a time, so drift on the machine hits all alike.
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const t of targets) {
        const server = await t.start();
        try {
          // Same correct answer from each before the load.
          const r = await fetch(server.url + t.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: t.body });
          if (r.status !== 200) throw new Error(`${t.name}: ${r.status} ${await r.text()}`);
          wrk(server.url + t.path, t.body, work); // warm-up, discarded
          const load = wrk(server.url + t.path, t.body, work);
          if (load.non2xx > 0) throw new Error(`${t.name}: ${load.non2xx} non-2xx responses under load`);
          results[t.name].push(load);
          console.log(`round ${round_ + 1} ${t.name}: ${load.rps.toFixed(0)} req/s, p99 ${load.p99ms.toFixed(2)} ms`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await stopAll();
  }
  const med = (name: string, k: keyof Load): number => round(median(results[name].map((l) => l[k])));
  const notes = `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s on loopback after a warm-up, ${WORKERS} workers each, one-record JSON payload, the same sample iris pipeline; medians of ${ROUNDS} interleaved rounds`;
  const peerName = `mlflow models serve (MLflow ${readMlflowVersion(python)})`;
  for (const [name, goal] of [
    ['fastapi', 2.0],
    ['flask', 1.5],
  ] as const) {
    writeResult({
      id: `serving-${name}-vs-mlflow`,
      metric: 'requests_per_s',
      better: 'higher',
      ours: med(name, 'rps'),
      peer: med('mlflow', 'rps'),
      peer_name: peerName,
      goal,
      runs: ROUNDS,
      notes,
      p99_ms: { ours: med(name, 'p99ms'), peer: med('mlflow', 'p99ms') },
    });
    writeResult({
      id: `serving-${name}-p99-vs-mlflow`,
      metric: 'p99_latency_ms',
      better: 'lower',
      ours: med(name, 'p99ms'),
      peer: med('mlflow', 'p99ms'),
      peer_name: peerName,
      goal: 1.0,
      runs: ROUNDS,
      notes,
    });
  }
}

function readMlflowVersion(python: string): string {
  return execFileSync(python, ['-c', 'import mlflow; print(mlflow.__version__)'], { encoding: 'utf8' }).trim();
}
