"""The registry store: stacks, stack components, custom flavors and the active stack.

:class:`RegistryStore` is the narrow interface callers depend on;
:class:`SQLiteRegistryStore` implements it with the standard library's
``sqlite3`` (a few milliseconds to import, unlike SQLAlchemy), so that read-only
CLI commands stay fast. Writes run in ``BEGIN IMMEDIATE`` transactions with a
busy timeout, so concurrent CLI processes serialise instead of losing updates.

The schema is versioned with ``PRAGMA user_version``; the SQL files in
``registry_migrations/`` are applied in order when a database is opened.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuid_lib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from cairn.enums import StackComponentType
from cairn.exceptions import (
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
    StoreError,
    StoreSchemaError,
)
from cairn.store.records import ComponentRecord, FlavorRecord, StackRecord

#: Revisions shipped in ``registry_migrations/``, oldest first.
MIGRATIONS: tuple[str, ...] = ("0001_initial.sql", "0002_custom_flavors.sql")
SCHEMA_VERSION = len(MIGRATIONS)
DEFAULT_NAME = "default"
_ACTIVE_STACK_KEY = "active_stack"


class RegistryStore(Protocol):
    """What the rest of Cairn needs from a registry of stacks and components."""

    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]: ...
    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord: ...
    def create_component(self, record: ComponentRecord) -> None: ...
    def update_component(
        self, type: StackComponentType, name: str, config: dict[str, Any]
    ) -> ComponentRecord: ...
    def rename_component(self, type: StackComponentType, name: str, new_name: str) -> None: ...
    def delete_component(self, type: StackComponentType, name: str) -> None: ...
    def stacks_using(self, type: StackComponentType, name: str) -> list[str]: ...
    def list_stacks(self) -> list[StackRecord]: ...
    def get_stack(self, name: str) -> StackRecord: ...
    def create_stack(self, name: str, components: Mapping[StackComponentType, str]) -> None: ...
    def update_stack(
        self,
        name: str,
        set_components: Mapping[StackComponentType, str],
        remove_types: set[StackComponentType] | None = None,
    ) -> StackRecord: ...
    def rename_stack(self, name: str, new_name: str) -> None: ...
    def delete_stack(self, name: str) -> None: ...
    def get_active_stack_name(self) -> str | None: ...
    def set_active_stack_name(self, name: str) -> None: ...
    def list_flavors(self, type: StackComponentType | None = None) -> list[FlavorRecord]: ...
    def register_flavor(self, record: FlavorRecord, overwrite: bool = False) -> None: ...
    def delete_flavor(self, type: StackComponentType, name: str) -> None: ...


def _now() -> float:
    return time.time()


def _migration_sql(filename: str) -> str:
    return (
        resources.files("cairn.store")
        .joinpath("registry_migrations", filename)
        .read_text(encoding="utf-8")
    )


def default_stack_components(root: Path) -> list[ComponentRecord]:
    """The components of the ``default`` stack, their local data under ``root``."""
    store_id = str(uuid_lib.uuid4())
    data = root / store_id
    now = _now()
    return [
        ComponentRecord(str(uuid_lib.uuid4()), StackComponentType.ORCHESTRATOR, "local",
                        DEFAULT_NAME, {}, now, now),
        ComponentRecord(store_id, StackComponentType.ARTIFACT_STORE, "local", DEFAULT_NAME,
                        {"path": str(data)}, now, now),
        ComponentRecord(str(uuid_lib.uuid4()), StackComponentType.METADATA_STORE, "sqlite",
                        DEFAULT_NAME, {"uri": str(data / "metadata.db")}, now, now),
    ]  # fmt: skip


class SQLiteRegistryStore:
    """Registry store in a SQLite file.

    Args:
        path: the database file (created with the ``default`` stack if missing).
        local_stores: folder under which the default stack keeps its data.
        upto: apply migrations only up to this revision (tests of upgrades).
    """

    def __init__(self, path: Path, local_stores: Path, upto: int = SCHEMA_VERSION) -> None:
        self.path = path
        self._local_stores = local_stores
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
            self._conn.execute("PRAGMA foreign_keys = ON")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreSchemaError(
                f"The registry database {path} cannot be read ({exc}). Move it aside or set "
                f"CAIRN_CONFIG_DIR to another folder."
            ) from exc
        if version > SCHEMA_VERSION:
            self._conn.close()
            raise StoreSchemaError(
                f"The registry database {path} has schema revision {version}, newer than this "
                f"Cairn understands ({SCHEMA_VERSION}): upgrade Cairn (pip install -U cairn)."
            )
        if version < upto:
            self._migrate(upto)

    # ------------------------------------------------------------ plumbing
    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: taken at once (BEGIN IMMEDIATE), rolled back on error."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"The registry database {self.path} is busy or locked: {exc}") from exc
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    def _migrate(self, upto: int) -> None:
        if self._conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._conn.execute("PRAGMA journal_mode = WAL")
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:  # another process upgraded meanwhile
                raise StoreSchemaError(f"{self.path} was upgraded by a newer Cairn.")
            for index in range(version, upto):
                for statement in _migration_sql(MIGRATIONS[index]).split(";"):
                    if statement.strip():
                        conn.execute(statement)
                if index == 0:
                    self._insert_default_stack(conn)
            conn.execute(f"PRAGMA user_version = {max(version, upto)}")

    def _insert_default_stack(self, conn: sqlite3.Connection) -> None:
        components = default_stack_components(self._local_stores)
        for record in components:
            self._insert_component(conn, record)
        now = _now()
        stack_id = str(uuid_lib.uuid4())
        conn.execute("INSERT INTO stacks VALUES (?, ?, ?, ?)", (stack_id, DEFAULT_NAME, now, now))
        conn.executemany(
            "INSERT INTO stack_memberships VALUES (?, ?, ?)",
            [(stack_id, c.type.value, c.uuid) for c in components],
        )
        conn.execute(
            "INSERT OR REPLACE INTO settings VALUES (?, ?)", (_ACTIVE_STACK_KEY, DEFAULT_NAME)
        )

    @staticmethod
    def _insert_component(conn: sqlite3.Connection, record: ComponentRecord) -> None:
        try:
            conn.execute(
                "INSERT INTO stack_components VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.uuid, record.type.value, record.flavor, record.name,
                 json.dumps(record.config, sort_keys=True), record.created or _now(),
                 record.updated or _now()),
            )  # fmt: skip
        except sqlite3.IntegrityError as exc:
            raise EntityExistsError(
                f"A {record.type.cli_name} named '{record.name}' already exists: choose another "
                f"name or delete it first with 'cairn {record.type.cli_name} delete {record.name}'."
            ) from exc

    @staticmethod
    def _component_from_row(row: tuple[Any, ...]) -> ComponentRecord:
        return ComponentRecord(
            uuid=row[0], type=StackComponentType(row[1]), flavor=row[2], name=row[3],
            config=json.loads(row[4]), created=row[5], updated=row[6],
        )  # fmt: skip

    # ------------------------------------------------------------ components
    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]:
        sql = "SELECT * FROM stack_components"
        args: tuple[Any, ...] = ()
        if type is not None:
            sql += " WHERE type = ?"
            args = (type.value,)
        rows = self._conn.execute(sql + " ORDER BY type, name", args).fetchall()
        return [self._component_from_row(r) for r in rows]

    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord:
        row = self._conn.execute(
            "SELECT * FROM stack_components WHERE type = ? AND name = ?", (type.value, name)
        ).fetchone()
        if row is None:
            known = [c.name for c in self.list_components(type)]
            hint = f" Registered: {', '.join(known)}." if known else ""
            raise DoesNotExistError(f"No {type.cli_name} named '{name}'.{hint}")
        return self._component_from_row(row)

    def create_component(self, record: ComponentRecord) -> None:
        with self._write() as conn:
            self._insert_component(conn, record)

    def update_component(
        self, type: StackComponentType, name: str, config: dict[str, Any]
    ) -> ComponentRecord:
        with self._write() as conn:
            current = self.get_component(type, name)
            conn.execute(
                "UPDATE stack_components SET config = ?, updated = ? WHERE uuid = ?",
                (json.dumps(config, sort_keys=True), _now(), current.uuid),
            )
        return self.get_component(type, name)

    def rename_component(self, type: StackComponentType, name: str, new_name: str) -> None:
        with self._write() as conn:
            current = self.get_component(type, name)
            try:
                conn.execute(
                    "UPDATE stack_components SET name = ?, updated = ? WHERE uuid = ?",
                    (new_name, _now(), current.uuid),
                )
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A {type.cli_name} named '{new_name}' already exists."
                ) from exc

    def stacks_using(self, type: StackComponentType, name: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT s.name FROM stacks s JOIN stack_memberships m ON m.stack_uuid = s.uuid "
            "JOIN stack_components c ON c.uuid = m.component_uuid "
            "WHERE c.type = ? AND c.name = ? ORDER BY s.name",
            (type.value, name),
        ).fetchall()
        return [r[0] for r in rows]

    def delete_component(self, type: StackComponentType, name: str) -> None:
        with self._write() as conn:
            current = self.get_component(type, name)
            users = self.stacks_using(type, name)
            if users:
                raise IllegalOperationError(
                    f"The {type.cli_name} '{name}' is used by stack(s) {', '.join(users)}: remove "
                    f"it from them (cairn stack remove-component / update) or delete them first."
                )
            conn.execute("DELETE FROM stack_components WHERE uuid = ?", (current.uuid,))

    # ------------------------------------------------------------ stacks
    def list_stacks(self) -> list[StackRecord]:
        rows = self._conn.execute(
            "SELECT s.uuid, s.name, s.created, s.updated, m.type, c.name FROM stacks s "
            "LEFT JOIN stack_memberships m ON m.stack_uuid = s.uuid "
            "LEFT JOIN stack_components c ON c.uuid = m.component_uuid ORDER BY s.name"
        ).fetchall()
        stacks: dict[str, StackRecord] = {}
        for uuid, name, created, updated, ctype, cname in rows:
            record = stacks.setdefault(name, StackRecord(uuid, name, {}, created, updated))
            if ctype is not None:
                record.components[StackComponentType(ctype)] = cname
        return list(stacks.values())

    def get_stack(self, name: str) -> StackRecord:
        for record in self.list_stacks():
            if record.name == name:
                return record
        known = ", ".join(s.name for s in self.list_stacks())
        raise DoesNotExistError(f"No stack named '{name}'. Registered stacks: {known}.")

    def _component_uuids(
        self, components: Mapping[StackComponentType, str]
    ) -> dict[StackComponentType, str]:
        return {t: self.get_component(t, n).uuid for t, n in components.items()}

    def create_stack(self, name: str, components: Mapping[StackComponentType, str]) -> None:
        with self._write() as conn:
            uuids = self._component_uuids(components)
            now, stack_id = _now(), str(uuid_lib.uuid4())
            try:
                conn.execute("INSERT INTO stacks VALUES (?, ?, ?, ?)", (stack_id, name, now, now))
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A stack named '{name}' already exists: choose another name, or change it "
                    f"with 'cairn stack update {name}'."
                ) from exc
            conn.executemany(
                "INSERT INTO stack_memberships VALUES (?, ?, ?)",
                [(stack_id, t.value, u) for t, u in uuids.items()],
            )

    def update_stack(
        self,
        name: str,
        set_components: Mapping[StackComponentType, str],
        remove_types: set[StackComponentType] | None = None,
    ) -> StackRecord:
        with self._write() as conn:
            stack = self.get_stack(name)
            uuids = self._component_uuids(set_components)
            for t in remove_types or set():
                conn.execute(
                    "DELETE FROM stack_memberships WHERE stack_uuid = ? AND type = ?",
                    (stack.uuid, t.value),
                )
            conn.executemany(
                "INSERT OR REPLACE INTO stack_memberships VALUES (?, ?, ?)",
                [(stack.uuid, t.value, u) for t, u in uuids.items()],
            )
            conn.execute("UPDATE stacks SET updated = ? WHERE uuid = ?", (_now(), stack.uuid))
        return self.get_stack(name)

    def rename_stack(self, name: str, new_name: str) -> None:
        with self._write() as conn:
            stack = self.get_stack(name)
            try:
                conn.execute("UPDATE stacks SET name = ? WHERE uuid = ?", (new_name, stack.uuid))
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(f"A stack named '{new_name}' already exists.") from exc
            if self._setting(_ACTIVE_STACK_KEY) == name:
                conn.execute(
                    "UPDATE settings SET value = ? WHERE key = ?", (new_name, _ACTIVE_STACK_KEY)
                )

    def delete_stack(self, name: str) -> None:
        with self._write() as conn:
            stack = self.get_stack(name)
            if self._setting(_ACTIVE_STACK_KEY) == name:
                raise IllegalOperationError(
                    f"Stack '{name}' is the active stack: activate another one first "
                    f"('cairn stack set OTHER')."
                )
            conn.execute("DELETE FROM stacks WHERE uuid = ?", (stack.uuid,))

    # ------------------------------------------------------------ settings
    def _setting(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def get_active_stack_name(self) -> str | None:
        return self._setting(_ACTIVE_STACK_KEY)

    def set_active_stack_name(self, name: str) -> None:
        with self._write() as conn:
            self.get_stack(name)
            conn.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?)", (_ACTIVE_STACK_KEY, name)
            )

    # ------------------------------------------------------------ flavors
    def list_flavors(self, type: StackComponentType | None = None) -> list[FlavorRecord]:
        sql, args = "SELECT type, name, source, created FROM flavors", ()
        if type is not None:
            sql, args = sql + " WHERE type = ?", (type.value,)
        rows = self._conn.execute(sql + " ORDER BY type, name", args).fetchall()
        return [FlavorRecord(StackComponentType(r[0]), r[1], r[2], r[3]) for r in rows]

    def register_flavor(self, record: FlavorRecord, overwrite: bool = False) -> None:
        verb = "INSERT OR REPLACE" if overwrite else "INSERT"
        with self._write() as conn:
            try:
                conn.execute(
                    f"{verb} INTO flavors VALUES (?, ?, ?, ?)",
                    (record.type.value, record.name, record.source, record.created or _now()),
                )
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A custom {record.type.cli_name} flavor named '{record.name}' is already "
                    f"registered: pass --overwrite to replace it."
                ) from exc

    def delete_flavor(self, type: StackComponentType, name: str) -> None:
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM flavors WHERE type = ? AND name = ?", (type.value, name)
            )
            if cursor.rowcount == 0:
                raise DoesNotExistError(f"No custom {type.cli_name} flavor named '{name}'.")
