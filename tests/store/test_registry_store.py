"""The SQLite registry store: records, constraints, transactions and errors."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from cairn.enums import StackComponentType as T
from cairn.exceptions import (
    ConcurrentUpdateError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
    StoreError,
    StoreSchemaError,
)
from cairn.store.records import ComponentRecord, FlavorRecord
from cairn.store.registry_store import SCHEMA_VERSION, RegistryStore, SQLiteRegistryStore

Dump = Callable[[Path], list[str]]


def component(type: T = T.ARTIFACT_STORE, name: str = "art", **config: object) -> ComponentRecord:
    return ComponentRecord(str(uuid.uuid4()), type, "local", name, dict(config or {"path": "/a"}))


def test_is_a_registry_store(store: SQLiteRegistryStore) -> None:
    assert isinstance(store, SQLiteRegistryStore)
    protocol_methods = [m for m in vars(RegistryStore) if not m.startswith("_")]
    assert all(callable(getattr(store, m)) for m in protocol_methods)


# ---------------------------------------------------------------- fresh database
def test_fresh_database_has_the_default_stack(store: SQLiteRegistryStore, tmp_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert store.get_active_stack_name() == "default"
    stack = store.get_stack("default")
    assert stack.components == {
        T.ORCHESTRATOR: "default",
        T.ARTIFACT_STORE: "default",
        T.METADATA_STORE: "default",
        T.SECRETS_MANAGER: "default",
    }
    art = store.get_component(T.ARTIFACT_STORE, "default")
    meta = store.get_component(T.METADATA_STORE, "default")
    assert (art.flavor, meta.flavor) == ("local", "sqlite")
    assert Path(art.config["path"]).parent == tmp_path / "local_stores"
    assert meta.config["uri"].startswith(art.config["path"])


def test_reopening_keeps_the_data_and_adds_no_second_default(
    store: SQLiteRegistryStore, db_path: Path, tmp_path: Path
) -> None:
    store.create_component(component())
    with SQLiteRegistryStore(db_path, tmp_path / "other") as again:
        assert [c.name for c in again.list_components(T.ARTIFACT_STORE)] == ["art", "default"]
        assert [s.name for s in again.list_stacks()] == ["default"]


def test_database_uses_wal(store: SQLiteRegistryStore, db_path: Path) -> None:
    conn = sqlite3.connect(str(db_path))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


# ---------------------------------------------------------------- components
def test_component_round_trip(store: SQLiteRegistryStore) -> None:
    record = component(path="/data", nested={"a": [1, 2]})
    store.create_component(record)
    got = store.get_component(T.ARTIFACT_STORE, "art")
    assert (got.uuid, got.flavor, got.config) == (record.uuid, "local", record.config)
    assert got.created > 0 and got.updated > 0


def test_list_components_filters_and_sorts(store: SQLiteRegistryStore) -> None:
    store.create_component(component(name="zeta"))
    store.create_component(component(name="alpha"))
    names = [c.name for c in store.list_components(T.ARTIFACT_STORE)]
    assert names == ["alpha", "default", "zeta"]
    assert len(store.list_components()) == 6


def test_same_name_allowed_for_different_types(store: SQLiteRegistryStore) -> None:
    store.create_component(component(T.ORCHESTRATOR, "shared"))
    store.create_component(component(T.ARTIFACT_STORE, "shared"))
    assert store.get_component(T.ORCHESTRATOR, "shared").type is T.ORCHESTRATOR


def test_duplicate_component_is_refused_and_nothing_changes(
    dump: Dump, store: SQLiteRegistryStore, db_path: Path
) -> None:
    store.create_component(component())
    before = dump(db_path)
    with pytest.raises(EntityExistsError, match="artifact-store named 'art' already exists"):
        store.create_component(component())
    assert dump(db_path) == before


def test_missing_component_lists_the_registered_ones(store: SQLiteRegistryStore) -> None:
    with pytest.raises(DoesNotExistError, match=r"No artifact-store named 'nope'.*default"):
        store.get_component(T.ARTIFACT_STORE, "nope")


def test_update_component(store: SQLiteRegistryStore) -> None:
    store.create_component(component())
    updated = store.update_component(T.ARTIFACT_STORE, "art", {"path": "/new"})
    assert updated.config == {"path": "/new"}
    assert updated.updated >= updated.created


def test_update_component_compare_and_swap(
    dump: Dump, store: SQLiteRegistryStore, db_path: Path
) -> None:
    store.create_component(component(path="/a"))
    store.update_component(T.ARTIFACT_STORE, "art", {"path": "/b"}, expected_config={"path": "/a"})
    before = dump(db_path)
    with pytest.raises(ConcurrentUpdateError, match="run the command again"):
        store.update_component(
            T.ARTIFACT_STORE, "art", {"path": "/c"}, expected_config={"path": "/a"}
        )
    assert dump(db_path) == before


def test_rename_component_keeps_stack_membership(store: SQLiteRegistryStore) -> None:
    store.rename_component(T.ARTIFACT_STORE, "default", "renamed")
    assert store.get_stack("default").components[T.ARTIFACT_STORE] == "renamed"
    store.create_component(component(name="taken"))
    with pytest.raises(EntityExistsError):
        store.rename_component(T.ARTIFACT_STORE, "renamed", "taken")


def test_delete_component_refused_while_used(
    dump: Dump, store: SQLiteRegistryStore, db_path: Path
) -> None:
    store.create_stack("other", {T.ARTIFACT_STORE: "default"})
    before = dump(db_path)
    with pytest.raises(IllegalOperationError, match=r"used by stack.*default, other"):
        store.delete_component(T.ARTIFACT_STORE, "default")
    assert dump(db_path) == before


def test_delete_unused_component(store: SQLiteRegistryStore) -> None:
    store.create_component(component())
    store.delete_component(T.ARTIFACT_STORE, "art")
    with pytest.raises(DoesNotExistError):
        store.get_component(T.ARTIFACT_STORE, "art")


# ---------------------------------------------------------------- stacks
def test_create_and_list_stacks(store: SQLiteRegistryStore) -> None:
    store.create_component(component())
    store.create_stack("mine", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "art"})
    stacks = {s.name: s.components for s in store.list_stacks()}
    assert stacks["mine"] == {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "art"}
    assert store.stacks_using(T.ORCHESTRATOR, "default") == ["default", "mine"]


def test_stack_with_a_missing_component_changes_nothing(
    dump: Dump, store: SQLiteRegistryStore, db_path: Path
) -> None:
    before = dump(db_path)
    with pytest.raises(DoesNotExistError, match="orchestrator named 'ghost'"):
        store.create_stack("s", {T.ARTIFACT_STORE: "default", T.ORCHESTRATOR: "ghost"})
    assert dump(db_path) == before


def test_duplicate_stack_is_refused(store: SQLiteRegistryStore) -> None:
    with pytest.raises(EntityExistsError, match="stack named 'default' already exists"):
        store.create_stack("default", {})


def test_update_stack_sets_and_removes(store: SQLiteRegistryStore) -> None:
    store.create_component(component(name="art2"))
    store.create_component(component(T.ALERTER, "bell"))
    record = store.update_stack("default", {T.ARTIFACT_STORE: "art2", T.ALERTER: "bell"})
    assert record.components[T.ARTIFACT_STORE] == "art2"
    record = store.update_stack("default", {}, {T.ALERTER})
    assert T.ALERTER not in record.components


def test_failure_inside_a_write_rolls_everything_back(
    dump: Dump, store: SQLiteRegistryStore, db_path: Path
) -> None:
    conn = sqlite3.connect(str(db_path))
    conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON stack_memberships "
        "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()
    before = dump(db_path)
    with pytest.raises(StoreError, match=r"disk on fire.*Nothing was changed"):
        store.create_stack("half", {T.ORCHESTRATOR: "default"})
    assert dump(db_path) == before
    assert [s.name for s in store.list_stacks()] == ["default"]


def test_rename_stack_moves_the_active_mark(store: SQLiteRegistryStore) -> None:
    store.rename_stack("default", "main")
    assert store.get_active_stack_name() == "main"
    store.create_stack("other", {})
    with pytest.raises(EntityExistsError):
        store.rename_stack("main", "other")


def test_delete_stack(store: SQLiteRegistryStore) -> None:
    store.create_stack("other", {T.ORCHESTRATOR: "default"})
    store.delete_stack("other")
    assert [s.name for s in store.list_stacks()] == ["default"]
    assert store.stacks_using(T.ORCHESTRATOR, "default") == ["default"]


def test_active_stack_cannot_be_deleted(store: SQLiteRegistryStore) -> None:
    with pytest.raises(IllegalOperationError, match="active stack"):
        store.delete_stack("default")


def test_missing_stack_lists_existing(store: SQLiteRegistryStore) -> None:
    with pytest.raises(DoesNotExistError, match=r"No stack named 'x'.*default"):
        store.get_stack("x")


def test_set_active_stack(store: SQLiteRegistryStore) -> None:
    store.create_stack("other", {})
    store.set_active_stack_name("other")
    assert store.get_active_stack_name() == "other"
    with pytest.raises(DoesNotExistError):
        store.set_active_stack_name("missing")
    assert store.get_active_stack_name() == "other"


# ---------------------------------------------------------------- flavors
def test_flavors(store: SQLiteRegistryStore) -> None:
    store.register_flavor(FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.mod:Store"))
    with pytest.raises(EntityExistsError, match="--overwrite"):
        store.register_flavor(FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.other:Store"))
    store.register_flavor(
        FlavorRecord(T.ARTIFACT_STORE, "custom", "pkg.other:Store"), overwrite=True
    )
    store.register_flavor(FlavorRecord(T.ORCHESTRATOR, "custom", "pkg.o:Orch"))
    assert [f.source for f in store.list_flavors(T.ARTIFACT_STORE)] == ["pkg.other:Store"]
    assert len(store.list_flavors()) == 2
    store.delete_flavor(T.ORCHESTRATOR, "custom")
    with pytest.raises(DoesNotExistError):
        store.delete_flavor(T.ORCHESTRATOR, "custom")


# ---------------------------------------------------------------- bad databases
def test_newer_schema_is_refused_with_one_clear_message(
    dump: Dump, db_path: Path, tmp_path: Path
) -> None:
    SQLiteRegistryStore(db_path, tmp_path).close()
    conn = sqlite3.connect(str(db_path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = dump(db_path)
    with pytest.raises(StoreSchemaError) as info:
        SQLiteRegistryStore(db_path, tmp_path)
    message = str(info.value)
    assert "newer" in message and "upgrade Cairn" in message and "\n" not in message
    assert dump(db_path) == before


def test_unreadable_file_is_refused_with_one_clear_message(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a sqlite database, just some text" * 100)
    with pytest.raises(StoreSchemaError, match=r"cannot be read.*CAIRN_CONFIG_DIR") as info:
        SQLiteRegistryStore(db_path, tmp_path)
    assert "\n" not in str(info.value)
    assert db_path.read_bytes().startswith(b"this is not")


def test_a_folder_in_place_of_the_file_is_refused(db_path: Path, tmp_path: Path) -> None:
    db_path.mkdir(parents=True)
    with pytest.raises(StoreSchemaError, match="cannot be read"):
        SQLiteRegistryStore(db_path, tmp_path)


def test_damaged_tables_become_a_store_error(store: SQLiteRegistryStore, db_path: Path) -> None:
    conn = sqlite3.connect(str(db_path))
    conn.execute("DROP TABLE flavors")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="Cannot read the registry database"):
        store.list_flavors()


def test_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot create the folder"):
        SQLiteRegistryStore(blocker / "registry.db", tmp_path)


def test_only_the_owner_can_read_the_database(store: SQLiteRegistryStore, db_path: Path) -> None:
    assert db_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("name", ["", " ", " padded", "tab\there", "new\nline"])
def test_invalid_names_are_refused(store: SQLiteRegistryStore, name: str) -> None:
    from cairn.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="Invalid artifact-store name"):
        store.create_component(component(name=name))
    with pytest.raises(ConfigurationError, match="Invalid stack name"):
        store.create_stack(name, {})
    with pytest.raises(ConfigurationError, match="Invalid stack name"):
        store.rename_stack("default", name)
    with pytest.raises(ConfigurationError, match="Invalid orchestrator name"):
        store.rename_component(T.ORCHESTRATOR, "default", name)
    assert [s.name for s in store.list_stacks()] == ["default"]
