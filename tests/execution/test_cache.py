"""The cache key and the precedence of the ``enable_cache`` settings."""

from __future__ import annotations

import pytest

from cairn.execution.cache import cache_key, cache_setting
from cairn.models.pipeline_spec import OutputSpec, PipelineDeployment, PipelineSpec, StepSpec


def _step(**changes: object) -> StepSpec:
    values: dict[str, object] = {
        "name": "train",
        "source": "m:train",
        "code_hash": "abc",
        "parameters": {"lr": 0.1, "layers": [1, 2]},
        "outputs": {"model": OutputSpec(type="builtins:dict", materializer="m:JSON")},
    }
    values.update(changes)
    return StepSpec(**values)  # type: ignore[arg-type]


INPUTS = {"data": "sha256:1111"}


def test_key_is_stable() -> None:
    assert cache_key(_step(), INPUTS) == cache_key(_step(), dict(INPUTS))
    assert len(cache_key(_step(), INPUTS)) == 64


def test_key_ignores_step_name_location_and_parameter_order() -> None:
    reordered = _step(name="train_2", parameters={"layers": [1, 2], "lr": 0.1})
    assert cache_key(reordered, INPUTS) == cache_key(_step(), INPUTS)


@pytest.mark.parametrize(
    "changed",
    [
        {"code_hash": "abd"},
        {"parameters": {"lr": 0.2, "layers": [1, 2]}},
        {"outputs": {"weights": OutputSpec(type="builtins:dict", materializer="m:JSON")}},
        {"outputs": {"model": OutputSpec(type="builtins:dict", materializer="m:Pickle")}},
    ],
)
def test_key_changes_with_code_parameters_outputs_materializers(changed: dict[str, object]) -> None:
    assert cache_key(_step(**changed), INPUTS) != cache_key(_step(), INPUTS)


def test_key_changes_with_input_content() -> None:
    assert cache_key(_step(), {"data": "sha256:2222"}) != cache_key(_step(), INPUTS)


def _deployment(run: bool | None, step: bool | None, pipe: bool | None) -> PipelineDeployment:
    spec = PipelineSpec(name="p", enable_cache=pipe, steps={"train": _step(enable_cache=step)})
    return PipelineDeployment(run_id="1", run_name="r", pipeline=spec, enable_cache=run)


@pytest.mark.parametrize(
    ("run", "step", "pipe", "expected"),
    [
        (None, None, None, (True, "the default")),
        (None, None, False, (False, "@pipeline(enable_cache=...)")),
        (None, True, False, (True, "@step(enable_cache=...)")),
        (False, True, True, (False, "run(enable_cache=...)")),
        (True, False, False, (True, "run(enable_cache=...)")),
    ],
)
def test_precedence_run_over_step_over_pipeline(
    run: bool | None, step: bool | None, pipe: bool | None, expected: tuple[bool, str]
) -> None:
    deployment = _deployment(run, step, pipe)
    assert cache_setting(deployment, "train") == expected
    assert deployment.cache_enabled("train") is expected[0]
