"""Training and inference pipelines in ZenML's style, ported by renaming ``zenml`` to ``cairn``.

Training trains a classifier on scikit-learn's breast cancer data, records it as a model
artifact of a new version of the model ``breast_cancer_classifier`` and promotes that version
to production when it beats the current one. Inference loads the production version's
classifier and preprocessing parameters through the model control plane.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd

from cairn import (
    ArtifactConfig,
    get_pipeline_context,
    get_step_context,
    log_metadata,
    pipeline,
    step,
)
from cairn.client import Client
from cairn.enums import ModelStages
from cairn.exceptions import DoesNotExistError
from cairn.logger import get_logger

logger = get_logger(__name__)


@step
def data_loader(
    is_inference: bool = False, random_state: int = 42
) -> Annotated[pd.DataFrame, "dataset"]:
    """The dataset; for inference, a sample of it without the target."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    inference = frame.sample(frac=0.05, random_state=random_state)
    if is_inference:
        return inference.drop(columns="target")
    return frame.drop(inference.index)


@step
def data_preprocessor(
    dataset: pd.DataFrame, test_size: float = 0.2, random_state: int = 42
) -> tuple[
    Annotated[pd.DataFrame, ArtifactConfig(name="dataset_trn", tags=["train"])],
    Annotated[pd.DataFrame, ArtifactConfig(name="dataset_tst", tags=["test"])],
    Annotated[dict[str, Any], ArtifactConfig(name="preprocess_pipeline")],
]:
    """A stratified split and the scaling parameters (kept with the model for inference)."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        dataset, test_size=test_size, random_state=random_state, stratify=dataset["target"]
    )
    features = train.drop(columns="target")
    scaling = {"mean": features.mean().to_dict(), "std": features.std().to_dict()}
    return train, test, scaling


def _scaled(frame: pd.DataFrame, scaling: dict[str, Any]) -> pd.DataFrame:
    return (frame - pd.Series(scaling["mean"])) / pd.Series(scaling["std"])


@step
def model_trainer(
    dataset_trn: pd.DataFrame, preprocess_pipeline: dict[str, Any], C: float = 1.0
) -> Annotated[Any, ArtifactConfig(name="sklearn_classifier", is_model_artifact=True)]:
    """A logistic regression on the scaled features."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=1000)
    model.fit(
        _scaled(dataset_trn.drop(columns="target"), preprocess_pipeline), dataset_trn["target"]
    )
    logger.info("trained with C=%s", C)
    return model


@step
def model_evaluator(
    model: Any, dataset_tst: pd.DataFrame, preprocess_pipeline: dict[str, Any]
) -> Annotated[float, "test_accuracy"]:
    """Accuracy on the test split, attached to the model version as metadata."""
    features = _scaled(dataset_tst.drop(columns="target"), preprocess_pipeline)
    accuracy = float(model.score(features, dataset_tst["target"]))
    log_metadata(metadata={"test_accuracy": accuracy}, infer_model=True)
    return accuracy


@step
def model_promoter(accuracy: float, stage: str = "production") -> bool:
    """Promote this run's model version if it beats the one in ``stage``."""
    current = get_step_context().model
    try:
        previous = Client().get_model_version(current.name, ModelStages(stage))
        best = float(previous.run_metadata.get("test_accuracy", 0.0))
    except DoesNotExistError:
        best = -1.0
    if accuracy <= best:
        logger.info("kept the %s version (%.3f >= %.3f)", stage, best, accuracy)
        return False
    current.set_stage(stage, force=True)
    return True


@pipeline
def training(test_size: float = 0.2, C: float = 1.0) -> None:
    dataset = data_loader()
    train, test, scaling = data_preprocessor(dataset=dataset, test_size=test_size)
    model = model_trainer(dataset_trn=train, preprocess_pipeline=scaling, C=C)
    accuracy = model_evaluator(model=model, dataset_tst=test, preprocess_pipeline=scaling)
    model_promoter(accuracy=accuracy)


@step
def inference_predict(
    dataset_inf: pd.DataFrame, preprocess_pipeline: dict[str, Any]
) -> Annotated[pd.Series, "predictions"]:
    """Predictions of the production classifier."""
    classifier = get_step_context().model.load_artifact("sklearn_classifier")
    predictions = classifier.predict(_scaled(dataset_inf, preprocess_pipeline))
    return pd.Series(predictions, index=dataset_inf.index, name="predicted")


@pipeline
def inference(random_state: int = 42) -> None:
    model = get_pipeline_context().model
    dataset_inf = data_loader(is_inference=True, random_state=random_state)
    inference_predict(
        dataset_inf=dataset_inf, preprocess_pipeline=model.get_artifact("preprocess_pipeline")
    )
