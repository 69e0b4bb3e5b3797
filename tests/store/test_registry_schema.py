"""Schema revisions: a database made by revision 1 is upgraded in place."""

from __future__ import annotations

import sqlite3
import uuid
from importlib import resources
from pathlib import Path

from cairn.enums import StackComponentType as T
from cairn.store.records import ComponentRecord, FlavorRecord
from cairn.store.registry_schema import MIGRATIONS, SCHEMA_VERSION, migration_statements
from cairn.store.registry_store import SQLiteRegistryStore


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows}


def test_every_shipped_migration_is_listed_in_order() -> None:
    folder = resources.files("cairn.store").joinpath("registry_migrations")
    shipped = sorted(f.name for f in folder.iterdir() if f.name.endswith(".sql"))
    assert list(MIGRATIONS) == shipped
    assert [int(name[:4]) for name in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def test_migration_statements_are_complete_sql() -> None:
    for revision in range(1, SCHEMA_VERSION + 1):
        statements = migration_statements(revision)
        assert statements
        assert all(sqlite3.complete_statement(s) for s in statements)


def test_database_of_revision_1_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    with SQLiteRegistryStore(path, tmp_path / "stores", upto=1) as old:
        assert old.schema_version == 1
        assert "flavors" not in tables(path)
        old.create_component(
            ComponentRecord(str(uuid.uuid4()), T.ARTIFACT_STORE, "local", "mine", {"path": "/m"})
        )
        old.create_stack(
            "kept", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "mine",
                     T.METADATA_STORE: "default"},
        )  # fmt: skip
        old.set_active_stack_name("kept")
        default_path = old.get_component(T.ARTIFACT_STORE, "default").config["path"]

    with SQLiteRegistryStore(path, tmp_path / "elsewhere") as new:
        assert new.schema_version == SCHEMA_VERSION
        assert "flavors" in tables(path)
        assert new.get_active_stack_name() == "kept"
        assert new.get_stack("kept").components[T.ARTIFACT_STORE] == "mine"
        assert new.get_component(T.ARTIFACT_STORE, "mine").config == {"path": "/m"}
        assert new.get_component(T.ARTIFACT_STORE, "default").config["path"] == default_path
        assert [s.name for s in new.list_stacks()] == ["default", "kept"]
        new.register_flavor(FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg:Cls"))
        assert [f.name for f in new.list_flavors()] == ["custom"]


def test_upgrade_is_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    SQLiteRegistryStore(path, tmp_path, upto=1).close()
    for _ in range(3):
        with SQLiteRegistryStore(path, tmp_path) as store:
            assert store.schema_version == SCHEMA_VERSION
            assert len(store.list_components()) == 4  # the default stack and secrets manager
