// Projects in the shapes users bring, written by the tests (nothing is copied from a public
// repository): a plain FastAPI app with its own lowercase `dockerfile`, its manifests at the
// repository's root naming a Docker Hub image, no readiness probe and no sample payload,
// beside a params.yaml and a compose file, in a folder whose name Kubernetes refuses.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PINNED_VERSIONS } from '../../src/scaffold/core/model';

export const SHOP = { folder: 'shop_api_2024', deployment: 'shop-api', hubImage: 'docker.io/someone/shop-api:1.4', port: 8000 } as const;

/** Writes the shop app into `parent`/shop_api_2024 and returns its folder. */
export function writeShopApi(parent: string, baseImage: string, port: number = SHOP.port): string {
  const dir = path.join(parent, SHOP.folder);
  mkdirSync(dir, { recursive: true });
  const w = (f: string, text: string): void => writeFileSync(path.join(dir, f), text);
  w('requirements.txt', `fastapi==${PINNED_VERSIONS.fastapi}\nuvicorn==${PINNED_VERSIONS.uvicorn}\n`);
  w(
    'main.py',
    `from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="shop")


class House(BaseModel):
    rooms: int = Field(ge=1)
    area: float


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(house: House):
    return {"price": round(house.area * 1000 + house.rooms * 50, 2)}
`,
  );
  w(
    'dockerfile',
    `FROM ${baseImage}\nWORKDIR /srv\nCOPY requirements.txt .\nRUN pip install --no-cache-dir --only-binary=:all: -r requirements.txt\nCOPY main.py .\nEXPOSE ${port}\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "${port}"]\n`,
  );
  w('params.yaml', 'train:\n  alpha: 0.5\n');
  w('docker-compose.yml', `services:\n  api:\n    build: .\n    ports: ["${port}:${port}"]\n`);
  w(
    'deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${SHOP.deployment}
  labels: { app: ${SHOP.deployment} }
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${SHOP.deployment} }
  template:
    metadata:
      labels: { app: ${SHOP.deployment} }
    spec:
      containers:
        - name: web
          image: ${SHOP.hubImage}
          ports:
            - containerPort: ${SHOP.port}
---
apiVersion: v1
kind: Service
metadata:
  name: ${SHOP.deployment}
spec:
  selector: { app: ${SHOP.deployment} }
  ports:
    - port: 80
      targetPort: ${SHOP.port}
`,
  );
  return dir;
}

/**
 * An MLflow project as an older release left it: mlflow.db and the mlruns/ artifacts beside
 * it, logged by `python` (a venv with that release, test/env/python-mlflow-release.sh) into
 * `dir`: experiment "churn" with three runs (one failed, one deleted), params, a metric
 * history, an artifact and a registered model with a version.
 */
export const OLD_STORE_SCRIPT = `
import mlflow, os
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("churn")
ids = []
for i, c in enumerate([0.1, 1.0, 10.0]):
    with mlflow.start_run(run_name=f"logreg-C{c}") as r:
        mlflow.log_param("C", c)
        for step in range(3):
            mlflow.log_metric("auc", 0.7 + i / 10 + step / 100, step=step)
        with open("notes.txt", "w") as f:
            f.write(f"C={c}")
        mlflow.log_artifact("notes.txt")
        ids.append(r.info.run_id)
os.remove("notes.txt")
client = MlflowClient()
client.set_terminated(ids[0], "FAILED")
client.delete_run(ids[2])
client.create_registered_model("churn-model")
client.create_model_version("churn-model", f"runs:/{ids[1]}/model", ids[1])
print("LOGGED", mlflow.__version__)
`;

/** The training script of the DVC project below: it imports `shoplib`, which only the project's .venv has. */
export const SHOP_TRAIN = `import json, sys
import shoplib
alpha = float([l.split("#")[0].split(":")[1] for l in open("params.yaml") if l.strip().startswith("alpha")][0])
if alpha < 0:
    sys.exit("alpha must be positive")
json.dump({"rmse": shoplib.rmse(alpha)}, open("metrics.json", "w"))
`;

/**
 * A DVC repository as users have it, in `dir`: its own git, its own .venv (made without pip,
 * so nothing is downloaded) holding the module its pipeline imports, a stage that says plain
 * `python train.py`, a commented params.yaml; DVC itself comes from `dvc` (another Python's).
 */
export function writeDvcProjectWithVenv(dir: string, dvc: readonly string[]): void {
  const sh = (cmd: string, args: readonly string[]): string => execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DVC_NO_ANALYTICS: '1' } });
  mkdirSync(dir, { recursive: true });
  sh('python3', ['-m', 'venv', '--without-pip', '.venv']);
  const site = sh(path.join(dir, '.venv', 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).trim();
  writeFileSync(path.join(site, 'shoplib.py'), 'def rmse(alpha):\n    return round(1.0 / (1.0 + alpha), 4)\n');
  writeFileSync(path.join(dir, '.gitignore'), '.venv/\n');
  sh('git', ['init', '-q']);
  sh('git', ['config', 'user.email', 'dvc@localhost']);
  sh('git', ['config', 'user.name', 'dvc test']);
  sh(dvc[0]!, [...dvc.slice(1), 'init', '-q']);
  writeFileSync(path.join(dir, 'train.py'), SHOP_TRAIN);
  writeFileSync(path.join(dir, 'params.yaml'), '# the learning rate\ntrain:\n  alpha:   1.0   # tuned by hand\n');
  writeFileSync(path.join(dir, 'dvc.yaml'), 'stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params: [train.alpha]\n    metrics: [metrics.json]\n');
  sh('git', ['add', '-A']);
  sh('git', ['commit', '-qm', 'baseline']);
}

/** Makes `dir` a git repository with everything in it committed, as a user's project is. */
export function commitAll(dir: string, message: string): void {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('-c', 'user.email=t@localhost', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@localhost', '-c', 'user.name=t', 'commit', '-qm', message);
}
