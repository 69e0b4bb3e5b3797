"""The sqlite3-only reader returns what the full SQL metadata store returns."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cairn.enums import ExecutionStatus
from cairn.exceptions import DoesNotExistError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.store.metadata.sqlite_reader import SQLiteRunReader

S = ExecutionStatus


@pytest.fixture
def store(tmp_path: Path) -> SQLiteMetadataStore:
    return SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db"))


def _reader(store: SQLiteMetadataStore) -> SQLiteRunReader:
    return SQLiteRunReader(store.uri, lambda: store, stale_after=store.stale_after)


def _record_runs(store: SQLiteMetadataStore) -> dict[str, Any]:
    first = store.get_or_create_pipeline("first", {"steps": 1})
    second = store.get_or_create_pipeline("second", {})
    runs = {}
    for i, (pipeline, status) in enumerate(
        [(first, S.COMPLETED), (first, S.FAILED), (second, S.COMPLETED), (first, S.COMPLETED)]
    ):
        run = store.create_run(pipeline.id, f"run-{i}", parameters={"i": i})
        step = store.create_step_run(run.id, "make", cache_key=f"k{i}")
        art = store.register_artifact(step.id, "out", f"/a/{i}", "builtins:int", "m:M", 3)
        store.log_metadata(step.id, "score", 0.5 + i)
        store.finish_step_run(step.id, S.COMPLETED)
        use = store.create_step_run(run.id, "use")
        store.record_input(use.id, "x", art.id)
        store.finish_step_run(use.id, S.COMPLETED)
        runs[run.name] = store.update_run_status(run.id, status)
    return runs


def test_reads_match_the_full_store(store: SQLiteMetadataStore) -> None:
    runs = _record_runs(store)
    reader = _reader(store)
    assert reader.ready()
    assert reader.list_pipelines() == store.list_pipelines()
    assert reader.get_pipeline("first") == store.get_pipeline("first")
    first_id = store.get_pipeline("first").id
    assert reader.get_pipeline(first_id) == store.get_pipeline(first_id)
    for name, run in runs.items():
        assert reader.get_run(name) == store.get_run(name) == reader.get_run(run.id)
        steps = reader.get_step_runs(run.id)
        assert steps == store.get_step_runs(run.id)
        for step in steps:
            assert reader.get_step_run(step.id) == store.get_step_run(step.id)
            assert reader.get_step_outputs(step.id) == store.get_step_outputs(step.id)
            assert reader.get_step_inputs(step.id) == store.get_step_inputs(step.id)
            assert reader.get_metadata(step.id) == store.get_metadata(step.id)
    for pipeline in (None, "first", first_id):
        for status in (None, "completed", S.FAILED):
            for newest_first in (True, False):
                for limit, offset in ((50, 0), (1, 1), (2, 5)):
                    args = (pipeline, status, limit, offset, newest_first)
                    assert reader.list_runs(*args) == store.list_runs(*args), args
    reader.close()


def test_missing_names_say_what_to_do(store: SQLiteMetadataStore) -> None:
    _record_runs(store)
    reader = _reader(store)
    with pytest.raises(DoesNotExistError, match="cairn pipeline runs list"):
        reader.get_run("nope")
    with pytest.raises(DoesNotExistError, match="cairn pipeline list"):
        reader.get_pipeline("nope")
    with pytest.raises(DoesNotExistError, match="No step run"):
        reader.get_step_run("nope")


def test_not_ready_without_a_current_database(store: SQLiteMetadataStore, tmp_path: Path) -> None:
    absent = SQLiteRunReader(str(tmp_path / "absent.db"), lambda: store)
    assert not absent.ready()
    assert not (tmp_path / "absent.db").exists()  # looking never creates a database
    _record_runs(store)
    reader = _reader(store)
    assert reader.ready()
    conn = sqlite3.connect(store.uri)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.commit()
    conn.close()
    assert not _reader(store).ready()  # an older schema: the full store migrates it first


def test_other_filters_and_methods_go_to_the_full_store(store: SQLiteMetadataStore) -> None:
    runs = _record_runs(store)
    reader = _reader(store)
    run = runs["run-2"]
    assert reader.list_runs(created_after=0.0) == store.list_runs(created_after=0.0)
    assert reader.count_runs(pipeline="first") == 3  # not implemented here: the full store's
    assert reader.find_cached_step("k1") == store.find_cached_step("k1")
    assert reader.get_run(run.id).status == S.COMPLETED


def test_a_dead_owner_is_marked_failed_through_the_full_store(
    store: SQLiteMetadataStore,
) -> None:
    pipeline = store.get_or_create_pipeline("p", {})
    run = store.create_run(pipeline.id, "orphan")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    conn = sqlite3.connect(store.uri)
    conn.execute("UPDATE pipeline_runs SET owner_pid = ?, owner_token = '' WHERE id = ?",
                 (int(dead.stdout), run.id))  # fmt: skip
    conn.commit()
    conn.close()
    built: list[bool] = []

    def full() -> SQLiteMetadataStore:
        built.append(True)
        return store

    reader = SQLiteRunReader(store.uri, full)
    assert reader.get_run("orphan").status == S.FAILED
    assert built == [True]
    assert os.getpid() != int(dead.stdout)
