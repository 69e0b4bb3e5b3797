"""The local orchestrator: parallelism, ordering, failures, processes mode, step operators."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn import pipeline, step
from cairn.client import Client
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import ConfigurationError, PipelineRunFailedError, StepFailedError
from cairn.stack import StackRegistry
from cairn.stack.flavor_registry import register_custom_flavor
from cairn.step_operators import BaseStepOperator

LAUNCHED: list[list[str]] = []


@step
def start() -> int:
    return 1


@step
def nap(x: int, seconds: float = 0.3, tag: int = 0) -> int:
    time.sleep(seconds)
    return x + tag


@step
def gather(a: int, b: int, c: int, d: int) -> int:
    return a + b + c + d


@pipeline(enable_cache=False)
def fan_out() -> None:
    x = start()
    gather(nap(x, tag=1), nap(x, tag=2), nap(x, tag=3), nap(x, tag=4))


def _configure(**params: Any) -> None:
    StackRegistry().update_component(StackComponentType.ORCHESTRATOR, "default", params)


def _intervals(run_name: str) -> dict[str, tuple[float, float]]:
    steps = Client().get_run(run_name).steps
    return {n: (s.record.started, s.record.finished) for n, s in steps.items()}


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_independent_steps_overlap_in_time() -> None:
    run = fan_out().run(run_name="parallel")
    assert run.status == ExecutionStatus.COMPLETED
    spans = _intervals("parallel")
    naps = [spans[n] for n in ("nap", "nap_2", "nap_3", "nap_4")]
    assert all(_overlap(naps[0], other) for other in naps[1:])
    assert all(spans["start"][1] <= s[0] for s in naps)  # after their input
    assert all(s[1] <= spans["gather"][0] for s in naps)
    assert run.steps["gather"].outputs["output"].load() == 14


def test_max_parallelism_one_runs_steps_one_at_a_time() -> None:
    _configure(max_parallelism=1)
    fan_out().run(run_name="serial")
    spans = list(_intervals("serial").values())
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            assert not _overlap(a, b)


@step
def fail_fast(x: int) -> int:
    raise RuntimeError("fail fast")


@step
def never(x: int) -> int:
    raise AssertionError("must not run after a failure")


def test_failure_stops_scheduling_new_steps() -> None:
    _configure(max_parallelism=1)

    @pipeline
    def p() -> None:
        x = start()
        fail_fast(x)
        never(x)
        never(x)

    with pytest.raises(PipelineRunFailedError) as info:
        p().run(run_name="stops")
    assert info.value.failed_steps == ["fail_fast"]
    run = Client().get_run("stops")
    assert run.status == ExecutionStatus.FAILED
    assert set(run.steps) == {"start", "fail_fast"}


@pytest.mark.slow
def test_processes_mode_runs_steps_in_child_processes() -> None:
    _configure(mode="processes")

    @pipeline(enable_cache=False)
    def p() -> None:
        x = start()
        gather(nap(x, 0.1, 1), nap(x, 0.1, 2), nap(x, 0.1, 3), nap(x, 0.1, 4))

    run = p().run(run_name="procs")
    assert run.status == ExecutionStatus.COMPLETED
    assert run.refresh().steps["gather"].outputs["output"].load() == 14


@pytest.mark.slow
def test_processes_mode_reports_the_users_traceback() -> None:
    _configure(mode="processes")

    @pipeline
    def p() -> None:
        fail_fast(start())

    with pytest.raises(PipelineRunFailedError, match="fail fast") as info:
        p().run(run_name="procs-fail")
    assert 'raise RuntimeError("fail fast")' in str(info.value)
    assert Client().get_run("procs-fail").steps["fail_fast"].status == ExecutionStatus.FAILED


@step(timeout=0.5)
def sleeps_forever() -> int:
    time.sleep(60)
    return 0


@pytest.mark.slow
def test_processes_mode_timeout_ends_the_step_process() -> None:
    _configure(mode="processes")
    started = time.monotonic()
    with pytest.raises(PipelineRunFailedError, match="timeout"):
        pipeline(lambda: sleeps_forever())().run(run_name="procs-timeout")
    assert time.monotonic() - started < 60
    step_view = Client().get_run("procs-timeout").steps["sleeps_forever"]
    assert step_view.status == ExecutionStatus.FAILED


class SubprocessStepOperator(BaseStepOperator):
    """Runs the step command in a subprocess and remembers it."""

    FLAVOR: ClassVar[str] = "test_subprocess"

    def launch(self, step_name: str, command: list[str], environment: dict[str, str]) -> None:
        LAUNCHED.append(command)
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise StepFailedError(step_name, done.stderr[-2000:])


@step(step_operator="remote")
def on_operator(x: int) -> int:
    return x * 10


@pytest.mark.slow
def test_step_with_step_operator_goes_through_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    LAUNCHED.clear()
    # the child builds the stack, so it must import this module's step operator flavor
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    registry = StackRegistry()
    register_custom_flavor(
        registry.store, StackComponentType.STEP_OPERATOR, f"{__name__}:SubprocessStepOperator"
    )
    registry.register_component(StackComponentType.STEP_OPERATOR, "remote", "test_subprocess", {})
    components = registry.store.get_stack("default").components
    registry.register_stack(
        "ops", {**components, StackComponentType.STEP_OPERATOR: "remote"}, activate=True
    )

    @pipeline
    def p() -> None:
        on_operator(start())

    run = p().run(run_name="op")
    assert len(LAUNCHED) == 1
    command = LAUNCHED[0]
    assert command[1:3] == ["-m", "cairn.entrypoints.step"]
    assert command[command.index("--step") + 1] == "on_operator"
    assert run.refresh().steps["on_operator"].outputs["output"].load() == 10


def test_a_schedule_is_not_run_and_an_invalid_one_records_nothing() -> None:
    with pytest.raises(ConfigurationError, match="cron"):
        fan_out().run(run_name="scheduled", schedule={"cron": "0 * * * *"})
    assert Client().list_runs() == []  # see tests/execution/test_scheduler.py for schedules


def test_failure_waits_for_running_steps_and_skips_their_successors() -> None:
    @pipeline(enable_cache=False)
    def p() -> None:
        x = start()
        fail_fast(x)
        never(nap(x, seconds=0.5))

    with pytest.raises(PipelineRunFailedError) as info:
        p().run(run_name="waits")
    assert info.value.failed_steps == ["fail_fast"]
    steps = Client().get_run("waits").steps
    assert steps["nap"].status == ExecutionStatus.COMPLETED  # it was running: waited for
    assert "never" not in steps  # ready only after the failure: never started


THREADS: list[str] = []


@step
def note_thread(x: int) -> int:
    import threading

    THREADS.append(threading.current_thread().name)
    return x + 1


@pipeline(enable_cache=False)
def threaded_chain() -> None:
    x = start()
    for _ in range(30):
        x = note_thread(x)


@pipeline(enable_cache=False)
def wide_then_narrow() -> None:
    x = start()
    for tag in range(4):
        nap(x, seconds=0.2, tag=tag)


@step
def runs_a_pipeline() -> int:
    """A step that runs a whole pipeline itself (on the same process's step threads)."""
    return len(threaded_chain().run().steps)


@pipeline(enable_cache=False)
def nested() -> None:
    runs_a_pipeline()


@pytest.mark.timeout(120)
def test_a_step_may_run_a_pipeline_on_the_same_threads() -> None:
    run = nested().run()
    assert run.steps["runs_a_pipeline"].outputs["output"].load() == 31


def test_a_chain_stays_on_one_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step's end is recorded, and the next step dispatched, by the thread that ran it
    (``dispatch_on_completion``): a chain never hops threads and never waits for the
    plan's thread, which only waits for the run's end."""
    import threading

    from cairn.execution.launcher import Launcher

    recorded_by: list[str] = []
    step_ended = Launcher.step_ended

    def spy(self: Launcher, step_name: str) -> None:
        recorded_by.append(threading.current_thread().name)
        step_ended(self, step_name)

    monkeypatch.setattr(Launcher, "step_ended", spy)
    wide_then_narrow().run()  # several idle threads in the process's pool now
    THREADS.clear()
    recorded_by.clear()
    run = threaded_chain().run()
    assert run.status == ExecutionStatus.COMPLETED
    assert len(THREADS) == 30 and len(set(THREADS)) == 1, set(THREADS)
    assert set(recorded_by) == set(THREADS), (set(recorded_by), set(THREADS))
    assert threading.current_thread().name not in THREADS
    assert Client().get_run(run.name).steps["note_thread_30"].outputs["output"].load() == 31


def test_an_error_while_recording_a_step_end_fails_the_run_not_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error raised where a worker thread records a step's end reaches the caller."""
    from cairn.execution.launcher import Launcher

    def broken(self: Launcher, step_name: str) -> None:
        raise RuntimeError(f"cannot show the end of {step_name}")

    monkeypatch.setattr(Launcher, "step_ended", broken)
    with pytest.raises(PipelineRunFailedError, match="cannot show the end of start") as info:
        threaded_chain().run()
    run = Client().get_run(info.value.run_name)
    assert run.status == ExecutionStatus.FAILED


RAN: list[str] = []


@step
def ran(x: int, tag: str = "") -> int:
    RAN.append(tag)
    return x


@pipeline(enable_cache=False)
def two_branches() -> None:
    ran(ran(ran(1, tag="root-a"), tag="after-a"), tag="end-a")
    ran(1, tag="root-b")


def test_an_error_while_dispatching_stops_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """When dispatching the first steps fails, steps already started release nothing more."""
    from cairn.execution.launcher import Launcher

    starting = Launcher.step_starting

    def broken(self: Launcher, step_name: str) -> None:
        if step_name == "ran_4":  # the second root: "ran" (root-a) is already dispatched
            time.sleep(0.3)  # root-a ends meanwhile; its end waits for the plan's lock
            raise RuntimeError("cannot show the start of ran_4")
        starting(self, step_name)

    monkeypatch.setattr(Launcher, "step_starting", broken)
    RAN.clear()
    with pytest.raises(PipelineRunFailedError, match="cannot show the start of ran_4"):
        two_branches().run()
    deadline = time.monotonic() + 30
    while "root-a" not in RAN and time.monotonic() < deadline:  # it was dispatched: it runs
        time.sleep(0.05)
    time.sleep(0.5)  # anything it released would have started by now
    assert RAN == ["root-a"]


def test_a_second_run_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The step threads and the heartbeat are the process's: a run after the first one
    starts no thread (each used to start two, which cost more than the run's steps)."""
    import threading

    threaded_chain().run()  # the first run of the process may start them
    started: list[str] = []
    start = threading.Thread.start

    def counting(self: threading.Thread) -> None:
        started.append(self.name)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", counting)
    THREADS.clear()
    run = threaded_chain().run()
    assert run.status == ExecutionStatus.COMPLETED
    assert started == []
    assert len(THREADS) == 30


_FORKING = """
import os
import sys

from cairn import pipeline, step

@step
def one() -> int:
    return 1

@step
def plus(x: int) -> int:
    return x + 1

@pipeline(enable_cache=False)
def small() -> None:
    plus(one())

def ok() -> bool:
    return small().run().status.value == "completed"

assert ok()
child = os.fork()
if child == 0:
    code = 1
    try:
        code = 0 if ok() else 2
    finally:
        os._exit(code)
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status) or (0 if ok() else 3))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_runs_pipelines_with_threads_of_its_own(tmp_path: Path) -> None:
    """The process's step threads, heartbeat and connections are not inherited by a fork
    (in a process of its own: a test worker's other threads could hold locks at the fork)."""
    import sys

    script = tmp_path / "forking.py"
    script.write_text(_FORKING)
    env = {**os.environ, "CAIRN_CONFIG_DIR": str(tmp_path / "config"), "CAIRN_QUIET": "1"}
    command = [sys.executable, "-W", "ignore::DeprecationWarning", str(script)]
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
