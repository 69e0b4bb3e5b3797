"""The registry store: stacks, stack components, custom flavors and the active stack.

:class:`RegistryStore` is the narrow interface callers depend on;
:class:`SQLiteRegistryStore` implements it with the standard library's
``sqlite3`` (a few milliseconds to import, unlike SQLAlchemy), so that read-only
CLI commands stay fast. A shared PostgreSQL or MySQL registry is another class
implementing the same protocol.

Writes run in ``BEGIN IMMEDIATE`` transactions with a busy timeout, so
concurrent CLI processes serialise instead of losing updates; a failed write
rolls back and leaves the store as it was. The schema is versioned with
``PRAGMA user_version`` and upgraded automatically when a database is opened
(see :mod:`cairn.store.registry_schema`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid as uuid_lib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote

from cairn.enums import StackComponentType
from cairn.exceptions import (
    ConcurrentUpdateError,
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    IllegalOperationError,
    StoreError,
    StoreSchemaError,
)
from cairn.store.records import ComponentRecord, FlavorRecord, StackRecord
from cairn.store.registry_schema import (
    ACTIVE_STACK_KEY,
    DEFAULT_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    default_stack_components,
    insert_component,
    migrate,
    now,
)

__all__ = [
    "DEFAULT_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "RegistryStore",
    "SQLiteRegistryStore",
    "default_stack_components",
]

_BUSY_TIMEOUT_S = 30.0


class RegistryStore(Protocol):
    """What the rest of Cairn needs from a registry of stacks and components.

    Every write is atomic: it either fully happens or raises and changes nothing.
    """

    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]: ...
    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord: ...
    def create_component(self, record: ComponentRecord) -> None: ...
    def update_component(
        self,
        type: StackComponentType,
        name: str,
        config: dict[str, Any],
        *,
        expected_config: dict[str, Any] | None = None,
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


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (a read-only mount says no, even to root)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _unreadable(path: Path, exc: BaseException) -> StoreSchemaError:
    if path.is_file():
        try:
            with path.open("rb") as handle:
                healthy = handle.read(16) == b"SQLite format 3\x00"
        except OSError:
            healthy = False
        if healthy:  # a healthy database: never advise moving it
            return StoreSchemaError(
                f"The registry database {path} cannot be opened ({exc}): check that its "
                "folder and files can be read (and written, to change anything)."
            )
    return StoreSchemaError(
        f"The registry database {path} cannot be read ({exc}): move it aside or set "
        f"CAIRN_CONFIG_DIR to another folder."
    )


def _too_new(path: Path, version: int) -> StoreSchemaError:
    return StoreSchemaError(
        f"The registry database {path} has schema revision {version}, newer than this "
        f"Cairn understands ({SCHEMA_VERSION}): upgrade Cairn (pip install -U cairn)."
    )


def _check_name(kind: str, name: str) -> None:
    """Names are non-empty, without surrounding spaces or control characters."""
    if not name or name != name.strip() or not name.isprintable():
        raise ConfigurationError(
            f"Invalid {kind} name {name!r}: use a non-empty name without surrounding spaces "
            f"or control characters."
        )


def _restrict_permissions(path: Path) -> None:
    """Only the owner may read the registry: it holds component secrets."""
    try:
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # not ours to change (shared registry): leave it as it is
        pass


class SQLiteRegistryStore:
    """Registry store in a SQLite file.

    Args:
        path: the database file (created with the ``default`` stack if missing).
        local_stores: folder under which the default stack keeps its data.
        upto: apply migrations only up to this revision (tests of upgrades).

    Raises:
        StoreSchemaError: the file is not a registry this Cairn can read.
        StoreError: the file or its folder cannot be opened or written.
    """

    def __init__(self, path: Path, local_stores: Path, upto: int = SCHEMA_VERSION) -> None:
        self.path = path
        self._local_stores = local_stores
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder of the registry {path}: {exc}") from exc
        self.read_only = False
        try:
            self._conn = sqlite3.connect(str(path), timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            _restrict_permissions(path)
            self._open(upto)
        except (sqlite3.Error, StoreSchemaError) as exc:
            cause = exc if isinstance(exc, sqlite3.Error) else exc.__cause__
            if not isinstance(cause, sqlite3.Error):
                self._conn.close()
                raise
            if not (path.is_file() and not _writable(path.parent)):
                raise _unreadable(path, cause) from cause
            self._open_read_only(cause)
        except BaseException:
            self._conn.close()
            raise

    def _open_read_only(self, cause: BaseException) -> None:
        """Open a registry whose folder cannot be written: reading works, writing says why."""
        with contextlib.suppress(Exception):
            self._conn.close()
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                uri = f"file:{quote(str(self.path))}?{query}"
                self._conn = sqlite3.connect(uri, uri=True, isolation_level=None)
                self._conn.execute("PRAGMA user_version").fetchone()
                break
            except sqlite3.Error:
                continue
        else:
            raise _unreadable(self.path, cause) from cause
        self.read_only = True
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _too_new(self.path, version)
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"The registry {self.path} needs an upgrade, but its folder cannot be written: "
                "run Cairn once where it is writable."
            )

    def _open(self, upto: int) -> None:
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            # replaced values (secrets moved out of old registries) are overwritten, not left
            self._conn.execute("PRAGMA secure_delete = ON")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from exc
        if version > SCHEMA_VERSION:
            raise _too_new(self.path, version)
        if version < upto:
            self._migrate(upto)

    def _migrate(self, upto: int) -> None:
        try:
            if self._conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from exc
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:  # a newer Cairn upgraded it meanwhile
                raise _too_new(self.path, version)
            if version < upto:  # another process may have migrated meanwhile
                migrate(conn, version, upto, self._local_stores)

    # ------------------------------------------------------------ plumbing
    @property
    def schema_version(self) -> int:
        """The schema revision of the open database."""
        return int(self._query("PRAGMA user_version")[0][0])

    def scrub(self) -> None:
        """Fold the write-ahead log into the database and empty it (no old page stays)."""
        # busy (another reader holds the log): it is folded in later
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __del__(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            # (collected in another thread than the one it was made in: cannot close there)
            with suppress(sqlite3.ProgrammingError):
                conn.close()

    def __enter__(self) -> SQLiteRegistryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read; a damaged database becomes a :class:`StoreError`."""
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(
                f"Cannot read the registry database {self.path}: {exc}. Move it aside or set "
                f"CAIRN_CONFIG_DIR to another folder."
            ) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE), rolled back on any error.

        Errors of sqlite itself become :class:`StoreError`; Cairn errors raised by the
        body (duplicate name, ...) pass through after the rollback.
        """
        if self.read_only:
            raise StoreError(
                f"The registry {self.path} is read-only here (its folder cannot be written): "
                "nothing was changed; set CAIRN_CONFIG_DIR to a writable folder to make changes."
            )
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"The registry database {self.path} is busy or locked: {exc}") from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(
                    f"Writing to the registry database {self.path} failed: {exc}. "
                    f"Nothing was changed."
                ) from exc
            raise

    @staticmethod
    def _component_from_row(row: tuple[Any, ...]) -> ComponentRecord:
        return ComponentRecord(
            uuid=row[0], type=StackComponentType(row[1]), flavor=row[2], name=row[3],
            config=json.loads(row[4]), created=row[5], updated=row[6],
        )  # fmt: skip

    # ------------------------------------------------------------ components
    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]:
        """Every component, or those of one type, ordered by type and name."""
        sql = "SELECT * FROM stack_components"
        args: tuple[Any, ...] = ()
        if type is not None:
            sql, args = sql + " WHERE type = ?", (type.value,)
        rows = self._query(sql + " ORDER BY type, name", args)
        return [self._component_from_row(r) for r in rows]

    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord:
        """The component ``name`` of ``type``; :class:`DoesNotExistError` lists those that exist."""
        rows = self._query(
            "SELECT * FROM stack_components WHERE type = ? AND name = ?", (type.value, name)
        )
        if not rows:
            known = [c.name for c in self.list_components(type)]
            hint = f" Registered: {', '.join(known)}." if known else ""
            raise DoesNotExistError(
                f"No {type.cli_name} named '{name}'.{hint} See 'cairn {type.cli_name} list'."
            )
        return self._component_from_row(rows[0])

    def create_component(self, record: ComponentRecord) -> None:
        """Insert a component; :class:`EntityExistsError` when its name is taken."""
        _check_name(record.type.cli_name, record.name)
        with self._write() as conn:
            try:
                insert_component(conn, record)
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A {record.type.cli_name} named '{record.name}' already exists: choose "
                    f"another name or delete it first with "
                    f"'cairn {record.type.cli_name} delete {record.name}'."
                ) from exc

    def update_component(
        self,
        type: StackComponentType,
        name: str,
        config: dict[str, Any],
        *,
        expected_config: dict[str, Any] | None = None,
    ) -> ComponentRecord:
        """Replace a component's configuration.

        Args:
            expected_config: when given, the update happens only if the stored
                configuration still equals it (compare and swap), else
                :class:`ConcurrentUpdateError` is raised and nothing changes.
        """
        with self._write() as conn:
            current = self.get_component(type, name)
            if expected_config is not None and current.config != expected_config:
                raise ConcurrentUpdateError(
                    f"The {type.cli_name} '{name}' was changed by another process meanwhile: "
                    f"run the command again."
                )
            conn.execute(
                "UPDATE stack_components SET config = ?, updated = ? WHERE uuid = ?",
                (json.dumps(config, sort_keys=True), now(), current.uuid),
            )
        return self.get_component(type, name)

    def rename_component(self, type: StackComponentType, name: str, new_name: str) -> None:
        """Rename a component; stacks keep it (they refer to it by uuid)."""
        _check_name(type.cli_name, new_name)
        with self._write() as conn:
            current = self.get_component(type, name)
            try:
                conn.execute(
                    "UPDATE stack_components SET name = ?, updated = ? WHERE uuid = ?",
                    (new_name, now(), current.uuid),
                )
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A {type.cli_name} named '{new_name}' already exists."
                ) from exc

    def stacks_using(self, type: StackComponentType, name: str) -> list[str]:
        """Names of the stacks that contain the component, sorted."""
        rows = self._query(
            "SELECT s.name FROM stacks s JOIN stack_memberships m ON m.stack_uuid = s.uuid "
            "JOIN stack_components c ON c.uuid = m.component_uuid "
            "WHERE c.type = ? AND c.name = ? ORDER BY s.name",
            (type.value, name),
        )
        return [r[0] for r in rows]

    def delete_component(self, type: StackComponentType, name: str) -> None:
        """Delete a component; refused while a stack uses it (the stacks are named)."""
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
    def _stacks(self, name: str | None = None) -> list[StackRecord]:
        where, args = ("WHERE s.name = ? ", (name,)) if name is not None else ("", ())
        rows = self._query(
            "SELECT s.uuid, s.name, s.created, s.updated, m.type, c.name FROM stacks s "
            "LEFT JOIN stack_memberships m ON m.stack_uuid = s.uuid "
            f"LEFT JOIN stack_components c ON c.uuid = m.component_uuid {where}ORDER BY s.name",
            args,
        )
        stacks: dict[str, StackRecord] = {}
        for uuid, sname, created, updated, ctype, cname in rows:
            record = stacks.setdefault(sname, StackRecord(uuid, sname, {}, created, updated))
            if ctype is not None:
                record.components[StackComponentType(ctype)] = cname
        return list(stacks.values())

    def list_stacks(self) -> list[StackRecord]:
        """Every stack, sorted by name."""
        return self._stacks()

    def get_stack(self, name: str) -> StackRecord:
        """The stack ``name``; :class:`DoesNotExistError` lists those that exist."""
        found = self._stacks(name)
        if found:
            return found[0]
        known = ", ".join(s.name for s in self.list_stacks()) or "none"
        raise DoesNotExistError(
            f"No stack named '{name}'. Registered stacks: {known} (see 'cairn stack list')."
        )

    def _component_uuids(
        self, components: Mapping[StackComponentType, str]
    ) -> dict[StackComponentType, str]:
        return {t: self.get_component(t, n).uuid for t, n in components.items()}

    def create_stack(self, name: str, components: Mapping[StackComponentType, str]) -> None:
        """Insert a stack of existing components (by name, keyed by type)."""
        _check_name("stack", name)
        with self._write() as conn:
            uuids = self._component_uuids(components)
            ts, stack_id = now(), str(uuid_lib.uuid4())
            try:
                conn.execute("INSERT INTO stacks VALUES (?, ?, ?, ?)", (stack_id, name, ts, ts))
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
        """Set (replace) components of some types and remove those of others."""
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
            conn.execute("UPDATE stacks SET updated = ? WHERE uuid = ?", (now(), stack.uuid))
        return self.get_stack(name)

    def rename_stack(self, name: str, new_name: str) -> None:
        """Rename a stack (the global active stack follows)."""
        _check_name("stack", new_name)
        with self._write() as conn:
            stack = self.get_stack(name)
            try:
                conn.execute("UPDATE stacks SET name = ? WHERE uuid = ?", (new_name, stack.uuid))
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(f"A stack named '{new_name}' already exists.") from exc
            if self._setting(ACTIVE_STACK_KEY) == name:
                conn.execute(
                    "UPDATE settings SET value = ? WHERE key = ?", (new_name, ACTIVE_STACK_KEY)
                )

    def delete_stack(self, name: str) -> None:
        """Delete a stack (not its components); refused for the active stack."""
        with self._write() as conn:
            stack = self.get_stack(name)
            if self._setting(ACTIVE_STACK_KEY) == name:
                raise IllegalOperationError(
                    f"Stack '{name}' is the active stack: activate another one first "
                    f"('cairn stack set OTHER')."
                )
            conn.execute("DELETE FROM stacks WHERE uuid = ?", (stack.uuid,))

    # ------------------------------------------------------------ settings
    def _setting(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return None if not rows else rows[0][0]

    def get_active_stack_name(self) -> str | None:
        """The globally active stack, if one is set."""
        return self._setting(ACTIVE_STACK_KEY)

    def set_active_stack_name(self, name: str) -> None:
        """Make the existing stack ``name`` the globally active one."""
        with self._write() as conn:
            self.get_stack(name)
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (ACTIVE_STACK_KEY, name))

    # ------------------------------------------------------------ flavors
    def list_flavors(self, type: StackComponentType | None = None) -> list[FlavorRecord]:
        """Custom flavors, or those of one type, ordered by type and name."""
        sql = "SELECT type, name, source, created FROM flavors"
        args: tuple[Any, ...] = ()
        if type is not None:
            sql, args = sql + " WHERE type = ?", (type.value,)
        rows = self._query(sql + " ORDER BY type, name", args)
        return [FlavorRecord(StackComponentType(r[0]), r[1], r[2], r[3]) for r in rows]

    def register_flavor(self, record: FlavorRecord, overwrite: bool = False) -> None:
        """Store a custom flavor; a taken name needs ``overwrite``."""
        verb = "INSERT OR REPLACE" if overwrite else "INSERT"
        with self._write() as conn:
            try:
                conn.execute(
                    f"{verb} INTO flavors VALUES (?, ?, ?, ?)",
                    (record.type.value, record.name, record.source, record.created or now()),
                )
            except sqlite3.IntegrityError as exc:
                raise EntityExistsError(
                    f"A custom {record.type.cli_name} flavor named '{record.name}' is already "
                    f"registered: pass --overwrite to replace it."
                ) from exc

    def delete_flavor(self, type: StackComponentType, name: str) -> None:
        """Forget a custom flavor."""
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM flavors WHERE type = ? AND name = ?", (type.value, name)
            )
            if cursor.rowcount == 0:
                raise DoesNotExistError(f"No custom {type.cli_name} flavor named '{name}'.")
