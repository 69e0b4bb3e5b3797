"""Run safety: hostile names never reach outside a run's folder; the writer never deletes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn import pipeline, step
from cairn.client import Client
from cairn.exceptions import (
    EntityExistsError,
    MaterializerError,
    PipelineDefinitionError,
    UnsafePathError,
)
from cairn.materializers import BaseMaterializer, write_artifact
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


def _snapshot(root: Path) -> dict[Path, tuple[int, int] | None]:
    """Every file's (mtime, size); folders by existence (a new run changes its parent).

    The default stack keeps its SQLite metadata database in the same folder: the
    database files are the metadata store's, not artifacts, and change with every run.
    """
    return {
        p: ((p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else None)
        for p in root.rglob("*")
        if not p.name.startswith("metadata.db")
    }


_NAMES = st.one_of(
    st.sampled_from(["..", ".", "../..", "a/../b", "x", "ok_name", "v1.0", "-x", "~", "a b"]),
    st.text(min_size=0, max_size=12),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(step_name=_NAMES, output=_NAMES, pipeline_name=_NAMES, run_name=_NAMES)
def test_no_name_reaches_outside_the_runs_own_folder(
    step_name: str, output: str, pipeline_name: str, run_name: str
) -> None:
    """Whatever the names, files outside the new run's folder are never touched."""
    first_pipeline().run()  # something to protect (a new run each example)
    root = _artifact_root()
    before = _snapshot(root)
    try:

        def produce() -> int:
            return 7

        produce.__annotations__ = {"return": Annotated[int, output]}
        made = step(name=step_name)(produce)

        def body() -> None:
            made()

        built = pipeline(name=pipeline_name)(body)
        run = built().run(run_name=run_name)
    except (PipelineDefinitionError, EntityExistsError):  # bad name; a run name used before
        run = None
    after = _snapshot(root)
    for path, mtime in before.items():
        assert after.get(path) == mtime, f"{path} was changed or removed"
    if run is not None:
        run_root = root / "runs" / run.id
        for path in set(after) - set(before):
            assert path == root / "runs" or run_root == path or run_root in path.parents


# ---------------------------------------------------------------- the store refuses late results
def test_store_refuses_results_for_a_run_that_is_not_running() -> None:
    from cairn.enums import ExecutionStatus
    from cairn.exceptions import RunNotRunningError

    store = StackRegistry().get_stack().metadata_store
    pipe = store.get_or_create_pipeline("p", {})
    run = store.create_run(pipe.id, "r")
    step_run = store.create_step_run(run.id, "s")
    store.update_run_status(run.id, ExecutionStatus.FAILED, error="killed")
    with pytest.raises(RunNotRunningError):
        store.finish_step_run(step_run.id, ExecutionStatus.COMPLETED)
    with pytest.raises(RunNotRunningError):
        store.register_artifact(step_run.id, "out", "/x", "builtins:int", "m")
    with pytest.raises(RunNotRunningError):
        store.create_step_run(run.id, "s2")
    assert store.get_step_outputs(step_run.id) == {}
    assert store.get_step_run(step_run.id).status == ExecutionStatus.RUNNING
    # a finished run never changes status again
    assert store.update_run_status(run.id, ExecutionStatus.COMPLETED).status == "failed"


# ---------------------------------------------------------------- correct results
class Tagged:
    def __init__(self, value: int) -> None:
        self.value = value


class TaggedMaterializer(BaseMaterializer):
    """Defined, never registered: used for Tagged as soon as it exists (as in ZenML)."""

    ASSOCIATED_TYPES = (Tagged,)

    def save(self, data: Tagged) -> None:
        with self.open("value.txt", "w") as f:
            f.write(str(data.value))

    def load(self, data_type: type) -> Tagged:
        with self.open("value.txt", "r") as f:
            return Tagged(int(f.read()))


@step
def make_tagged() -> Tagged:
    return Tagged(5)


@step
def wrong_type() -> int:
    return "five"  # type: ignore[return-value]


@step
def float_from_int() -> float:
    return 3


@step
def any_output():  # type: ignore[no-untyped-def]
    return "anything"


def test_defined_materializer_is_used_without_registration() -> None:
    @pipeline
    def tagged() -> None:
        make_tagged()

    run = tagged().run()
    artifact = run.steps["make_tagged"].outputs["output"]
    assert artifact.record.materializer.endswith(":TaggedMaterializer")
    assert artifact.load().value == 5


def test_output_of_the_wrong_type_fails_at_that_step() -> None:
    from cairn.exceptions import PipelineRunFailedError

    @pipeline
    def typed() -> None:
        wrong_type()
        float_from_int()
        any_output()

    with pytest.raises(PipelineRunFailedError) as info:
        typed().run(run_name="typed")
    message = str(info.value)
    assert "Step 'wrong_type' returned a builtins.str for output 'output'" in message
    assert "declared as builtins.int" in message
    steps = Client().get_run("typed").steps
    assert steps["wrong_type"].status == "failed"
    assert steps["wrong_type"].outputs == {}


def test_cache_key_follows_the_artifact_store(tmp_path: Path) -> None:
    from cairn.enums import StackComponentType

    first = first_pipeline().run()
    assert first.steps["one"].status == "completed"
    assert first_pipeline().run().steps["one"].status == "cached"
    registry = StackRegistry()
    registry.register_component(
        StackComponentType.ARTIFACT_STORE, "other", "local", {"path": str(tmp_path / "other")}
    )
    components = dict(registry.store.get_stack("default").components)
    components[StackComponentType.ARTIFACT_STORE] = "other"
    registry.register_stack("elsewhere", components, activate=True)
    moved = first_pipeline().run()
    assert moved.steps["one"].status == "completed"  # not "reused" from the other store


def test_step_that_raises_keyboard_interrupt_or_exits_says_so() -> None:
    from cairn.exceptions import PipelineRunFailedError

    @step
    def interrupts() -> None:
        raise KeyboardInterrupt

    @step
    def exits() -> None:
        raise SystemExit(3)

    @pipeline
    def interrupting() -> None:
        interrupts()

    @pipeline
    def exiting() -> None:
        exits()

    with pytest.raises(PipelineRunFailedError, match="KeyboardInterrupt raised inside"):
        interrupting().run()
    with pytest.raises(PipelineRunFailedError, match=re.escape("sys.exit(3)")):
        exiting().run()


def test_progress_lines_show_each_step_and_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    first_pipeline().run(run_name="shown")
    first_pipeline().run(run_name="shown-again")
    err = capsys.readouterr().err
    assert "Running pipeline 'first_pipeline' as run 'shown'" in err
    assert "  > one started" in err and "  + one completed in" in err
    assert "  = one reused from cache, saved" in err
    assert "See it with: cairn pipeline runs describe shown-again" in err


def test_quiet_turns_the_display_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAIRN_QUIET", "1")
    first_pipeline().run()
    assert capsys.readouterr().err == ""
