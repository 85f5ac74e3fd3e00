"""Configuration from the environment, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    model_path: str
    model_version: str
    log_level: str
    port: int
    workers: int
    max_body_bytes: int
    max_batch: int


def load() -> Settings:
    return Settings(
        model_path=os.environ.get("MODEL_PATH", "model/model.joblib"),
        model_version=os.environ.get("MODEL_VERSION", "sample-iris-1"),
        log_level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        port=_int("PORT", 8000),
        workers=_int("WORKERS", 2),
        max_body_bytes=_int("MAX_BODY_BYTES", 1_048_576),
        max_batch=_int("MAX_BATCH", 1000),
    )


settings = load()
