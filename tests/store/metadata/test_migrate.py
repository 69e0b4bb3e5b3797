"""Migrations of the metadata schema: upgrade an old database, refuse a newer one."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cairn.enums import ExecutionStatus
from cairn.exceptions import StoreSchemaError
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.store.metadata.engine import get_engine
from cairn.store.metadata.migrate import current_revision, upgrade
from cairn.store.metadata.schema import HEAD_REVISION, metadata


def _revision(url: str) -> str | None:
    with get_engine(url).connect() as conn:
        return current_revision(conn)


def test_upgrade_a_database_made_by_the_first_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(get_engine(url), revision="0001")
    assert _revision(url) == "0001"
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO pipelines VALUES ('p1', 'train', '{}', 1.0, 1.0)")
        conn.exec_driver_sql(
            "INSERT INTO pipeline_runs (id, name, pipeline_id, status, parameters, "
            "runtime_options, stack_snapshot, created, started) VALUES "
            "('r1', 'old-run', 'p1', 'completed', '{\"lr\": 1}', '{}', '{}', 2.0, 2.0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO step_runs (id, run_id, name, status, cache_key, parameters, code_hash, "
            "cached, cache_reason) VALUES ('s1', 'r1', 'load', 'completed', 'k', '{}', 'h', 0, '')"
        )
    store = SQLiteMetadataStore(name="m", uri=str(tmp_path / "old.db"))
    run = store.get_run("old-run")  # opening the store upgrades it
    assert _revision(url) == HEAD_REVISION
    assert run.parameters == {"lr": 1} and run.owner_pid is None
    assert store.get_step_runs(run.id)[0].attempts == 1
    assert store.find_cached_step("k") is not None
    assert store.mark_stale_runs_failed() == []
    new = store.create_run(run.pipeline_id, "new-run")
    assert new.status == ExecutionStatus.RUNNING and new.owner_pid is not None


def test_head_schema_matches_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(get_engine(url))
    inspector = sa.inspect(get_engine(url))
    for table in metadata.sorted_tables:
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}, table.name
        migrated_indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= migrated_indexes, table.name


def test_upgrade_is_a_no_op_at_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.db'}"
    assert upgrade(get_engine(url)) is None
    assert upgrade(get_engine(url)) == HEAD_REVISION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    upgrade(get_engine(url))
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreSchemaError, match="upgrade Cairn"):
        upgrade(get_engine(url))


def test_upgrade_reconciles_runs_left_running_by_an_older_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(get_engine(url), revision="0001")
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO pipelines VALUES ('p1', 'train', '{}', 1.0, 1.0)")
        conn.exec_driver_sql(
            "INSERT INTO pipeline_runs (id, name, pipeline_id, status, parameters, "
            "runtime_options, stack_snapshot, created, started) VALUES "
            "('r1', 'stuck', 'p1', 'running', '{}', '{}', '{}', 2.0, 2.0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO step_runs (id, run_id, name, status, cache_key, parameters, code_hash, "
            "cached, cache_reason) VALUES ('s1', 'r1', 'load', 'running', 'k', '{}', 'h', 0, '')"
        )
    store = SQLiteMetadataStore(name="m", uri=str(tmp_path / "old.db"))
    run = store.get_run("stuck")
    assert run.status == ExecutionStatus.FAILED and "older version" in (run.error or "")
    assert store.get_step_runs(run.id)[0].status == ExecutionStatus.FAILED


def test_upgrade_from_0003_keeps_artifacts_and_adds_the_catalog(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v3.db'}"
    upgrade(get_engine(url), revision="0003")
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO artifacts (id, output_name, uri, data_type, materializer, size, "
            "content_hash, properties, created) VALUES "
            "('a1', 'output', 'mem://a1', 'builtins:int', 'm:M', 1, 'h', '{}', 1.0)"
        )
    store = SQLiteMetadataStore(name="m", uri=str(tmp_path / "v3.db"))
    assert store.get_artifact("a1").uri == "mem://a1"  # opening the store upgrades it
    assert _revision(url) == HEAD_REVISION
    assert store.find_artifact_version("a1") is None  # old artifacts have no name yet
    named = store.register_artifact_version("a1", "old-output")
    assert named.version == "1"
    model = store.get_or_create_model("m")
    assert store.create_model_version(model.id).number == 1


def test_upgrade_from_0004_fills_the_stack_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v4.db'}"
    upgrade(get_engine(url), revision="0004")
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO pipelines VALUES ('p1', 'train', '{}', 1.0, 1.0)")
        for run_id, snapshot in [("r1", '{"name": "cloud"}'), ("r2", "{}"), ("r3", "not json")]:
            conn.exec_driver_sql(
                "INSERT INTO pipeline_runs (id, name, pipeline_id, status, parameters, "
                "runtime_options, stack_snapshot, created) VALUES "
                f"('{run_id}', '{run_id}', 'p1', 'completed', '{{}}', '{{}}', '{snapshot}', 2.0)"
            )
    store = SQLiteMetadataStore(name="m", uri=str(tmp_path / "v4.db"))
    assert [r.name for r in store.list_runs(stack="cloud")] == ["r1"]
    assert store.count_runs() == 3
    indexes = {i["name"] for i in sa.inspect(get_engine(url)).get_indexes("pipeline_runs")}
    assert {"ix_pipeline_runs_stack_name_created",
            "ix_pipeline_runs_pipeline_id_status_created"} <= indexes  # fmt: skip


def test_downgrade_from_head_to_0004(tmp_path: Path) -> None:
    from alembic import command

    from cairn.store.metadata.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade(get_engine(url))
    with get_engine(url).begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    assert _revision(url) == "0004"
    columns = {c["name"] for c in sa.inspect(get_engine(url)).get_columns("pipeline_runs")}
    assert "stack_name" not in columns
