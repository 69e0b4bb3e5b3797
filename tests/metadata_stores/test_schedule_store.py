"""The schedules of a metadata store on SQLite, PostgreSQL and MariaDB (servers: skipped when
absent, failed with CAIRN_REQUIRE_SERVERS=1); each server test uses its own database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cairn.exceptions import DoesNotExistError, EntityExistsError
from cairn.execution.schedules import ScheduleStore
from cairn.metadata_stores import SQLiteMetadataStore, SQLMetadataStore
from cairn.models.schedule import Schedule
from cairn.store.metadata.engine import dispose_engine

from .test_sql_metadata_store_servers import flavor_store, temporary_database


@pytest.fixture(
    params=[
        "sqlite",
        *(pytest.param(k, marks=pytest.mark.server) for k in ("postgresql", "mariadb")),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLMetadataStore]:
    if request.param == "sqlite":
        yield SQLiteMetadataStore(name="m", uri=str(tmp_path / "m.db"))
        return
    with temporary_database(request.param) as database:
        server = flavor_store(request.param, database)
        try:
            yield server
        finally:
            dispose_engine(server.connection_url())


def test_schedules_are_created_claimed_paused_and_deleted(store: SQLMetadataStore) -> None:
    pipeline = store.get_or_create_pipeline("p", {})
    schedules = ScheduleStore(store)

    def create(name: str) -> object:
        return schedules.create(name=name, pipeline_id=pipeline.id, stack_name="st",
                                orchestrator="o", schedule=Schedule(cron_expression="0 * * * *"),
                                start_time=3600.0, source_root="src", run_options={"a": 1},
                                spec={"name": "p"})  # fmt: skip

    record = create("hourly")
    with pytest.raises(EntityExistsError, match="hourly"):
        create("hourly")
    assert record.run_options == {"a": 1} and record.spec == {"name": "p"}
    assert [r.name for r in schedules.list_schedules("st")] == ["hourly"]
    assert schedules.list_schedules("other") == []
    assert schedules.claim(record.id, 3600.0, "hourly-1")
    assert not schedules.claim(record.id, 3600.0, "hourly-1b")
    assert schedules.claim(record.id, 7200.0, "hourly-2")
    assert schedules.slots(record.id) == [(7200.0, "hourly-2"), (3600.0, "hourly-1")]
    assert schedules.get("hourly").last_slot == 7200.0
    assert schedules.get(record.id).name == "hourly"
    assert schedules.set_paused("hourly", True).paused
    resumed = schedules.set_paused("hourly", False)
    assert not resumed.paused and resumed.resumed is not None
    schedules.delete("hourly")
    with pytest.raises(DoesNotExistError, match="No schedule named 'hourly'"):
        schedules.get("hourly")
    assert schedules.schedule_of_run("hourly-1") is None
