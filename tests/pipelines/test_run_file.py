"""Running a pipeline file with a YAML configuration (``cairn pipeline run``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.exceptions import ConfigurationError, PipelineDefinitionError
from cairn.pipelines.run_file import choose_pipeline, import_pipeline_file, load_config

TWO_PIPELINES = """
from cairn import pipeline, step

@step
def one() -> int:
    return 1

@pipeline
def first() -> None:
    one()

@pipeline(name="second")
def other() -> None:
    one()
"""


def test_load_config_accepts_the_documented_keys(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "parameters: {lr: 1}\nsteps: {train: {parameters: {a: 1}}}\nenable_cache: false\n"
        "run_name: r\nschedule: null\nruntime_options: {x: 1}\n"
    )
    assert load_config(path)["steps"] == {"train": {"parameters": {"a": 1}}}
    assert load_config(None) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "must be a mapping"),
        ("colour: red\n", "Unknown key"),
        ("steps: {train: {epochs: 3}}\n", "must map step names"),
        ("parameters: [unclosed\n", "not valid YAML"),
    ],
)
def test_load_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        load_config(path)


def test_choose_among_several_pipelines(tmp_path: Path) -> None:
    path = tmp_path / "two_pipelines.py"
    path.write_text(TWO_PIPELINES)
    pipelines = import_pipeline_file(path)
    assert set(pipelines) == {"first", "second"}
    assert choose_pipeline(pipelines, "second", str(path)).name == "second"
    with pytest.raises(PipelineDefinitionError, match="--pipeline NAME"):
        choose_pipeline(pipelines, None, str(path))
    with pytest.raises(ConfigurationError, match="No pipeline file"):
        import_pipeline_file(tmp_path / "missing.py")
