"""Trains the sample model: a scikit-learn pipeline on the iris data set, which ships
with scikit-learn (nothing is downloaded). Writes model/model.joblib."""

from __future__ import annotations

from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main() -> None:
    iris = load_iris()
    X, y = iris.data, iris.target_names[iris.target]  # columns: sepal length, sepal width, petal length, petal width
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    print(f"accuracy on held-out data: {model.score(X_test, y_test):.3f}")
    out = Path(__file__).resolve().parent / "model/model.joblib"
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    print(f"saved {out}")


if __name__ == "__main__":
    main()
