"""Run hooks of steps and pipelines, and the run alerts of the stack's alerter."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn import get_hook_context, pipeline, step
from cairn.alerters import AlerterParams, BaseAlerter
from cairn.client import Client
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import CairnUserError, PipelineDefinitionError, PipelineRunFailedError
from cairn.models.pipeline_spec import PipelineSpec
from cairn.stack import StackRegistry
from cairn.stack.flavor_registry import register_custom_flavor

CALLS: list[tuple[Any, ...]] = []


def on_failure(exception: BaseException) -> None:
    context = get_hook_context()
    CALLS.append(("failure", exception, context.event, context.step_name, context.run.status))


def on_success() -> None:
    context = get_hook_context()
    CALLS.append(("success", context.exception, context.step_name, context.run.name))


def on_start() -> None:
    context = get_hook_context()
    status = context.step.status if context.step else None
    CALLS.append(("start", context.step_name, context.pipeline_name, status))


def on_end(exception: BaseException | None) -> None:
    context = get_hook_context()
    status = context.step.status if context.step else context.run.status
    CALLS.append(("end", context.step_name, type(exception).__name__, status))


def broken_hook() -> None:
    CALLS.append(("broken",))
    raise RuntimeError("the hook itself is broken")


@step(on_failure=on_failure, on_success=on_success, on_start=on_start, on_end=on_end)
def fragile(fail: bool = False) -> int:
    if fail:
        raise ValueError("no data today")
    return 1


@pipeline(enable_cache=False)
def one_step(fail: bool = False) -> None:
    fragile(fail=fail)


@pytest.fixture(autouse=True)
def _clear() -> None:
    CALLS.clear()


def test_failing_step_calls_on_failure_once_with_the_exception() -> None:
    with pytest.raises(PipelineRunFailedError):
        one_step(fail=True).run(run_name="fails")
    assert [c[0] for c in CALLS] == ["start", "failure", "end"]
    assert CALLS[0] == ("start", "fragile", "one_step", ExecutionStatus.RUNNING)
    _, exception, event, step_name, run_status = CALLS[1]
    assert isinstance(exception, ValueError) and str(exception) == "no data today"
    assert (event, step_name, run_status) == ("on_failure", "fragile", ExecutionStatus.RUNNING)
    assert CALLS[2] == ("end", "fragile", "ValueError", ExecutionStatus.FAILED)
    assert Client().get_run("fails").status == ExecutionStatus.FAILED


def test_succeeding_step_calls_on_success_without_argument() -> None:
    run = one_step().run(run_name="works")
    assert [c[0] for c in CALLS] == ["start", "success", "end"]
    assert CALLS[1] == ("success", None, "fragile", "works")
    assert CALLS[2] == ("end", "fragile", "NoneType", ExecutionStatus.COMPLETED)
    assert run.status == ExecutionStatus.COMPLETED


def test_cached_step_calls_no_hook() -> None:
    cached_pipeline = pipeline(name="cached_hooks")(lambda: fragile())
    cached_pipeline().run()
    CALLS.clear()
    run = cached_pipeline().run()
    assert run.steps["fragile"].record.status == ExecutionStatus.CACHED
    assert CALLS == []


@pipeline(on_start=on_start, on_failure=on_failure, on_success=on_success, on_end=on_end)
def hooked_pipeline(fail: bool = False) -> None:
    plain(fail=fail)
    plain(fail=False)


@step(enable_cache=False)
def plain(fail: bool = False) -> int:
    if fail:
        raise KeyError("missing column")
    return 2


def test_pipeline_hooks_run_once_per_run() -> None:
    hooked_pipeline().run(run_name="p-ok")
    assert CALLS == [
        ("start", None, "hooked_pipeline", None),
        ("success", None, None, "p-ok"),
        ("end", None, "NoneType", ExecutionStatus.COMPLETED),
    ]


def test_pipeline_on_failure_gets_the_step_exception_after_the_run_failed() -> None:
    with pytest.raises(PipelineRunFailedError):
        hooked_pipeline(fail=True).run(run_name="p-fail")
    assert [c[0] for c in CALLS] == ["start", "failure", "end"]
    _, exception, event, step_name, run_status = CALLS[1]
    assert isinstance(exception, KeyError)
    assert (event, step_name, run_status) == ("on_failure", None, ExecutionStatus.FAILED)


def test_a_raising_hook_is_logged_and_changes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    @pipeline(on_success=broken_hook, on_end="test_hooks:on_end")
    def survives() -> None:
        plain.with_options(on_success=broken_hook)()

    with caplog.at_level(logging.WARNING, logger="cairn.hooks"):
        run = survives().run(run_name="survives")
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["plain"].record.status == ExecutionStatus.COMPLETED
    assert [c[0] for c in CALLS] == ["broken", "broken", "end"]
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "on_success hook test_hooks:broken_hook of step 'plain' raised" in m for m in messages
    )
    assert any("of run 'survives' raised" in m for m in messages)
    assert "the hook itself is broken" in caplog.text  # the traceback is logged


def test_hooks_are_import_paths_in_the_serialisable_spec() -> None:
    spec = one_step().compile()
    again = PipelineSpec.model_validate_json(spec.model_dump_json())
    hooks = again.steps["fragile"].hooks
    assert sorted(hooks) == ["on_end", "on_failure", "on_start", "on_success"]
    assert hooks["on_failure"].source == "test_hooks:on_failure"
    assert hooks["on_failure"].source_file == __file__
    assert hooked_pipeline().compile().hooks["on_start"].source == "test_hooks:on_start"
    assert one_step().compile().hooks == {}


def test_with_options_replaces_and_removes_hooks() -> None:
    changed = fragile.with_options(on_failure="test_hooks:on_end", on_start=None)
    assert changed.hooks["on_failure"].source == "test_hooks:on_end"
    assert "on_start" not in changed.hooks
    assert fragile.hooks["on_failure"].source == "test_hooks:on_failure"


def test_hooks_that_cannot_be_used_are_refused_where_defined() -> None:
    def local_hook() -> None: ...

    with pytest.raises(PipelineDefinitionError, match="define the hook as a function at module"):
        step(on_failure=local_hook)(lambda: 1)
    with pytest.raises(PipelineDefinitionError, match="no argument or one"):
        pipeline(on_success=lambda_two_args)(lambda: None)
    with pytest.raises(PipelineDefinitionError, match="cannot import 'nowhere_module:hook'"):
        step(on_end="nowhere_module:hook")(lambda: 1)
    with pytest.raises(PipelineDefinitionError, match="expected a function or an import path"):
        step(on_end=3)(lambda: 1)  # type: ignore[call-overload]


def lambda_two_args(a: Any, b: Any) -> None: ...


def test_get_hook_context_outside_a_hook() -> None:
    with pytest.raises(CairnUserError, match="only inside a run hook"):
        get_hook_context()


# ------------------------------------------------------------ run alerts
class RecordingAlerter(BaseAlerter):
    """Keeps what it posts (tests the run alerts without a server)."""

    FLAVOR: ClassVar[str] = "recording"
    POSTED: ClassVar[list[str]] = []

    def _post(self, message: str, params: AlerterParams) -> None:
        self.POSTED.append(message)


def _use_alerter(**config: Any) -> None:
    registry = StackRegistry()
    register_custom_flavor(
        registry.store, StackComponentType.ALERTER, f"{__name__}:RecordingAlerter"
    )
    registry.register_component(StackComponentType.ALERTER, "rec", "recording", config)
    default = registry.store.get_stack("default").components
    registry.register_stack(
        "alerting", {**default, StackComponentType.ALERTER: "rec"}, activate=True
    )
    RecordingAlerter.POSTED.clear()


def test_notify_on_failure_names_pipeline_run_step_cause_and_command() -> None:
    _use_alerter(notify_on_failure=True)
    with pytest.raises(PipelineRunFailedError):
        hooked_pipeline(fail=True).run(run_name="alerted")
    (message,) = RecordingAlerter.POSTED
    assert message.splitlines() == [
        "Pipeline 'hooked_pipeline' run 'alerted' failed in step 'plain': "
        "KeyError: 'missing column'",
        "See more: cairn pipeline runs describe alerted",
    ]
    hooked_pipeline().run(run_name="quiet")  # notify_on_success is off by default
    assert len(RecordingAlerter.POSTED) == 1


def test_notify_on_success() -> None:
    _use_alerter(notify_on_success=True)
    hooked_pipeline().run(run_name="praised")
    (message,) = RecordingAlerter.POSTED
    assert message.startswith("Pipeline 'hooked_pipeline' run 'praised' completed in ")


SCRIPT = textwrap.dedent(
    """
    import os
    from cairn import get_hook_context, pipeline, step

    def record(exception):
        context = get_hook_context()
        with open(os.environ["HOOK_LOG"], "a") as f:
            f.write(f"{context.event} {context.step_name} {os.getpid()} {exception!r}\\n")

    @step(on_failure=record, on_end=record)
    def breaks() -> int:
        raise ArithmeticError("in a child process")

    @pipeline(on_failure=record)
    def script_pipeline() -> None:
        breaks()

    if __name__ == "__main__":
        try:
            script_pipeline().run(run_name="script")
        except Exception:
            print("failed", os.getpid())
    """
)


@pytest.mark.slow
def test_hooks_of_a_script_run_in_the_step_process(tmp_path: Path) -> None:
    StackRegistry().update_component(
        StackComponentType.ORCHESTRATOR, "default", {"mode": "processes"}
    )
    script = tmp_path / "hook_script.py"
    script.write_text(SCRIPT)
    log = tmp_path / "hooks.log"
    env = {**__import__("os").environ, "HOOK_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    parent = done.stdout.split()[1]
    lines = [line.split(" ", 3) for line in log.read_text().splitlines()]
    assert [(e, s) for e, s, _, _ in lines] == [
        ("on_failure", "breaks"),
        ("on_end", "breaks"),
        ("on_failure", "None"),
    ]
    assert lines[0][2] != parent and lines[0][2] == lines[1][2]  # step hooks: the step's process
    assert lines[2][2] == parent  # the pipeline's hook: the orchestrating process
    assert "ArithmeticError('in a child process')" in lines[0][3]
