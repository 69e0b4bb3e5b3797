"""The quickstart pipeline: train and evaluate a classifier on scikit-learn's breast cancer data.

load -> split -> train -> evaluate, with the metrics logged to the metadata store.
Everything is local: the dataset ships with scikit-learn (no download).
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd

from cairn import log_metadata, pipeline, step


@step
def load_data() -> Annotated[pd.DataFrame, "dataset"]:
    """The breast cancer dataset as one table (30 features and a ``target`` column)."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    log_metadata(rows=len(frame), features=frame.shape[1] - 1)
    return frame


@step
def split(
    dataset: pd.DataFrame, test_size: float = 0.25, seed: int = 42
) -> tuple[Annotated[pd.DataFrame, "train"], Annotated[pd.DataFrame, "test"]]:
    """A stratified train/test split."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        dataset, test_size=test_size, random_state=seed, stratify=dataset["target"]
    )
    return train, test


@step
def train_model(
    train: pd.DataFrame, C: float = 1.0, max_iter: int = 500
) -> Annotated[Any, "model"]:
    """Standardise the features and fit a logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter))
    model.fit(train.drop(columns="target"), train["target"])
    return model


@step
def evaluate(model: Any, test: pd.DataFrame) -> Annotated[dict[str, float], "metrics"]:
    """Accuracy, F1 and ROC AUC on the held-out data, logged as step metadata."""
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    features, target = test.drop(columns="target"), test["target"]
    predicted = model.predict(features)
    metrics = {
        "accuracy": float(accuracy_score(target, predicted)),
        "f1": float(f1_score(target, predicted)),
        "roc_auc": float(roc_auc_score(target, model.predict_proba(features)[:, 1])),
    }
    log_metadata(**metrics)
    return metrics


@pipeline
def quickstart(C: float = 1.0, test_size: float = 0.25) -> None:
    """load -> split -> train -> evaluate."""
    dataset = load_data()
    train, test = split(dataset, test_size=test_size)
    model = train_model(train, C=C)
    evaluate(model, test)
