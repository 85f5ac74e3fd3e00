"""Trains small iris classifiers and logs them to MLflow, so the Experiments view has
real runs to show: a sweep of SGD classifiers (loss and accuracy per epoch), with the
best one's model logged with its signature.

    MLFLOW_ALLOW_FILE_STORE=true python experiments/log_runs.py   # writes ./mlruns
    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python experiments/log_runs.py
"""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
import mlflow.sklearn
import numpy as np
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split

EPOCHS = 20


def main() -> None:
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        mlflow.set_tracking_uri((Path(__file__).resolve().parent.parent / "mlruns").as_uri())
    mlflow.set_experiment("iris-sgd")
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    classes = np.unique(y)
    best = (-1.0, None, None)
    for alpha in (0.0001, 0.001, 0.01, 0.1):
        for lr in ("optimal", "adaptive", "invscaling"):
            name = f"sgd α={alpha} {lr}"
            with mlflow.start_run(run_name=name) as run:
                mlflow.log_params({"alpha": alpha, "learning_rate": lr, "eta0": 0.01, "epochs": EPOCHS, "loss": "log_loss"})
                mlflow.set_tag("dataset", "iris")
                model = SGDClassifier(loss="log_loss", alpha=alpha, learning_rate=lr, eta0=0.01, random_state=0)
                for epoch in range(EPOCHS):
                    model.partial_fit(X_train, y_train, classes=classes)
                    proba = model.predict_proba(X_test)
                    mlflow.log_metrics({"loss": log_loss(y_test, proba, labels=classes), "accuracy": accuracy_score(y_test, model.predict(X_test))}, step=epoch)
                acc = accuracy_score(y_test, model.predict(X_test))
                mlflow.log_metric("test_accuracy", acc)
                if acc > best[0]:
                    best = (acc, run.info.run_id, model)
    acc, run_id, model = best
    with mlflow.start_run(run_id=run_id):
        mlflow.sklearn.log_model(model, name="model", signature=infer_signature(X_test, model.predict(X_test)))
    print(f"logged 12 runs; best {run_id} (test accuracy {acc:.3f}) has its model logged")


if __name__ == "__main__":
    main()
