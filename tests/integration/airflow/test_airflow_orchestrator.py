"""The ``airflow`` orchestrator against a real Airflow 3: DagBag loads the generated files,
runs go through ``airflow dags test`` and Cairn records every step, a scheduled DAG
carries its schedule and its DAG runs create, run and finish Cairn runs.

Airflow runs in child processes with ``AIRFLOW_HOME`` in the test's folder; ``airflow
dags test`` opens no port.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("airflow") is None:  # CI installs every extra: there it must run
    if os.environ.get("CAIRN_REQUIRE_SERVERS") == "1":
        raise RuntimeError("Airflow is not installed: pip install 'cairn[airflow]'")
    pytest.skip("Airflow is not installed: pip install 'cairn[airflow]'", allow_module_level=True)

from cairn import Schedule
from cairn.enums import ExecutionStatus, StackComponentType
from cairn.exceptions import PipelineRunFailedError
from cairn.execution.schedules import ScheduleStore
from cairn.stack import StackRegistry

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PIPELINE = """
from cairn import pipeline, step

@step
def make() -> int:
    return 3

@step
def double(x: int) -> int:
    return 2 * x

@step
def triple(x: int) -> int:
    return 3 * x

@step
def explode(x: int) -> int:
    raise ValueError("boom")

@pipeline(enable_cache=False)
def diamond():
    x = make()
    double(x)
    triple(x)

@pipeline(enable_cache=False)
def broken():
    explode(make())
"""

DAGBAG = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
print(json.dumps({
    "errors": {str(k): str(v) for k, v in bag.import_errors.items()},
    "dags": {d.dag_id: {
        "schedule": str(d.schedule), "timetable": type(d.timetable).__name__,
        "catchup": d.catchup, "start": d.start_date.timestamp() if d.start_date else None,
        "tasks": {t.task_id: sorted(t.upstream_task_ids) for t in d.tasks},
    } for d in bag.dags.values()},
}))
"""


@pytest.fixture
def pipelines(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test pipelines, in a module of the working folder (the tasks import it from there)."""
    name = f"af_pipes_{time.time_ns()}"
    Path(f"{name}.py").write_text(textwrap.dedent(PIPELINE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(Path.cwd()))
    return importlib.import_module(name)


def _airflow_stack(params: dict[str, Any]) -> Any:
    """The active stack: an airflow orchestrator with the default stores; the orchestrator."""
    registry = StackRegistry()
    registry.register_component(StackComponentType.ORCHESTRATOR, "af", "airflow", params)
    default = registry.get_stack("default")
    registry.register_stack("afs", {c.TYPE: c.name for c in default
                                    if c.TYPE != StackComponentType.ORCHESTRATOR}
                            | {StackComponentType.ORCHESTRATOR: "af"})  # fmt: skip
    registry.set_active_stack("afs")
    return registry.get_stack("afs").orchestrator


@pytest.fixture
def orchestrator() -> Any:
    """An airflow orchestrator whose scheduled DAGs another Airflow would run (no service)."""
    return _airflow_stack({"serve": False})


def _dagbag(orchestrator: Any) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", DAGBAG, str(orchestrator.dags)],
                          env=orchestrator.airflow_env(), capture_output=True, text=True,
                          timeout=300, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_flavor_is_listed_without_importing_airflow() -> None:
    code = ("import sys; "
            "import cairn.integrations.airflow.orchestrator; "
            "print('airflow' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    from click.testing import CliRunner

    from cairn.cli.main import cli

    listing = CliRunner().invoke(cli, ["orchestrator", "flavor", "list"]).output
    assert "airflow" in listing


def test_a_run_goes_through_airflow_and_cairn_records_every_step(
    pipelines: Any, orchestrator: Any
) -> None:
    run = pipelines.diamond().run()
    assert run.status == ExecutionStatus.COMPLETED
    assert sorted(run.steps) == ["double", "make", "triple"]
    assert all(s.status == ExecutionStatus.COMPLETED for s in run.steps.values())
    assert run.steps["double"].output.load() == 6 and run.steps["triple"].output.load() == 9
    bag = _dagbag(orchestrator)
    assert bag["errors"] == {}
    dag = bag["dags"]["cairn.pipeline.diamond"]
    assert dag["schedule"] == "None"
    assert dag["tasks"] == {"cairn_start": [], "make": ["cairn_start"], "double": ["make"],
                            "triple": ["make"]}  # fmt: skip
    assert orchestrator.home.is_dir() and (orchestrator.home / "airflow.db").is_file()


def test_a_failing_step_fails_the_run_with_its_error(pipelines: Any, orchestrator: Any) -> None:
    with pytest.raises(PipelineRunFailedError, match="boom") as info:
        pipelines.broken().run(run_name="broken-1")
    assert info.value.failed_steps == ["explode"]
    from cairn.client import Client

    run = Client().get_run("broken-1")
    assert run.status == ExecutionStatus.FAILED
    assert run.steps["make"].status == ExecutionStatus.COMPLETED


def test_a_scheduled_dag_carries_the_schedule_and_its_runs_are_cairn_runs(
    pipelines: Any, orchestrator: Any
) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    pipelines.diamond().run(schedule=Schedule(name="nightly", cron_expression="0 3 * * *",
                                              start_time=start, catchup=False))  # fmt: skip
    pipelines.diamond().run(schedule=Schedule(name="often", interval=dt.timedelta(minutes=5),
                                              start_time=start))  # fmt: skip
    bag = _dagbag(orchestrator)
    assert bag["errors"] == {}
    nightly = bag["dags"]["cairn.schedule.nightly"]
    assert nightly["schedule"] == "0 3 * * *" and nightly["catchup"] is False
    assert nightly["start"] == start.timestamp()
    assert nightly["tasks"]["cairn_end"] == ["double", "triple"]
    assert bag["dags"]["cairn.schedule.often"]["schedule"] == "0:05:00"

    # one DAG run of the schedule, as Airflow's scheduler would start it
    done = subprocess.run(["airflow", "dags", "test", "cairn.schedule.nightly"],
                          env=orchestrator.airflow_env(), capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    store = StackRegistry().get_stack().metadata_store
    (run,) = store.list_runs()
    assert run.status == ExecutionStatus.COMPLETED
    assert sorted(s.name for s in store.get_step_runs(run.id)) == ["double", "make", "triple"]
    assert ScheduleStore(store).schedule_of_run(run.name) == "nightly"

    from click.testing import CliRunner

    from cairn.cli.main import cli

    result = CliRunner().invoke(cli, ["pipeline", "schedules", "delete", "often", "-y"])
    assert result.exit_code == 0, result.output
    assert not (orchestrator.dags / "cairn.schedule.often.py").exists()


def test_stack_up_runs_airflow_on_the_loopback_and_it_starts_scheduled_runs(
    pipelines: Any,
) -> None:
    from click.testing import CliRunner

    from cairn.cli.main import cli
    from cairn.exceptions import ComponentNotRunningError

    orchestrator = _airflow_stack({})
    with pytest.raises(ComponentNotRunningError, match="cairn stack up"):
        pipelines.diamond().run(schedule=Schedule(name="soon", interval=5))
    up = CliRunner().invoke(cli, ["stack", "up"])
    try:
        assert up.exit_code == 0, up.output
        assert orchestrator.scheduler_running
        pid = orchestrator.airflow_service.read_state().pid
        start = dt.datetime.now(dt.timezone.utc)
        pipelines.diamond().run(schedule=Schedule(name="soon", interval=5, start_time=start))
        store = StackRegistry().get_stack().metadata_store
        deadline = time.monotonic() + 240
        done: list[Any] = []
        while time.monotonic() < deadline and not done:
            done = [r for r in store.list_runs() if r.status == ExecutionStatus.COMPLETED]
            time.sleep(1.0)
        assert done, CliRunner().invoke(cli, ["orchestrator", "logs", "af"]).output[-4000:]
        assert ScheduleStore(store).schedule_of_run(done[0].name) == "soon"
        assert sorted(s.name for s in store.get_step_runs(done[0].id)) == [
            "double",
            "make",
            "triple",
        ]
    finally:
        down = CliRunner().invoke(cli, ["stack", "down"])
    assert down.exit_code == 0, down.output
    assert not orchestrator.scheduler_running
    from cairn.services import pid_alive

    assert pid is not None and not pid_alive(pid)


def test_a_paused_schedule_starts_no_run_through_airflow(pipelines: Any, orchestrator: Any) -> None:
    from click.testing import CliRunner

    from cairn.cli.main import cli

    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    pipelines.diamond().run(schedule=Schedule(name="held", interval=dt.timedelta(hours=1),
                                              start_time=start))  # fmt: skip
    result = CliRunner().invoke(cli, ["pipeline", "schedules", "pause", "held"])
    assert result.exit_code == 0, result.output
    done = subprocess.run(["airflow", "dags", "test", "cairn.schedule.held"],
                          env=orchestrator.airflow_env(), capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    store = StackRegistry().get_stack().metadata_store
    assert store.list_runs() == [], "a paused schedule recorded a run"
    assert ScheduleStore(store).slots(ScheduleStore(store).get("held").id) == []
