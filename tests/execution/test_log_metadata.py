"""log_metadata: Cairn's keyword form, ZenML's signature, and ambiguous calls refused."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from cairn import Model, log_metadata, pipeline, save_artifact, step
from cairn.client import Client
from cairn.exceptions import CairnUserError, DoesNotExistError


@step
def keywords() -> int:
    log_metadata(accuracy=0.9, metadata_version=2)  # today's form still works
    return 1


@step
def zenml_form() -> tuple[Annotated[int, "a"], Annotated[int, "b"]]:
    log_metadata(metadata={"k": 1})  # the running step
    log_metadata(metadata={"rows": 3}, artifact_name="b", infer_artifact=True)
    log_metadata(metadata={"auc": 0.7}, infer_model=True)
    return 1, 2


@pipeline(model=Model(name="meta_model"), enable_cache=False)
def metadata_pipeline() -> None:
    keywords()
    zenml_form()


def test_both_forms_inside_a_step() -> None:
    run = metadata_pipeline().run()
    assert run.steps["keywords"].metadata == {"accuracy": 0.9, "metadata_version": 2}
    assert run.steps["zenml_form"].metadata == {"k": 1}
    client = Client()
    assert client.get_artifact_version("b").run_metadata == {"rows": 3}
    assert client.get_artifact_version("a").run_metadata == {}
    assert client.get_model_version("meta_model").run_metadata == {"auc": 0.7}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metadata": {"a": 1}, "extra": 2}, "not both"),
        ({"artifact_name": "x"}, "without metadata"),
        ({"metadata": {"a": 1}, "artifact_name": "x", "model_name": "m"}, "ambiguous"),
        (
            {"metadata": {"a": 1}, "run_id_name_or_prefix": "r", "model_version_id": "v"},
            "ambiguous",
        ),
        ({"metadata": {"a": 1}}, "needs a target"),
        ({"metadata": {"a": 1}, "step_name": "s"}, "run_id_name_or_prefix"),
        ({"metadata": {"a": 1}, "model_name": "m"}, "together"),
        ({"metadata": {"a": 1}, "infer_artifact": True}, "only inside a step"),
        ({"metadata": [1, 2]}, "must be a dict"),
        ({"metadata": {"a": object()}}, "not a number"),
    ],
)
def test_unclear_calls_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(CairnUserError, match=message):
        log_metadata(**kwargs)


def test_outside_a_step_to_an_artifact_a_model_version_and_a_run() -> None:
    saved = save_artifact(1, name="thing")
    log_metadata(metadata={"checked": True}, artifact_name="thing")
    log_metadata(metadata={"v": 1}, artifact_version_id=saved.id)
    assert saved.run_metadata == {"checked": True, "v": 1}
    run = metadata_pipeline().run(run_name="meta-run-1")
    log_metadata(metadata={"note": "x"}, run_id_name_or_prefix="meta-run")  # a unique prefix
    assert Client().get_run(run.id).run_metadata == {"note": "x"}
    log_metadata(metadata={"owner": "me"}, model_name="meta_model", model_version="latest")
    assert Client().get_model_version("meta_model").run_metadata["owner"] == "me"
    with pytest.raises(DoesNotExistError, match="matches no run"):
        log_metadata(metadata={"a": 1}, run_id_name_or_prefix="zzz")
