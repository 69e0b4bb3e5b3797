"""ZenML's authoring API: with_options, composition, after="name", last_run, pipeline context."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest

from cairn import get_pipeline_context, get_step_context, pipeline, step
from cairn.client import Client
from cairn.exceptions import (
    CairnUserError,
    ConfigurationError,
    DoesNotExistError,
    PipelineDefinitionError,
)


@step
def make(value: int = 1) -> Annotated[int, "number"]:
    return value


@step
def add(a: int, b: int = 0) -> int:
    return a + b


@step
def remember() -> str:
    return get_step_context().pipeline_run.name


@pipeline
def inner(value: int = 2) -> int:
    return add(make(value=value), b=1)  # type: ignore[no-any-return]


@pipeline
def outer() -> None:
    result = inner(value=5)
    add(result, b=100)


def test_a_pipeline_called_in_another_adds_its_steps() -> None:
    run = outer().run(enable_cache=False)
    assert set(run.steps) == {"make", "add", "add_2"}
    assert run.steps["add_2"].output.load() == 106


@step
def first() -> None:
    pass


@step
def second() -> None:
    pass


@pipeline
def ordered() -> None:
    second(after="first")
    first()


def test_after_takes_step_names() -> None:
    spec = ordered().compile()
    assert spec.steps["second"].upstream == ["first"]
    assert spec.topological_order() == ["first", "second"]


@pipeline
def bad_after() -> None:
    second(after="nope")


def test_after_an_unknown_step_is_an_error() -> None:
    with pytest.raises(PipelineDefinitionError, match="unknown step 'nope'"):
        bad_after().compile()


@pipeline
def numbers(value: int = 1) -> None:
    add(make(value=value), b=10)


def test_with_options_reads_a_config_file_and_explicit_options_win(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        "parameters: {value: 4}\n"
        "steps: {add: {parameters: {b: 20}}}\n"
        "run_name: from-file-{{date}}\n"
        "enable_cache: false\n"
        "settings: {docker: {requirements: [pandas]}}\n"
    )
    configured = numbers.with_options(config_path=str(config), run_name="explicit_{{time}}")
    assert numbers.run_options == {}  # the original is unchanged
    run = configured().run()
    assert run.name.startswith("explicit_") and "{" not in run.name
    assert run.steps["add"].output.load() == 24
    assert run.record.enable_cache is False
    run2 = configured(value=1).run(run_name="call-wins")
    assert run2.name == "call-wins" and run2.steps["add"].output.load() == 21


def test_with_options_refuses_unknown_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Unknown settings orchestrator"):
        numbers.with_options(settings={"orchestrator": {}})


def test_unknown_run_name_placeholder_records_nothing() -> None:
    with pytest.raises(ConfigurationError, match="Unknown placeholder"):
        numbers().run(run_name="run_{{user}}")
    assert Client().list_runs() == []


def test_last_run_and_last_successful_run() -> None:
    with pytest.raises(DoesNotExistError, match="no run yet"):
        _ = numbers.last_run
    run = numbers().run(enable_cache=False)
    assert numbers.last_run.id == run.id == numbers.last_successful_run.id


@pipeline
def remembering() -> None:
    remember()


def test_step_context_has_the_run_and_step_records() -> None:
    run = remembering().run(run_name="ctx-run")
    assert run.steps["remember"].output.load() == "ctx-run"


def test_step_with_options_takes_model() -> None:
    from cairn import Model

    changed = make.with_options(model=Model(name="m1"), enable_cache=False)
    assert changed.model.name == "m1" and make.model is None


def test_get_pipeline_context_outside_a_pipeline_is_an_error() -> None:
    with pytest.raises(CairnUserError, match="inside a @pipeline"):
        get_pipeline_context()
