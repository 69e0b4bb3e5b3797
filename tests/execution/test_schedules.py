"""Registering schedules: refused before anything is recorded, stored, listed, paused, deleted.

The tests that need the scheduler start the real service (``cairn stack up``) and
stop it at the end; the pipeline lives in a module of the test's working folder,
which is where the scheduler's runs import it from.
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cairn import Schedule
from cairn.enums import StackComponentType
from cairn.exceptions import ComponentNotRunningError, ConfigurationError, EntityExistsError
from cairn.execution.schedules import ScheduleStore, check_can_schedule, scheduling_flavors
from cairn.orchestrators import BaseOrchestrator
from cairn.stack import Stack, StackRegistry


def invoke(*args: str, code: int = 0) -> Any:
    """Run ``cairn ARGS`` in-process; check the exit code."""
    from click.testing import CliRunner

    from cairn.cli.main import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


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


def pipeline_module(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A pipeline module ``name`` in the working folder (importable by the scheduler's runs)."""
    Path(f"{name}.py").write_text(textwrap.dedent(PIPELINE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(Path.cwd()))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


@pytest.fixture
def scheduler() -> Iterator[None]:
    """The default stack's scheduler, running; stopped at the end."""
    invoke("stack", "up")
    try:
        yield
    finally:
        invoke("stack", "down")


def _store() -> ScheduleStore:
    return ScheduleStore(StackRegistry().get_stack().metadata_store)


def _nothing_recorded() -> None:
    store = StackRegistry().get_stack().metadata_store
    assert store.list_pipelines() == [] and store.list_runs() == []
    assert _store().list_schedules() == []


class NowOnly(BaseOrchestrator):
    FLAVOR: ClassVar[str] = "now_only"

    def prepare_or_run_pipeline(self, deployment: Any, stack: Any, launcher: Any) -> None:
        raise AssertionError("never called")


def test_the_local_flavor_can_schedule() -> None:
    assert "local" in scheduling_flavors()


def test_an_orchestrator_that_cannot_schedule_names_those_that_can() -> None:
    default = StackRegistry().get_stack()
    components = {c.TYPE: c for c in default}
    components[StackComponentType.ORCHESTRATOR] = NowOnly(name="plain")
    with pytest.raises(ConfigurationError, match=r"'plain' \(flavor now_only\).*\(.*local"):
        check_can_schedule(Stack("other", components))


def test_scheduler_not_running_says_stack_up_and_records_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = pipeline_module("sched_down", monkeypatch)
    with pytest.raises(ComponentNotRunningError, match="run 'cairn stack up'"):
        module.tiny().run(schedule=Schedule(interval=60))
    _nothing_recorded()


def test_a_bad_schedule_is_refused_before_anything_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = pipeline_module("sched_bad", monkeypatch)
    with pytest.raises(ConfigurationError, match="Invalid cron expression"):
        module.tiny().run(schedule={"cron_expression": "99 * * * *"})
    _nothing_recorded()


@pytest.mark.slow
def test_run_with_a_schedule_registers_it_and_returns_at_once(
    scheduler: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = pipeline_module("sched_reg", monkeypatch)
    future = time.time() + 3600
    import datetime as dt

    start = dt.datetime.fromtimestamp(future, dt.timezone.utc)
    record = module.tiny().run(schedule=Schedule(name="hourly", cron_expression="0 * * * *",
                                                 start_time=start))  # fmt: skip
    assert record.name == "hourly" and record.pipeline_name == "tiny"
    assert record.cron_expression == "0 * * * *" and record.start_time == pytest.approx(future)
    assert StackRegistry().get_stack().metadata_store.list_runs() == []  # nothing ran
    with pytest.raises(EntityExistsError, match="hourly"):
        module.tiny().run(schedule={"name": "hourly", "interval": 60})

    listing = json.loads(invoke("pipeline", "schedules", "list", "--output", "json").output)
    assert [(s["name"], s["cron_expression"], s["paused"]) for s in listing] == [
        ("hourly", "0 * * * *", False)
    ]
    assert "paused" in invoke("pipeline", "schedules", "pause", "hourly").output.lower()
    assert _store().get("hourly").paused
    invoke("pipeline", "schedules", "resume", "hourly")
    assert not _store().get("hourly").paused and _store().get("hourly").resumed is not None
    described = invoke("pipeline", "schedules", "describe", "hourly").output
    assert "cron '0 * * * *'" in described and "no run started yet" in described
    invoke("pipeline", "schedules", "delete", "hourly", "--yes")
    assert _store().list_schedules() == []
    assert (
        "No schedule named 'hourly'"
        in invoke("pipeline", "schedules", "describe", "hourly", code=1).stderr
    )


def test_a_slot_is_claimed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.models.schedule import Schedule as S

    stack = StackRegistry().get_stack()
    pipeline = stack.metadata_store.get_or_create_pipeline("p", {})
    store = _store()
    record = store.create(name="s", pipeline_id=pipeline.id, stack_name=stack.name,
                          orchestrator="default", schedule=S(interval=60), start_time=100.0,
                          source_root=".", run_options={}, spec={})  # fmt: skip
    assert store.claim(record.id, 100.0, "s-1")
    assert not store.claim(record.id, 100.0, "s-1-again")
    assert store.get("s").last_slot == 100.0
    assert store.schedule_of_run("s-1") == "s" and store.schedule_of_run("other") is None
