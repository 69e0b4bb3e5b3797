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


def test_client_get_pipeline_run_and_list_pipeline_runs() -> None:
    first = numbers().run(run_name="zen-1", enable_cache=False)
    second = numbers().run(run_name="zen-2", enable_cache=False)
    client = Client()
    assert client.get_pipeline_run("zen-1").id == first.id
    newest = client.list_pipeline_runs(pipeline_name="numbers", size=1)
    assert [r.name for r in newest] == [second.name]
    assert [r.name for r in client.list_pipeline_runs(sort_by="asc:created")] == ["zen-1", "zen-2"]
    assert [r.name for r in client.list_pipeline_runs(size=1, page=2)] == ["zen-1"]
    with pytest.raises(ConfigurationError, match="unknown filter"):
        client.list_pipeline_runs(user="me")


def test_a_config_file_with_a_model_section_through_the_cli_runner(tmp_path: Path) -> None:
    from cairn.pipelines.run_file import run_pipeline_file

    script = tmp_path / "with_model.py"
    script.write_text(
        "from cairn import pipeline, step, get_step_context\n"
        "@step(enable_cache=False)\n"
        "def which() -> int:\n"
        "    return get_step_context().model.number\n"
        "@pipeline\n"
        "def modelled():\n"
        "    which()\n"
    )
    config = tmp_path / "c.yaml"
    config.write_text("model: {name: from_yaml, description: d}\nrun_name: yaml_{{date}}\n")
    run = run_pipeline_file(script, config)
    assert run.steps["which"].output.load() == 1
    assert run.name.startswith("yaml_") and Client().get_model("from_yaml").description == "d"


@step
def tagged() -> Annotated[int, "value"]:
    context = get_step_context()
    context.add_output_tags(["fresh"])
    context.add_output_metadata({"checked": True}, output_name="value")
    assert context.get_output_artifact_uri().endswith("value")
    return 5


def test_step_model_overrides_the_pipeline_model() -> None:
    from cairn import Model

    @pipeline(model=Model(name="pipeline_model"), enable_cache=False)
    def two_models() -> None:
        tagged.with_options(model=Model(name="step_model", version="special"))()
        make()

    two_models().run()
    client = Client()
    step_version = client.get_model_version("step_model", "special")
    assert set(step_version.artifacts) == {"value"}
    assert step_version.artifacts["value"].tags == ["fresh"]
    assert step_version.artifacts["value"].run_metadata == {"checked": True}
    assert set(client.get_model_version("pipeline_model").artifacts) == {"number"}
    two_models().run()  # a named version is reused, the pipeline's gets a new one
    assert [v.number for v in client.list_model_versions("step_model")] == [1]
    assert [v.number for v in client.list_model_versions("pipeline_model")] == [2, 1]
