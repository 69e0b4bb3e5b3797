"""Migration 0006: the schedules tables are added to a 0005 database and removed on downgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cairn.execution.schedules import ScheduleStore
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.models.schedule import Schedule
from cairn.store.metadata.engine import get_engine
from cairn.store.metadata.migrate import alembic_config, current_revision, upgrade


def _tables(url: str) -> set[str]:
    return set(sa.inspect(get_engine(url)).get_table_names())


def test_upgrade_from_0005_adds_schedules_and_keeps_pipelines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v5.db'}"
    upgrade(get_engine(url), revision="0005")
    assert "schedules" not in _tables(url)
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO pipelines (id, name, spec, created, updated) "
            "VALUES ('p1', 'old', '{}', 1.0, 1.0)"
        )
    store = SQLiteMetadataStore(name="m", uri=str(tmp_path / "v5.db"))
    schedules = ScheduleStore(store)  # opening the store upgrades it
    record = schedules.create(name="s", pipeline_id="p1", stack_name="default",
                              orchestrator="default", schedule=Schedule(interval=60),
                              start_time=0.0, source_root=".", run_options={}, spec={})  # fmt: skip
    assert record.pipeline_name == "old" and {"schedules", "schedule_slots"} <= _tables(url)


def test_downgrade_to_0005_removes_them(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade(get_engine(url))
    with get_engine(url).begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    with get_engine(url).connect() as conn:
        assert current_revision(conn) == "0005"
    assert not {"schedules", "schedule_slots"} & _tables(url)
