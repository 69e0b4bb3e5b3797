"""``Annotated[T, ArtifactConfig(...)]`` names outputs and carries their artifact settings."""

from __future__ import annotations

from typing import Annotated

import pytest

from cairn import ArtifactConfig, pipeline, step
from cairn.exceptions import PipelineDefinitionError
from cairn.steps.step_signature import analyse


def test_artifact_config_names_the_output() -> None:
    def f() -> Annotated[int, ArtifactConfig(name="count", tags="t")]:
        return 1

    signature = analyse(f)
    assert list(signature.outputs) == ["count"]
    assert signature.artifact_configs["count"].tags == ["t"]


def test_a_string_names_the_output_and_the_config_the_artifact() -> None:
    def f() -> tuple[
        Annotated[int, "a", ArtifactConfig(name="art_a", version="v1")],
        Annotated[int, ArtifactConfig(name="b")],
    ]:
        return 1, 2

    signature = analyse(f)
    assert list(signature.outputs) == ["a", "b"]
    assert signature.artifact_configs["a"].name == "art_a"


@step
def produce() -> tuple[
    Annotated[int, "a", ArtifactConfig(name="art_a", version=3, run_metadata={"k": 1})],
    Annotated[int, "b"],
]:
    return 1, 2


@step
def unnamed() -> int:
    return 1


@pipeline
def producing() -> None:
    produce()
    unnamed()


def test_the_compiled_spec_carries_names_versions_tags_and_metadata() -> None:
    spec = producing().compile()
    a, b = spec.steps["produce"].outputs["a"], spec.steps["produce"].outputs["b"]
    assert (a.artifact_name, a.version, a.run_metadata) == ("art_a", "3", {"k": 1})
    assert b.artifact_name == "b"
    assert spec.steps["unnamed"].outputs["output"].artifact_name == "producing::unnamed::output"


def test_run_metadata_must_be_json() -> None:
    @step
    def bad() -> Annotated[int, ArtifactConfig(run_metadata={"k": object()})]:
        return 1

    @pipeline
    def bad_pipeline() -> None:
        bad()

    with pytest.raises(PipelineDefinitionError, match="run_metadata"):
        bad_pipeline().compile()
