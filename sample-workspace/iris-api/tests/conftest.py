"""Fixtures: the app under test, with the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MODEL_PATH", str(ROOT / "model/model.joblib"))


def _ensure_model() -> None:
    if Path(os.environ["MODEL_PATH"]).exists():
        return
    subprocess.run([sys.executable, str(ROOT / "train.py")], check=True, cwd=ROOT)


_ensure_model()  # before the app is imported: its settings read MODEL_PATH


class Reply:
    def __init__(self, status: int, text: str) -> None:
        self.status = status
        self.text = text

    def json(self) -> Any:
        return json.loads(self.text)


class Api:
    """The same calls for FastAPI's and Flask's test clients."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def _reply(self, r: Any) -> Reply:
        text = r.text if hasattr(r, "text") else r.get_data(as_text=True)
        return Reply(r.status_code, text)

    def get(self, path: str) -> Reply:
        return self._reply(self._client.get(path))

    def post(self, path: str, json: Any = None, data: bytes | str | None = None, headers: dict[str, str] | None = None) -> Reply:
        if data is not None:
            return self._reply(self._client.post(path, content=data, headers=headers))
        return self._reply(self._client.post(path, json=json, headers=headers))


@pytest.fixture(scope="session")
def client():
    from fastapi.testclient import TestClient

    from app.main import app

    with TestClient(app) as test_client:  # runs the lifespan: the model loads
        yield Api(test_client)


@pytest.fixture(scope="session")
def record() -> dict[str, Any]:
    return json.loads((ROOT / "sample-payload.json").read_text(encoding="utf-8"))
