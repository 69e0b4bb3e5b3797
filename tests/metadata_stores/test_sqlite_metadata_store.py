"""The SQLite metadata store: the store contract plus SQLite specifics."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cairn.enums import ExecutionStatus
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.store.metadata.engine import get_engine
from cairn.testing.metadata_store_contract import MetadataStoreContract, make_run


@pytest.fixture
def store(tmp_path: Path) -> SQLiteMetadataStore:
    return SQLiteMetadataStore(name="meta", uri=str(tmp_path / "meta" / "metadata.db"))


class TestSQLiteContract(MetadataStoreContract):
    """Every method of the metadata store API on SQLite."""


def test_pragmas(store: SQLiteMetadataStore) -> None:
    make_run(store)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_listing_uses_indexes(store: SQLiteMetadataStore) -> None:
    make_run(store)
    plan = sqlite3.connect(store.database_path).execute(
        "EXPLAIN QUERY PLAN SELECT * FROM pipeline_runs ORDER BY created DESC LIMIT 50"
    )
    assert "ix_pipeline_runs_created" in " ".join(str(row) for row in plan)
    plan = sqlite3.connect(store.database_path).execute(
        "EXPLAIN QUERY PLAN SELECT * FROM pipeline_runs WHERE pipeline_id = 'x' "
        "ORDER BY created DESC LIMIT 50"
    )
    assert "ix_pipeline_runs_pipeline_id_created" in " ".join(str(row) for row in plan)


def test_engine_cached_per_process(store: SQLiteMetadataStore) -> None:
    url = store.connection_url()
    assert get_engine(url) is store.engine is get_engine(url)


def _write_runs(path: str, prefix: str, count: int) -> None:
    worker = SQLiteMetadataStore(name="meta", uri=path)
    pipeline = worker.get_or_create_pipeline("shared", {})
    for i in range(count):
        run = worker.create_run(pipeline.id, f"{prefix}-{i}")
        step = worker.create_step_run(run.id, "step", cache_key=f"{prefix}{i}")
        worker.register_artifact(step.id, "output", f"/a/{prefix}/{i}", "t", "m")
        worker.log_metadata(step.id, "i", i)
        worker.finish_step_run(step.id, ExecutionStatus.COMPLETED)
        worker.update_run_status(run.id, ExecutionStatus.COMPLETED)


@pytest.mark.slow
def test_two_processes_write_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_runs, args=(path, p, 25)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    store = SQLiteMetadataStore(name="meta", uri=path)
    assert store.count_runs(status="completed") == 50
    assert len(store.list_pipelines()) == 1
    for run in store.list_runs(limit=100):
        (step,) = store.get_step_runs(run.id)
        assert store.get_step_outputs(step.id)["output"].uri.endswith(run.name.split("-")[1])


_KILLED_RUN = """
import os, signal, sys
from cairn.enums import ExecutionStatus
from cairn.metadata_stores import SQLiteMetadataStore
store = SQLiteMetadataStore(name="meta", uri=sys.argv[1])
pipeline = store.get_or_create_pipeline("train", {})
run = store.create_run(pipeline.id, "killed")
done = store.create_step_run(run.id, "load")
store.finish_step_run(done.id, ExecutionStatus.COMPLETED)
store.create_step_run(run.id, "train")
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_run_of_killed_process_shows_failed(store: SQLiteMetadataStore) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_RUN), str(store.database_path)],
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL
    run = store.get_run("killed")
    assert run.status == ExecutionStatus.FAILED and "stopped without finishing" in str(run.error)
    steps = {s.name: s.status for s in store.get_step_runs(run.id)}
    assert steps == {"load": ExecutionStatus.COMPLETED, "train": ExecutionStatus.FAILED}
    assert store.mark_stale_runs_failed() == []


def test_live_runs_are_not_stale(store: SQLiteMetadataStore) -> None:
    make_run(store)
    assert store.mark_stale_runs_failed() == []
    assert store.get_run("run-1").status == ExecutionStatus.RUNNING


def test_runs_of_other_hosts_use_heartbeat(store: SQLiteMetadataStore) -> None:
    make_run(store)
    with sqlite3.connect(store.database_path) as conn:
        conn.execute("UPDATE pipeline_runs SET owner_host = 'elsewhere', heartbeat = 1")
    assert store.mark_stale_runs_failed() == []  # stale_after is None: never guessed
    store.stale_after = 60
    assert store.mark_stale_runs_failed() == ["run-1"]
    assert store.get_run("run-1").status == ExecutionStatus.FAILED


def test_forked_child_gets_its_own_engine(store: SQLiteMetadataStore) -> None:
    parent_engine = store.engine
    make_run(store, "parent")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child() -> None:
        queue.put(store.engine is not parent_engine and store.get_run("parent").name)

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(timeout=60)
    assert queue.get(timeout=5) == "parent"
    assert os.getpid() != proc.pid


def _count_connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from cairn.metadata_stores import sqlite_metadata_store as module

    made: list[str] = []
    real = module._connect

    def counting(path: str) -> sqlite3.Connection:
        made.append(path)
        return real(path)

    monkeypatch.setattr(module, "_connect", counting)
    return made


def test_a_new_instance_of_the_store_reuses_this_threads_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run builds its stack anew: its store takes the connection an earlier one left."""
    made = _count_connects(monkeypatch)
    uri = str(tmp_path / "meta" / "metadata.db")
    make_run(SQLiteMetadataStore(name="meta", uri=uri))
    make_run(SQLiteMetadataStore(name="meta", uri=uri), name="run-2")
    assert made == [uri]
    assert len(SQLiteMetadataStore(name="meta", uri=uri).list_runs()) == 2


def test_a_database_made_again_is_never_written_through_an_old_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _count_connects(monkeypatch)
    uri = str(tmp_path / "meta" / "metadata.db")
    make_run(SQLiteMetadataStore(name="meta", uri=uri))
    for leftover in (tmp_path / "meta").iterdir():
        leftover.unlink()  # the database, its WAL and shared memory: a new file comes next
    make_run(SQLiteMetadataStore(name="meta", uri=uri), name="run-2")
    assert made == [uri, uri]
    with sqlite3.connect(uri) as conn:  # the new run is in the file that is there now
        assert conn.execute("SELECT count(*) FROM pipeline_runs").fetchone() == (1,)


def test_another_thread_gets_its_own_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    made = _count_connects(monkeypatch)
    uri = str(tmp_path / "meta" / "metadata.db")
    make_run(SQLiteMetadataStore(name="meta", uri=uri))
    other = SQLiteMetadataStore(name="meta", uri=uri)
    worker = threading.Thread(target=make_run, args=(other, "run-2"))
    worker.start()
    worker.join()
    assert made == [uri, uri]


def test_a_process_opens_one_connection_to_use_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema check reads the connection it will use (a second one, closed at once,
    made SQLite checkpoint the WAL on close: a few ms of every first run)."""
    from cairn.metadata_stores import sqlite_metadata_store as module

    uri = str(tmp_path / "meta" / "metadata.db")
    make_run(SQLiteMetadataStore(name="meta", uri=uri))
    monkeypatch.setattr(module, "_POOL", module._ConnectionPool())  # as in a new process
    opened: list[str] = []
    real = sqlite3.connect

    def counting(database: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        opened.append(str(database))
        return real(database, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", counting)
    make_run(SQLiteMetadataStore(name="meta", uri=uri), name="run-2")
    assert opened == [uri]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_a_process_using_many_databases_keeps_few_files_open(tmp_path: Path) -> None:
    """One database per test or per config folder: neither the migration's engine nor the
    connections kept for reuse hold every database open (select() fails past fd 1024)."""
    import gc

    for i in range(40):
        make_run(SQLiteMetadataStore(name="meta", uri=str(tmp_path / f"db{i}" / "metadata.db")))
    gc.collect()
    held = [
        target
        for fd in os.listdir("/proc/self/fd")
        if (target := _fd_target(fd)).startswith(str(tmp_path))
    ]
    assert len(held) <= 4 * 16, len(held)  # the 16 kept connections (4 files each: SQLite's)


def _fd_target(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""
