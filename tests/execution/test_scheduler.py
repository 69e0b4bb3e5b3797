"""The local scheduler service, for real: ``cairn stack up`` starts it, runs start on time,
a restart runs no slot twice, ``catchup`` runs each missed slot once, logs are the
orchestrator's. Schedules here have a slot every 2 seconds."""

from __future__ import annotations

import datetime as dt
import importlib
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cairn import Schedule
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.execution.schedules import ScheduleStore
from cairn.stack import StackRegistry

pytestmark = pytest.mark.slow

PIPELINE = """
from cairn import pipeline, step

@step
def make() -> int:
    return 3

@step
def double(x: int) -> int:
    return 2 * x

@pipeline
def tiny():
    double(make())
"""


def invoke(*args: str, code: int = 0) -> Any:
    from click.testing import CliRunner

    from cairn.cli.main import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ``tiny`` pipeline, from a module of the working folder."""
    name = f"sched_pipe_{time.time_ns()}"
    Path(f"{name}.py").write_text(textwrap.dedent(PIPELINE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(Path.cwd()))
    return importlib.import_module(name).tiny


@pytest.fixture
def up() -> Iterator[None]:
    invoke("stack", "up")
    try:
        yield
    finally:
        invoke("stack", "down")


def _wait(condition: Callable[[], bool], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s")


def _store() -> ScheduleStore:
    return ScheduleStore(StackRegistry().get_stack().metadata_store)


def _finished_runs() -> list[Any]:
    runs = StackRegistry().get_stack().metadata_store.list_runs()
    return [r for r in runs if r.status.is_finished]


def _orchestrator() -> Any:
    return StackRegistry().get_stack().orchestrator


def test_stack_up_starts_an_idle_scheduler_and_stack_down_stops_it() -> None:
    assert not _orchestrator().scheduler_running
    invoke("stack", "up")
    try:
        assert _orchestrator().scheduler_running
        assert "already up" in invoke("orchestrator", "up").output  # nothing to start again
    finally:
        invoke("stack", "down")
    assert not _orchestrator().scheduler_running
    assert "scheduler stopped" in invoke("orchestrator", "logs", "default").output


def test_runs_start_on_time_and_record_their_schedule(tiny: Any, up: None) -> None:
    record = tiny().run(schedule=Schedule(name="every2", interval=dt.timedelta(seconds=2)))
    _wait(lambda: len(_finished_runs()) >= 2)
    runs = _finished_runs()
    assert all(r.status == ExecutionStatus.COMPLETED for r in runs)
    assert {_store().schedule_of_run(r.name) for r in runs} == {"every2"}
    slots = dict((name, slot) for slot, name in _store().slots(record.id))
    for run in runs:  # each run was created soon after its slot
        assert 0 <= run.created - slots[run.name] < 10
    steps = StackRegistry().get_stack().metadata_store.get_step_runs(runs[0].id)
    assert sorted(s.name for s in steps) == ["double", "make"]
    log = invoke("orchestrator", "logs", "default").output
    assert "schedule 'every2': slot" in log and f"started run {runs[0].name}" in log


def test_a_restart_runs_no_slot_twice_and_catchup_runs_each_missed_slot(tiny: Any) -> None:
    invoke("stack", "up")
    try:
        record = tiny().run(schedule=Schedule(name="catch", interval=2, catchup=True))
        _wait(lambda: len(_finished_runs()) >= 1)
        invoke("stack", "down")
        stopped = time.time()
        time.sleep(5)  # two or three slots pass while the scheduler is down
        invoke("stack", "up")
        _wait(lambda: (_store().get("catch").last_slot or 0) > stopped + 4)
        # the runs of the slots claimed so far end (new slots keep coming every 2 s, and on a
        # loaded machine each run's process starts slower than that: do not chase them)
        target = len(_store().slots(record.id, limit=1000))
        _wait(lambda: len(_finished_runs()) >= target, timeout=90.0)
    finally:
        invoke("stack", "down")
    claimed = sorted(slot for slot, _ in _store().slots(record.id, limit=1000))
    expected = [record.start_time + 2 * k for k in range(len(claimed))]
    assert claimed == pytest.approx(expected)  # every slot once, none skipped, none twice
    names = [name for _, name in _store().slots(record.id, limit=1000)]
    runs = _finished_runs()  # (a run claimed just before the last stop may not have started)
    assert len(set(names)) == len(names) and {r.name for r in runs} <= set(names)
    completed = [r for r in runs if r.status == ExecutionStatus.COMPLETED]
    assert len(completed) >= 4  # (one started just before the last stop may be cancelled)
    assert all(r.status in (ExecutionStatus.COMPLETED, ExecutionStatus.CANCELLED) for r in runs)


def test_without_catchup_only_the_latest_missed_slot_runs(tiny: Any, up: None) -> None:
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=7)
    record = tiny().run(schedule=Schedule(name="late", interval=2, start_time=start))
    _wait(lambda: len(_store().slots(record.id)) >= 1)
    first = min(slot for slot, _ in _store().slots(record.id))
    assert first >= start.timestamp() + 6 - 1e-6  # the latest due slot; not those at -7, -5, -3 s


def test_a_paused_schedule_starts_no_run(tiny: Any, up: None) -> None:
    record = tiny().run(schedule=Schedule(name="held", interval=2))
    _wait(lambda: len(_store().slots(record.id)) >= 1)
    invoke("pipeline", "schedules", "pause", "held")
    time.sleep(1.5)  # a run claimed just before the pause may still start
    count = len(_store().slots(record.id))
    time.sleep(4.5)
    assert len(_store().slots(record.id)) == count


def test_the_scheduler_belongs_to_the_orchestrator_component() -> None:
    component = StackRegistry().get_component(StackComponentType.ORCHESTRATOR, "default")
    assert component.log_file is not None and str(component.uuid) in str(component.log_file)
