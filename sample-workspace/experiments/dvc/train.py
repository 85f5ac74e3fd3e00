"""Trains an SGD classifier on iris with the parameters in params.yaml (DVC passes them
there; `dvc exp run -S train.alpha=0.01` changes one) and writes metrics.json."""

from __future__ import annotations

import json

import numpy as np
import yaml
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split


def main() -> None:
    with open("params.yaml", encoding="utf-8") as f:
        params = yaml.safe_load(f)["train"]
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    classes = np.unique(y)
    model = SGDClassifier(loss="log_loss", alpha=float(params["alpha"]), learning_rate=params["learning_rate"], eta0=0.01, random_state=0)
    for _ in range(int(params["epochs"])):
        model.partial_fit(X_train, y_train, classes=classes)
    proba = model.predict_proba(X_test)
    metrics = {"accuracy": accuracy_score(y_test, model.predict(X_test)), "loss": log_loss(y_test, proba, labels=classes)}
    with open("metrics.json", "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
