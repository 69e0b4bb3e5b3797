"""Run safety: hostile names never reach outside a run's folder; the writer never deletes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import pytest

from cairn import pipeline, step
from cairn.exceptions import MaterializerError, PipelineDefinitionError, UnsafePathError
from cairn.materializers import write_artifact
from cairn.materializers.builtin_materializers import BuiltInMaterializer
from cairn.models.names import check_name, is_valid_name
from cairn.stack import StackRegistry


def _artifact_root() -> Path:
    return Path(StackRegistry().get_stack().artifact_store.path)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@step
def one() -> int:
    return 1


@pipeline
def first_pipeline() -> None:
    one()


@pytest.mark.parametrize(
    "bad", ["../..", "..", ".", "", "a/b", "a\\b", "/abs", " x", "x\n", "-x", ".hidden", "é" * 3]
)
def test_hostile_output_names_are_refused_at_definition(bad: str) -> None:
    @step
    def hostile() -> Annotated[int, bad]:  # type: ignore[valid-type]
        return 2

    @pipeline
    def uses_hostile() -> None:
        hostile()

    with pytest.raises(PipelineDefinitionError, match="invalid output name") as info:
        uses_hostile().compile()
    assert __file__ in str(info.value)  # points at the user's file and line


def test_dotdot_output_name_cannot_delete_earlier_runs() -> None:
    """The defect: Annotated[int, '../..'] used to remove the store's runs/ folder."""
    first_pipeline().run()
    root = _artifact_root()
    before = _files(root)
    assert any(name.startswith("runs/") for name in before)

    @step
    def escape() -> Annotated[int, "../.."]:
        return 2

    @pipeline
    def escaping() -> None:
        escape()

    with pytest.raises(PipelineDefinitionError):
        escaping().run()
    assert before <= _files(root)


@pytest.mark.parametrize("bad", ["../x", "a b", "", "x" * 129])
def test_step_and_pipeline_names_follow_the_rule(bad: str) -> None:
    with pytest.raises(PipelineDefinitionError, match="invalid step name"):
        step(name=bad)(lambda: 1)
    with pytest.raises(PipelineDefinitionError, match="invalid pipeline name"):
        pipeline(name=bad)(lambda: None)


@pytest.mark.parametrize("bad", ["../../x", "a/b", "", ".."])
def test_run_names_are_checked_at_run(bad: str) -> None:
    with pytest.raises(PipelineDefinitionError, match="invalid run name"):
        first_pipeline().run(run_name=bad)


def test_the_rule() -> None:
    assert is_valid_name("train_2") and is_valid_name("v1.2-rc") and is_valid_name("_x")
    assert not is_valid_name(None) and not is_valid_name(3)
    assert check_name("step", "ok") == "ok"


def test_writer_refuses_uris_outside_its_folder(tmp_path: Path) -> None:
    store = StackRegistry().get_stack().artifact_store
    run = store.join("runs", "r1")
    (tmp_path / "keep").mkdir()
    for uri in (run, store.join("runs"), run + "/../r2/x", run + "/a//b", run + "x/y"):
        with pytest.raises(UnsafePathError):
            write_artifact(store, uri, BuiltInMaterializer, 1, inside=run)


def test_writer_never_replaces_or_removes_an_existing_folder() -> None:
    store = StackRegistry().get_stack().artifact_store
    uri = store.join("runs", "r1", "s", "o")
    os.makedirs(uri)
    Path(uri, "precious").write_text("keep me")
    with pytest.raises(MaterializerError, match="did not create"):
        write_artifact(store, uri, BuiltInMaterializer, 1, inside=store.join("runs", "r1"))
    assert Path(uri, "precious").read_text() == "keep me"
