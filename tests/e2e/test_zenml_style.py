"""Pipelines written in ZenML's documented style run on Cairn after the rename.

Each pipeline below is ZenML code with ``zenml`` replaced by ``cairn`` in the
imports; the only other change is ``.run()`` where the pipeline is called
(see docs/porting-from-zenml.md).
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from cairn import (
    ArtifactConfig,
    ExternalArtifact,
    Model,
    get_pipeline_context,
    get_step_context,
    log_metadata,
    pipeline,
    save_artifact,
    step,
)
from cairn.client import Client
from cairn.enums import ModelStages
from cairn.exceptions import DoesNotExistError
from cairn.logger import get_logger

logger = get_logger(__name__)


# ---------------------------------------------------------------- artifacts by name, ArtifactConfig
@step
def training_data_loader() -> tuple[
    Annotated[list[float], ArtifactConfig(name="X_train", tags=["train"])],
    Annotated[list[int], ArtifactConfig(name="y_train", run_metadata={"source": "synthetic"})],
]:
    logger.info("loading")
    return [0.1, 0.9, 0.4], [0, 1, 0]


@step
def svc_trainer(
    X_train: list[float], y_train: list[int], gamma: float = 0.001
) -> Annotated[dict[str, Any], ArtifactConfig(name="svc_model", is_model_artifact=True)]:
    model = {"gamma": gamma, "threshold": sum(X_train) / len(X_train)}
    log_metadata(metadata={"train_accuracy": 0.95}, artifact_name="svc_model", infer_artifact=True)
    return model


@pipeline
def training_pipeline(gamma: float = 0.002) -> None:
    X_train, y_train = training_data_loader()
    svc_trainer(gamma=gamma, X_train=X_train, y_train=y_train)


def test_artifacts_by_name_and_artifact_config() -> None:
    training_pipeline(gamma=0.01).run()
    training_pipeline(gamma=0.02).run()
    client = Client()
    versions = client.list_artifact_versions("svc_model")
    assert [v.version for v in versions] == ["2", "1"]
    assert versions[0].load()["gamma"] == 0.02 and versions[0].is_model_artifact
    assert versions[0].run_metadata == {"train_accuracy": 0.95}
    assert client.get_artifact_version("y_train").run_metadata == {"source": "synthetic"}
    assert [v.name for v in client.list_artifact_versions(tag="train")] == ["X_train"]  # cached


# ---------------------------------------------------------------- log_metadata, ZenML's signature
@step
def evaluator(model: dict[str, Any]) -> float:
    accuracy = 0.9
    log_metadata(metadata={"evaluation": {"accuracy": accuracy, "precision": 0.8}})
    log_metadata(metadata={"evaluated": True}, run_id_name_or_prefix=get_step_context().run_id)
    return accuracy


@pipeline
def evaluation_pipeline() -> None:
    model = svc_trainer(X_train=ExternalArtifact(value=[0.5]), y_train=ExternalArtifact(value=[1]))
    evaluator(model)


def test_log_metadata_to_step_run_artifact_and_run() -> None:
    run = evaluation_pipeline().run(run_name="evaluation_{{date}}")
    assert run.steps["evaluator"].metadata == {"evaluation": {"accuracy": 0.9, "precision": 0.8}}
    assert run.run_metadata == {"evaluated": True}
    log_metadata(
        metadata={"reviewed": "yes"}, step_name="evaluator", run_id_name_or_prefix=run.name
    )
    assert Client().get_run(run.id).steps["evaluator"].metadata["reviewed"] == "yes"
    log_metadata(metadata={"approved": True}, artifact_name="svc_model", artifact_version="1")
    assert Client().get_artifact_version("svc_model", "1").run_metadata["approved"] is True


# ---------------------------------------------------------------- with_options, hooks-free
def test_with_options_run_name_and_cache() -> None:
    configured = training_pipeline.with_options(
        run_name="custom_pipeline_run_name_{{date}}_{{time}}", enable_cache=False
    )
    run = configured().run()
    assert run.name.startswith("custom_pipeline_run_name_")
    assert all(not s.record.cached for s in run.steps.values())


# ---------------------------------------------------------------- models and stages
@step
def model_promoter(accuracy: float, stage: str = "production") -> bool:
    is_promoted = False
    if accuracy > 0.8:
        is_promoted = True
        current_model = get_step_context().model
        current_model.set_stage(stage, force=True)
    return is_promoted


@step
def trainer(
    lr: float = 0.1,
) -> tuple[
    Annotated[dict[str, float], ArtifactConfig(name="sklearn_classifier", is_model_artifact=True)],
    Annotated[float, "accuracy"],
]:
    return {"lr": lr}, 0.9


@pipeline(model=Model(name="breast_cancer_classifier", tags=["classifier"]), enable_cache=False)
def training(lr: float = 0.1) -> None:
    _, accuracy = trainer(lr=lr)
    model_promoter(accuracy=accuracy)


@step
def inference_predict(data: list[float]) -> Annotated[list[float], "predictions"]:
    model = get_step_context().model
    predictor = model.load_artifact("sklearn_classifier")
    return [x * predictor["lr"] for x in data]


@step
def inference_with_input(preprocess_pipeline: dict[str, float], data: list[float]) -> float:
    return preprocess_pipeline["lr"] + sum(data)


@pipeline(model=Model(name="breast_cancer_classifier", version=ModelStages.PRODUCTION))
def inference() -> None:
    model = get_pipeline_context().model
    inference_predict(data=ExternalArtifact(value=[1.0, 2.0]))
    inference_with_input(
        preprocess_pipeline=model.get_artifact("sklearn_classifier"),
        data=Client().get_artifact_version("inference_data"),
    )


def test_training_promotes_and_inference_consumes() -> None:
    save_artifact([10.0], name="inference_data")
    with pytest.raises(DoesNotExistError, match="no version 'production'"):
        inference().run()
    training(lr=0.5).run()
    training(lr=0.25).run()
    client = Client()
    production = client.get_model_version("breast_cancer_classifier", ModelStages.PRODUCTION)
    assert production.number == 2
    assert client.get_model_version("breast_cancer_classifier", 1).stage == "archived"
    assert production.load_artifact("sklearn_classifier") == {"lr": 0.25}
    run = inference().run()
    assert run.steps["inference_predict"].output.load() == [0.25, 0.5]
    assert run.steps["inference_with_input"].output.load() == 10.25
    links = {a["name"]: a["kind"] for a in production.to_dict()["artifacts"]}
    assert links["sklearn_classifier"] == "model" and links["predictions"] == "data"


# ---------------------------------------------------------------- lazy inputs by name
@step
def read(data: list[float]) -> float:
    return sum(data)


@pipeline(enable_cache=False)
def lazy_pipeline() -> None:
    read(Client().get_artifact_version("numbers"))


def test_lazy_inputs_resolve_when_the_run_starts_not_at_definition() -> None:
    save_artifact([1.0], name="numbers")
    configured = lazy_pipeline()
    spec = configured.compile()  # defined (and compiled) now...
    assert spec.steps["read"].external_inputs["data"].kind == "name"
    save_artifact([1.0, 2.0, 3.0], name="numbers")  # ...a newer version appears...
    run = configured.run()  # ...and the run uses the version current when it starts
    assert run.steps["read"].output.load() == 6.0
    assert run.steps["read"].inputs["data"].id == Client().get_artifact_version("numbers").id


def test_cached_step_shows_the_metadata_of_the_producing_run() -> None:
    first = evaluation_pipeline().run()
    again = evaluation_pipeline().run()
    assert again.steps["evaluator"].record.cached
    assert again.steps["evaluator"].metadata == first.steps["evaluator"].metadata != {}


# ---------------------------------------------------------------- mlops_starter's run.py style
STARTER_CONFIG = """
settings:
  docker:
    required_integrations: [sklearn, pandas]
model:
  name: starter_classifier
  license: Apache 2.0
  description: A classifier
  tags: [classifier, starter]
parameters:
  lr: 0.3
"""


def test_config_file_with_model_and_settings_sections(tmp_path: Any) -> None:
    config = tmp_path / "training_rf.yaml"
    config.write_text(STARTER_CONFIG)
    pipeline_args = {"config_path": str(config), "enable_cache": False}
    run_args_train: dict[str, Any] = {}
    run = training.with_options(**pipeline_args)(**run_args_train).run()
    client = Client()
    model = client.get_model("starter_classifier")
    assert model.description == "A classifier" and model.tags == ("classifier", "starter")
    version = client.get_model_version("starter_classifier", ModelStages.PRODUCTION)
    assert version.load_artifact("sklearn_classifier") == {"lr": 0.3}
    assert version.to_dict()["runs"] == [run.id]
    assert version.run_metadata["license"] == "Apache 2.0"


# ---------------------------------------------------------------- hooks through with_options
EVENTS: list[tuple[str, str]] = []


def on_failure_hook(exception: BaseException) -> None:
    EVENTS.append(("failure", type(exception).__name__))


def on_success_hook() -> None:
    EVENTS.append(("success", ""))


@step
def flaky(fail: bool = False) -> int:
    if fail:
        raise ValueError("boom")
    return 1


@pipeline
def hooked(fail: bool = False) -> None:
    flaky.with_options(on_failure=on_failure_hook, on_success=on_success_hook)(fail=fail)


def test_hooks_given_with_options_on_steps_and_pipelines() -> None:
    from cairn.exceptions import PipelineRunFailedError

    EVENTS.clear()
    hooked(fail=False).run(enable_cache=False)
    assert EVENTS == [("success", "")]
    EVENTS.clear()
    with pytest.raises(PipelineRunFailedError):
        hooked(fail=True).run(enable_cache=False)
    assert EVENTS == [("failure", "ValueError")]
    EVENTS.clear()
    with_pipeline_hooks = training_pipeline.with_options(
        on_success=on_success_hook, enable_cache=False
    )
    with_pipeline_hooks().run()
    assert EVENTS == [("success", "")]
    assert training_pipeline.hooks == {}  # the original keeps its own hooks
