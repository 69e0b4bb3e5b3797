"""Run list filters (stack, creation time, status, pipeline) and step counts, on every SQL store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cairn.enums import ExecutionStatus
from cairn.metadata_stores import BaseMetadataStore, SQLiteMetadataStore
from cairn.store.metadata.engine import dispose_engine

from .test_sql_metadata_store_servers import SERVERS, flavor_store, temporary_database

S = ExecutionStatus


@pytest.fixture(
    params=["sqlite", *(pytest.param(k, marks=pytest.mark.server) for k in sorted(SERVERS))]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseMetadataStore]:
    if request.param == "sqlite":
        yield SQLiteMetadataStore(name="m", uri=str(tmp_path / "meta.db"))
        return
    with temporary_database(request.param) as database:
        server_store = flavor_store(request.param, database)
        try:
            yield server_store
        finally:
            dispose_engine(server_store.connection_url())


def _runs(store: BaseMetadataStore) -> dict[str, Any]:
    train = store.get_or_create_pipeline("train", {})
    etl = store.get_or_create_pipeline("etl", {})
    made = {}
    for name, pipeline, stack in [("a", train, "local"), ("b", etl, "cloud"),
                                  ("c", train, "cloud"), ("d", train, None)]:  # fmt: skip
        snapshot = {"name": stack} if stack else {}
        made[name] = store.create_run(pipeline.id, name, stack_snapshot=snapshot)
    store.update_run_status(made["c"].id, S.FAILED)
    return made


def names(records: list[Any]) -> list[str]:
    return [r.name for r in records]


def test_filter_by_stack(store: BaseMetadataStore) -> None:
    made = _runs(store)
    assert names(store.list_runs(stack="cloud")) == ["c", "b"]
    assert store.count_runs(stack="cloud") == 2
    assert names(store.list_runs(stack="local")) == ["a"]
    assert store.count_runs(stack="nowhere") == 0
    assert made["a"].stack_name == "local" and made["d"].stack_name is None


def test_filter_by_creation_time(store: BaseMetadataStore) -> None:
    made = _runs(store)
    b, c = made["b"].created, made["c"].created
    assert names(store.list_runs(created_after=b)) == ["d", "c", "b"]
    assert names(store.list_runs(created_before=c)) == ["b", "a"]
    assert names(store.list_runs(created_after=b, created_before=c)) == ["b"]
    assert store.count_runs(created_after=b, created_before=c) == 1


def test_filters_combine(store: BaseMetadataStore) -> None:
    _runs(store)
    assert names(store.list_runs("train", status=S.FAILED, stack="cloud")) == ["c"]
    assert store.count_runs("train", status=S.RUNNING) == 2
    assert names(store.list_runs("train", stack="cloud", newest_first=False)) == ["c"]
    assert names(store.list_runs(status="running", limit=1, offset=1)) == ["b"]


def test_step_status_counts(store: BaseMetadataStore) -> None:
    made = _runs(store)
    run = made["a"].id
    one = store.create_step_run(run, "load")
    store.finish_step_run(one.id, S.CACHED, cached=True)
    store.create_step_run(run, "train")
    two = store.create_step_run(run, "eval")
    store.finish_step_run(two.id, S.COMPLETED)
    counts = store.step_status_counts([run, made["b"].id])
    assert counts == {run: {"cached": 1, "running": 1, "completed": 1}, made["b"].id: {}}
    assert store.step_status_counts([]) == {}
