"""The model, loaded once at start-up, and the one place that scores records."""

from __future__ import annotations

import logging
import math
from typing import Any, Sequence

from .settings import settings

log = logging.getLogger("app.model")

# The order the model was trained with.
FEATURES: list[str] = ["sepal_length", "sepal_width", "petal_length", "petal_width", ]


class ModelNotReady(RuntimeError):
    """The model is not loaded (yet, or it failed to load)."""


class ScoringError(ValueError):
    """The model refused these values; the caller sent something it cannot score."""


class Model:
    def __init__(self) -> None:
        self._model: Any = None
        self.error: str | None = None
        self.version = settings.model_version
        self.classes: list[Any] | None = None

    @property
    def ready(self) -> bool:
        return self._model is not None

    def load(self, path: str | None = None) -> None:
        path = path or settings.model_path
        try:
            model = _load(path)
        except Exception as exc:  # a missing or unreadable model must not crash the server
            # The log has the path and the exception; /ready (which anyone may call) only the kind of failure.
            log.error(f"cannot load the model from {path}: {exc}")
            self.error = f"the model could not be loaded ({type(exc).__name__}); see the server log"
            return
        expected = getattr(model, "n_features_in_", None)
        if expected is not None and expected != len(FEATURES):
            self.error = f"the model expects {expected} features, the API sends {len(FEATURES)}: regenerate the schema"
            log.error(self.error)
            return
        self._model = model
        self.error = None
        classes = getattr(model, "classes_", None)
        self.classes = list(classes) if classes is not None else None
        log.info("model loaded", extra={"path": path, "model_version": self.version, "features": len(FEATURES)})

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        if self._model is None:
            raise ModelNotReady(self.error or "the model is not loaded yet")
        X = _matrix(rows)
        try:
            predictions = self._model.predict(X)
            probabilities = self._model.predict_proba(X) if hasattr(self._model, "predict_proba") else None
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ScoringError(f"the model could not score this input: {exc}") from exc
        out: list[dict[str, Any]] = []
        for i, p in enumerate(predictions):
            item: dict[str, Any] = {"prediction": _plain(p)}
            if probabilities is not None and self.classes is not None:
                item["probabilities"] = {str(_plain(c)): _finite(float(v)) for c, v in zip(self.classes, probabilities[i])}
            out.append(item)
        return out


def _load(path: str) -> Any:
    import joblib

    return joblib.load(path)


def _matrix(rows: Sequence[dict[str, Any]]) -> Any:
    import numpy as np

    return np.asarray([[float(row[f]) for f in FEATURES] for row in rows], dtype=np.float64)


def _plain(value: Any) -> Any:
    """numpy scalars to JSON-ready Python values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return _finite(value)
    return value


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


model = Model()
