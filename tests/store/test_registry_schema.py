"""The registry's schema: one table definition, one Alembic history, generated SQLite SQL.

Registries made by older Cairn versions (hand-written SQL, ``PRAGMA user_version``
1-3, no Alembic table) and by older revisions are upgraded in place.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path

from cairn.enums import StackComponentType as T
from cairn.store import registry_statements
from cairn.store.records import FlavorRecord
from cairn.store.registry_migrate import HEAD_REVISION, REVISIONS, VERSION_TABLE, migrations_dir
from cairn.store.registry_schema import SCHEMA_VERSION
from cairn.store.registry_store import SQLiteRegistryStore


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows}


def schema(path: Path) -> dict[str, object]:
    """Columns, keys and indexes of every table, as SQLite reports them."""
    conn = sqlite3.connect(str(path))
    try:
        out: dict[str, object] = {}
        for table in sorted(tables(path)):
            columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
            fks = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
            indexes = []
            for _seq, name, unique, _origin, _partial in conn.execute(
                f"PRAGMA index_list({table})"
            ).fetchall():
                cols = [r[2] for r in conn.execute(f"PRAGMA index_info({name})").fetchall()]
                indexes.append((cols, unique, name if not name.startswith("sqlite_") else ""))
            out[table] = {
                "columns": [(c[1], c[2], c[3], str(c[4]).strip("'"), c[5]) for c in columns],
                "fks": sorted((f[2], f[3], f[4], f[6]) for f in fks),
                "indexes": sorted(indexes),
            }
        return out
    finally:
        conn.close()


def test_the_generated_sqlite_module_is_current() -> None:
    """``registry_sql.py`` is what the tables and statements compile to (regenerate with
    ``python -m cairn.store.registry_statements``)."""
    current = registry_statements.module_path().read_text(encoding="utf-8")
    assert current == registry_statements.render_sqlite_module()


def test_every_shipped_revision_is_listed_in_order() -> None:
    shipped = sorted(f.name.split("_", 1)[0] for f in (migrations_dir() / "versions").glob("0*.py"))
    assert list(REVISIONS) == shipped == [f"{i:04d}" for i in range(1, SCHEMA_VERSION + 1)]
    assert REVISIONS[-1] == HEAD_REVISION


def test_a_fresh_registry_equals_one_built_by_the_migrations(tmp_path: Path) -> None:
    fresh, migrated = tmp_path / "fresh.db", tmp_path / "migrated.db"
    SQLiteRegistryStore(fresh, tmp_path / "a").close()
    SQLiteRegistryStore(migrated, tmp_path / "b", upto=1).close()
    SQLiteRegistryStore(migrated, tmp_path / "b").close()
    assert schema(fresh) == schema(migrated)
    for path in (fresh, migrated):
        with sqlite3.connect(path) as conn:
            assert conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [
                (HEAD_REVISION,)
            ]
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# The hand-written SQL of the registry before Alembic (revisions 1-3), kept here to build
# the registries that earlier Cairn versions made.
LEGACY_SQL = [
    """CREATE TABLE stack_components (uuid TEXT PRIMARY KEY, type TEXT NOT NULL,
        flavor TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL, created REAL NOT NULL,
        updated REAL NOT NULL, UNIQUE (type, name))""",
    """CREATE TABLE stacks (uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        created REAL NOT NULL, updated REAL NOT NULL)""",
    """CREATE TABLE stack_memberships (
        stack_uuid TEXT NOT NULL REFERENCES stacks (uuid) ON DELETE CASCADE,
        type TEXT NOT NULL, component_uuid TEXT NOT NULL REFERENCES stack_components (uuid),
        PRIMARY KEY (stack_uuid, type))""",
    "CREATE INDEX ix_memberships_component ON stack_memberships (component_uuid)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE flavors (type TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,
        created REAL NOT NULL, PRIMARY KEY (type, name))""",
]


def _legacy_registry(path: Path, user_version: int) -> dict[str, str]:
    """A registry as Cairn made it before Alembic, at ``user_version`` 2 or 3."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    ts, ids = time.time(), {t: str(uuid.uuid4()) for t in ("o", "a", "m", "s", "mine", "stack")}
    rows = [(ids["o"], "orchestrator", "local", "default", "{}"),
            (ids["a"], "artifact_store", "local", "default", json.dumps({"path": "/d"})),
            (ids["m"], "metadata_store", "sqlite", "default", json.dumps({"uri": "/d/m.db"})),
            (ids["mine"], "artifact_store", "local", "mine", '{"path": "/m"}')]  # fmt: skip
    if user_version >= 3:
        rows.append((ids["s"], "secrets_manager", "local", "default", "{}"))
    for statement in LEGACY_SQL:
        conn.execute(statement)
    if user_version >= 3:
        conn.execute("CREATE INDEX ix_components_type ON stack_components (type, name)")
    for row in rows:
        conn.execute("INSERT INTO stack_components VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, ts, ts))
    conn.execute("INSERT INTO stacks VALUES (?, 'default', ?, ?)", (ids["stack"], ts, ts))
    members = [("orchestrator", ids["o"]), ("artifact_store", ids["a"]),
               ("metadata_store", ids["m"])]  # fmt: skip
    if user_version >= 3:
        members.append(("secrets_manager", ids["s"]))
    for ctype, cid in members:
        conn.execute("INSERT INTO stack_memberships VALUES (?, ?, ?)", (ids["stack"], ctype, cid))
    conn.execute("INSERT INTO settings VALUES ('active_stack', 'default')")
    conn.execute("INSERT INTO flavors VALUES ('artifact_store', 'custom', 'pkg:Cls', ?)", (ts,))
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()
    return ids


def test_a_registry_from_before_alembic_is_upgraded_with_its_data(tmp_path: Path) -> None:
    for user_version in (2, 3):
        path = tmp_path / f"legacy{user_version}.db"
        ids = _legacy_registry(path, user_version)
        with SQLiteRegistryStore(path, tmp_path / "stores") as store:
            assert store.schema_version == SCHEMA_VERSION
            assert store.get_active_stack_name() == "default"
            mine = store.get_component(T.ARTIFACT_STORE, "mine")
            assert (mine.uuid, mine.config, mine.version) == (ids["mine"], {"path": "/m"}, 1)
            default = store.get_stack("default")
            assert default.components[T.SECRETS_MANAGER] == "default"  # revision 3's data
            assert default.components[T.ARTIFACT_STORE] == "default"
            assert [f.name for f in store.list_flavors()] == ["custom"]
            store.update_component(T.ARTIFACT_STORE, "mine", {"path": "/n"})
            assert store.get_component(T.ARTIFACT_STORE, "mine").version == 2
        assert VERSION_TABLE in tables(path)


def test_database_of_revision_1_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    with SQLiteRegistryStore(path, tmp_path / "stores", upto=1) as old:
        assert old.schema_version == 1
        assert "flavors" not in tables(path)
    with sqlite3.connect(path) as conn:  # what Cairn at revision 1 wrote
        (default_path,) = conn.execute(
            "SELECT config FROM stack_components WHERE type = 'artifact_store'"
        ).fetchone()
        ts, mine, kept = time.time(), str(uuid.uuid4()), str(uuid.uuid4())
        conn.execute("INSERT INTO stack_components VALUES (?, 'artifact_store', 'local', 'mine', "
                     "?, ?, ?)", (mine, json.dumps({"path": "/m"}), ts, ts))  # fmt: skip
        conn.execute("INSERT INTO stacks VALUES (?, 'kept', ?, ?)", (kept, ts, ts))
        conn.execute("INSERT INTO stack_memberships SELECT ?, type, component_uuid FROM "
                     "stack_memberships WHERE type != 'artifact_store'", (kept,))  # fmt: skip
        conn.execute("INSERT INTO stack_memberships VALUES (?, 'artifact_store', ?)", (kept, mine))
        conn.execute("UPDATE settings SET value = 'kept' WHERE key = 'active_stack'")

    with SQLiteRegistryStore(path, tmp_path / "elsewhere") as new:
        assert new.schema_version == SCHEMA_VERSION
        assert "flavors" in tables(path)
        assert new.get_active_stack_name() == "kept"
        assert new.get_stack("kept").components[T.ARTIFACT_STORE] == "mine"
        assert new.get_component(T.ARTIFACT_STORE, "mine").config == {"path": "/m"}
        default = new.get_component(T.ARTIFACT_STORE, "default").config
        assert default == json.loads(default_path)
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
