"""Downloads the MLflow model {{modelUri}} into {{modelPath}}/ so that it is built
into the image. Needs MLFLOW_TRACKING_URI (and credentials, if the server asks)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import mlflow

MODEL_URI = "{{modelUri}}"


def main() -> None:
    dest = Path(__file__).resolve().parent / "{{modelPath}}"
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(artifact_uri=MODEL_URI, dst_path=tmp)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(local, dest)
    print(f"downloaded {MODEL_URI} to {dest}")


if __name__ == "__main__":
    main()
