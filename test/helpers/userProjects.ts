// Projects in the shapes users bring, written by the tests (nothing is copied from a public
// repository): a plain FastAPI app with its own lowercase `dockerfile`, its manifests at the
// repository's root naming a Docker Hub image, no readiness probe and no sample payload,
// beside a params.yaml and a compose file, in a folder whose name Kubernetes refuses.
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
