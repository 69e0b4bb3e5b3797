"""Train, evaluate and (if good enough) deploy an iris classifier with MLflow.

The stack needs an ``mlflow`` experiment tracker named ``mlflow_tracker`` and an
``mlflow`` model deployer (see README.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from cairn import pipeline, step
from cairn.integrations.mlflow.steps import mlflow_model_deployer_step

TRACKER = "mlflow_tracker"


@step
def load_data(test_size: float = 0.3) -> tuple[
    Annotated[Any, "x_train"], Annotated[Any, "x_test"],
    Annotated[Any, "y_train"], Annotated[Any, "y_test"],
]:  # fmt: skip
    """The iris data set, split into train and test sets (numpy arrays)."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    x, y = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=42, stratify=y
    )
    return x_train, x_test, y_train, y_test


@step(experiment_tracker=TRACKER)
def train(x_train: Any, y_train: Any, c: float = 1.0) -> Any:
    """A logistic regression; its parameters are logged to MLflow."""
    import mlflow
    from sklearn.linear_model import LogisticRegression

    mlflow.log_param("C", c)
    model = LogisticRegression(C=c, max_iter=500).fit(x_train, y_train)
    mlflow.log_metric("train_accuracy", float(model.score(x_train, y_train)))
    return model


@step(experiment_tracker=TRACKER)
def evaluate(model: Any, x_test: Any, y_test: Any) -> float:
    """Test accuracy, logged to MLflow and to Cairn's metadata."""
    import mlflow

    from cairn import log_metadata

    accuracy = float(model.score(x_test, y_test))
    mlflow.log_metric("test_accuracy", accuracy)
    log_metadata(accuracy=accuracy)
    return accuracy


@step
def deployment_trigger(accuracy: float, min_accuracy: float = 0.9) -> bool:
    """Deploy only models at least ``min_accuracy`` accurate."""
    return accuracy >= min_accuracy


@pipeline(enable_cache=False)
def train_and_deploy(c: float = 1.0, min_accuracy: float = 0.9) -> None:
    """Load, train, evaluate, decide and deploy."""
    x_train, x_test, y_train, y_test = load_data()
    model = train(x_train, y_train, c=c)
    accuracy = evaluate(model, x_test, y_test)
    decision = deployment_trigger(accuracy, min_accuracy=min_accuracy)
    mlflow_model_deployer_step(model, deploy_decision=decision)
