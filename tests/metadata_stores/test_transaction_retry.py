"""Deadlocks are retried, a lost connection fails the run cleanly (PostgreSQL and MariaDB)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cairn import pipeline, step
from cairn.enums import StackComponentType as T
from cairn.exceptions import PipelineRunFailedError
from cairn.metadata_stores import SQLMetadataStore
from cairn.metadata_stores.transaction_retry import is_transient
from cairn.stack import StackRegistry
from cairn.store.metadata.engine import dispose_engine
from cairn.testing.metadata_store_contract import make_run

from .test_sql_metadata_store_servers import (
    SERVERS,
    _admin_engine,
    flavor_store,
    temporary_database,
)

pytestmark = pytest.mark.server


@pytest.fixture(params=sorted(SERVERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(kind: str) -> Iterator[str]:
    with temporary_database(kind) as name:
        yield name


@pytest.fixture
def store(kind: str, database: str) -> Iterator[SQLMetadataStore]:
    store = flavor_store(kind, database)
    try:
        yield store
    finally:
        dispose_engine(store.connection_url())


def test_other_errors_are_not_transient() -> None:
    assert not is_transient(ValueError("x"))
    error = sa.exc.OperationalError("SELECT 1", {}, Exception(2006, "MySQL server has gone away"))
    assert not is_transient(error)
    deadlock = sa.exc.OperationalError("UPDATE", {}, Exception(1213, "Deadlock found"))
    assert is_transient(deadlock)


def test_a_deadlocked_batch_is_replayed_and_both_writers_succeed(store: SQLMetadataStore) -> None:
    """Two batches take two rows in opposite orders: the server aborts one, which is replayed."""
    first, second = make_run(store, "run-a"), make_run(store, "run-b")
    barrier = threading.Barrier(2, timeout=30)
    retries: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer(label: str, ids: tuple[str, str]) -> None:
        try:
            with store.batch():
                store.heartbeat(ids[0])
                barrier.wait()
                store.heartbeat(ids[1])
                store.log_entity_metadata("run", ids[1], f"by_{label}", label)
                retries[label] = store._state.local.conn.retries
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=("x", (first.id, second.id))),
        threading.Thread(target=writer, args=("y", (second.id, first.id))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(retries) == ["x", "y"] and sum(retries.values()) >= 1, retries
    assert set(store.get_entity_metadata("run", first.id)) == {"by_y"}
    assert set(store.get_entity_metadata("run", second.id)) == {"by_x"}


def test_writers_waiting_on_a_new_pipeline_all_get_it(store: SQLMetadataStore) -> None:
    """Writers that wait on another's uncommitted pipeline row all get that row once it lands.

    This is the first moment of N processes starting the same new pipeline: each finds no row,
    all but one wait on the unique name, and when it commits they used to take the row
    with a locking read, which on InnoDB deadlocked them against each other.
    """
    from cairn.store.metadata.schema import pipelines as t

    store.count_runs()  # migrated
    engine = store._state.engine_for(store)
    results: list[str] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with store.batch():
                results.append(store.get_or_create_pipeline("contended", {"v": 2}).id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    with engine.connect() as holder:
        holder.begin()
        holder.execute(t.insert().values(id="held", name="contended", spec="{}",
                                         created=0.0, updated=0.0))  # fmt: skip
        threads = [threading.Thread(target=writer) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every writer is now waiting on the held name
        holder.commit()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == ["held"] * 4
    assert store.get_pipeline("contended").id == "held"


def _terminate(kind: str, connection: Any) -> None:
    """End the server session of ``connection`` from another connection (as an admin would)."""
    admin = _admin_engine(kind)
    with admin.connect() as conn:
        if kind == "postgresql":
            pid = connection.info.backend_pid
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        else:
            conn.exec_driver_sql(f"KILL {int(connection.thread_id())}")
    admin.dispose()


@step
def produce() -> int:
    return 41


@step
def consume(x: int) -> int:
    return x + 1


@pipeline(name="killed", enable_cache=False)
def killed_pipeline() -> None:
    consume(produce())


def _register(kind: str, database: str) -> SQLMetadataStore:
    flavor = "postgresql" if kind == "postgresql" else "mysql"
    registry = StackRegistry()
    registry.register_component(T.METADATA_STORE, "team_db", flavor, {"database": database})
    registry.register_stack("team", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default",
                                     T.METADATA_STORE: "team_db"}, activate=True)  # fmt: skip
    store = registry.get_component(T.METADATA_STORE, "team_db")
    assert isinstance(store, SQLMetadataStore)
    return store


@pytest.mark.slow
def test_a_connection_killed_while_recording_a_step_fails_the_run_cleanly(
    kind: str, database: str
) -> None:
    """The server ends the session while ``consume``'s outputs are being recorded."""
    from cairn.client import Client

    store = _register(kind, database)
    engine = store.engine
    state = {"inserts": 0}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _kill(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTIFACTS"):
            state["inserts"] += 1
            if state["inserts"] == 2:  # the first is produce's output, the second consume's
                _terminate(kind, conn.connection.driver_connection)

    try:
        with pytest.raises(PipelineRunFailedError):
            killed_pipeline().run(run_name="killed-run")
        assert state["inserts"] >= 2
        run = Client().get_run("killed-run")
        assert str(run.status) == "failed"
        steps = {s.name: s for s in store.get_step_runs(run.id)}
        assert str(steps["produce"].status) == "completed"
        assert set(store.get_step_outputs(steps["produce"].id)) == {"output"}
        assert str(steps["consume"].status) == "failed"
        assert store.get_step_outputs(steps["consume"].id) == {}  # nothing half-recorded
        produced = store.get_step_outputs(steps["produce"].id)["output"]
        assert [c.name for c in store.get_artifact_consumers(produced.id)] == ["consume"]
    finally:
        sa.event.remove(engine, "before_cursor_execute", _kill)
        dispose_engine(store.connection_url())


WORKER = """
import sys
from cairn import pipeline, step

@step
def first() -> int:
    return 0

@step
def increment(x: int) -> int:
    return x + 1

@pipeline(name="pair", enable_cache=False)
def pair() -> None:
    increment(first())

errors = 0
for _ in range(int(sys.argv[1])):
    try:
        errors += str(pair().run().status) != "completed"
    except Exception as exc:
        errors += 1
        print(f"error: {exc}", file=sys.stderr)
print(errors)
"""


@pytest.mark.slow
def test_eight_processes_record_every_run(kind: str, database: str, tmp_path: Path) -> None:
    """8 processes x 12 two-step runs on one store: every run and row is there, no error."""
    processes, runs = 8, 12
    store = _register(kind, database)
    store.count_runs()  # migrate before the crowd arrives
    env = {**os.environ, "CAIRN_ACTIVE_STACK": "team", "CAIRN_QUIET": "1"}
    command = [sys.executable, "-c", WORKER, str(runs)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(command, env=env, cwd=tmp_path, **pipes) for _ in range(processes)]
    try:
        outputs = [p.communicate(timeout=600) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert [out.strip().splitlines()[-1:] for out, _ in outputs] == [["0"]] * processes, [
        err for _, err in outputs
    ]
    listed = store.list_runs(pipeline="pair", limit=10_000)
    assert len(listed) == processes * runs
    for run in listed:
        assert str(run.status) == "completed"
        steps = {s.name: s for s in store.get_step_runs(run.id)}
        assert sorted(steps) == ["first", "increment"]
        assert all(str(s.status) == "completed" for s in steps.values())
        assert set(store.get_step_outputs(steps["first"].id)) == {"output"}
        assert set(store.get_step_inputs(steps["increment"].id)) == {"x"}
    dispose_engine(store.connection_url())
