"""The model, loaded once at start-up, and the one place that scores records."""

from __future__ import annotations

import logging
import math
from typing import Any, Sequence

from .settings import settings

log = logging.getLogger("app.model")

# The order the model was trained with.
FEATURES: list[str] = [{{#features}}"{{name}}", {{/features}}]


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


{{#sourceMlflow}}
def _load(path: str) -> Any:
    """An MLflow model: through its scikit-learn flavour when it has one (it gives probabilities), else
    through mlflow.pyfunc, which serves any flavour as `mlflow models serve` does."""
    from mlflow.models import Model as LoggedModel

    if "sklearn" in LoggedModel.load(path).flavors:
        import mlflow.sklearn

        return mlflow.sklearn.load_model(path)
    import mlflow.pyfunc

    return _Pyfunc(mlflow.pyfunc.load_model(path))


class _Pyfunc:
    """A pyfunc model with the scikit-learn calls the API makes: given the columns its signature names, with their types."""

    def __init__(self, loaded: Any) -> None:
        self._loaded = loaded
        schema = loaded.metadata.get_input_schema()
        self._named = schema is not None and schema.has_input_names()
        self._types = {}
        if self._named:
            self.n_features_in_ = len(schema.input_names())
            for name, kind in schema.input_types_dict().items():
                if hasattr(kind, "to_numpy"):
                    self._types[name] = kind.to_numpy()

    def predict(self, X: Any) -> Any:
        import numpy as np
        import pandas as pd

        data = pd.DataFrame(np.asarray(X, dtype=object), columns=FEATURES) if self._named else np.asarray(X, dtype=np.float64)
        if self._named and self._types:
            data = data.astype({n: t for n, t in self._types.items() if n in data.columns})
        out = self._loaded.predict(data)
        if isinstance(out, pd.DataFrame):
            out = out.iloc[:, 0]
        return np.asarray(out).reshape(len(data), -1)[:, 0]
{{/sourceMlflow}}
{{#formatSklearn}}
def _load(path: str) -> Any:
    import joblib

    return joblib.load(path)
{{/formatSklearn}}
{{#formatOnnx}}
def _load(path: str) -> Any:
    return _Onnx(path)


class _Onnx:
    """An ONNX model (onnxruntime), with the scikit-learn calls the API makes. Its first output is the
    prediction; a second one, when there is one, the class probabilities (a tensor, or one map per row)."""

    _DTYPES = {"tensor(float)": "float32", "tensor(double)": "float64", "tensor(int64)": "int64", "tensor(int32)": "int32", "tensor(bool)": "bool", "tensor(string)": "object"}

    def __init__(self, path: str) -> None:
        import onnxruntime

        self._session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        self._inputs = self._session.get_inputs()
        self._outputs = [o.name for o in self._session.get_outputs()]
        if len(self._inputs) > 1:
            self.n_features_in_ = len(self._inputs)  # one input per column
        elif len(self._inputs[0].shape) == 2 and isinstance(self._inputs[0].shape[1], int):
            self.n_features_in_ = self._inputs[0].shape[1]
        if len(self._outputs) > 1:
            # A classifier: its classes are those its probabilities name (a map), else their positions.
            try:
                _, proba = self._run(_zeros(len(FEATURES)))
            except Exception:  # inputs zeros cannot stand for (text): predictions without probabilities
                return
            self.classes_ = list(proba[0].keys()) if isinstance(proba[0], dict) else list(range(len(proba[0])))
            self.predict_proba = self._proba

    def _feed(self, X: Any) -> dict[str, Any]:
        import numpy as np

        values = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)  # a DataFrame when some inputs are text
        if len(self._inputs) == 1:
            return {self._inputs[0].name: values.astype(self._DTYPES.get(self._inputs[0].type, "float32"))}
        return {inp.name: values[:, [i]].astype(self._DTYPES.get(inp.type, "float32")) for i, inp in enumerate(self._inputs)}

    def _run(self, X: Any) -> tuple[Any, Any]:
        out = self._session.run(self._outputs[:2], self._feed(X))
        return out[0], (out[1] if len(out) > 1 else None)

    def predict(self, X: Any) -> Any:
        import numpy as np

        labels, _ = self._run(X)
        return np.asarray(labels).reshape(len(labels), -1)[:, 0]

    def _proba(self, X: Any) -> Any:
        _, proba = self._run(X)
        if isinstance(proba[0], dict):
            return [[row[c] for c in self.classes_] for row in proba]
        return proba


def _zeros(n: int) -> Any:
    import numpy as np

    return np.zeros((1, n), dtype=np.float64)
{{/formatOnnx}}
{{#formatXgboost}}
def _load(path: str) -> Any:
    return _XGBoost(path)


class _XGBoost:
    """A model saved by XGBoost's save_model (JSON or UBJSON), with the scikit-learn calls the API makes.
    Classes are XGBoost's label indices (it trains on labels 0…k-1)."""

    def __init__(self, path: str) -> None:
        import json

        import xgboost

        self._xgboost = xgboost
        self._booster = xgboost.Booster(model_file=path)
        self.n_features_in_ = self._booster.num_features()
        learner = json.loads(self._booster.save_config())["learner"]
        self._objective = learner["objective"]["name"]
        if self._objective in ("binary:logistic", "binary:logitraw", "binary:hinge"):
            self.classes_ = [0, 1]
        elif self._objective in ("multi:softprob", "multi:softmax"):
            self.classes_ = list(range(int(learner["learner_model_param"]["num_class"])))
        if self._objective in ("binary:logistic", "multi:softprob"):
            self.predict_proba = self._proba

    def _raw(self, X: Any) -> Any:
        import numpy as np

        return self._booster.predict(self._xgboost.DMatrix(np.asarray(X), feature_names=self._booster.feature_names))

    def _proba(self, X: Any) -> Any:
        import numpy as np

        p = self._raw(X)
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, X: Any) -> Any:
        import numpy as np

        p = self._raw(X)
        if self._objective == "binary:logistic":
            return (p >= 0.5).astype(int)
        if self._objective == "binary:logitraw":
            return (p >= 0).astype(int)
        if self._objective == "multi:softprob":
            return p.argmax(axis=1)
        if self._objective in ("multi:softmax", "binary:hinge"):
            return p.astype(int)
        return p
{{/formatXgboost}}
{{#formatLightgbm}}
def _load(path: str) -> Any:
    return _LightGBM(path)


class _LightGBM:
    """A model saved by LightGBM's save_model (its text format), with the scikit-learn calls the API
    makes. Classes are LightGBM's label indices (it trains on labels 0…k-1)."""

    def __init__(self, path: str) -> None:
        import lightgbm

        self._booster = lightgbm.Booster(model_file=path)
        self.n_features_in_ = self._booster.num_feature()
        self._objective = ""
        classes = 1
        with open(path, encoding="utf-8", errors="replace") as f:  # the header, before the first tree
            for line in f:
                if line.startswith("objective="):
                    self._objective = line[len("objective="):].split(" ")[0].strip()
                elif line.startswith("num_class="):
                    classes = int(line[len("num_class="):])
                elif line.startswith("Tree="):
                    break
        if self._objective == "binary":
            self.classes_ = [0, 1]
        elif self._objective in ("multiclass", "multiclassova"):
            self.classes_ = list(range(classes))
        if hasattr(self, "classes_"):
            self.predict_proba = self._proba

    def _raw(self, X: Any) -> Any:
        import numpy as np

        return self._booster.predict(np.asarray(X))

    def _proba(self, X: Any) -> Any:
        import numpy as np

        p = self._raw(X)
        return np.column_stack([1 - p, p]) if p.ndim == 1 else p

    def predict(self, X: Any) -> Any:
        return self._proba(X).argmax(axis=1) if hasattr(self, "classes_") else self._raw(X)
{{/formatLightgbm}}


def _matrix(rows: Sequence[dict[str, Any]]) -> Any:
{{#useDataFrame}}
    # The model was fitted on named columns: a DataFrame with those names (a pipeline selects them by name).
    import pandas as pd

    return pd.DataFrame([[row[f] for f in FEATURES] for row in rows], columns=FEATURES)
{{/useDataFrame}}
{{^useDataFrame}}
    import numpy as np

    return np.asarray([[float(row[f]) for f in FEATURES] for row in rows], dtype=np.float64)
{{/useDataFrame}}


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
