"""The registry store: stacks, stack components, custom flavors and the active stack.

:class:`RegistryStore` is the narrow interface callers depend on. Its operations
are written once (:class:`~cairn.store.registry_logic.RegistryOperations`) over
named statements; :class:`SQLiteRegistryStore` runs their SQL, generated from the
SQLAlchemy table definitions into :mod:`cairn.store.registry_sql`, with the
standard library's ``sqlite3`` (a few milliseconds to import, unlike SQLAlchemy),
so that read-only CLI commands stay fast. A shared PostgreSQL or MySQL registry
(:mod:`cairn.store.server_registry_store`) runs the same statements through
SQLAlchemy.

Writes run in ``BEGIN IMMEDIATE`` transactions with a busy timeout, so
concurrent CLI processes serialise instead of losing updates; a failed write
rolls back and leaves the store as it was. A fresh registry is created at the
newest revision from the generated SQL; an older one (its revision in
``PRAGMA user_version``) is upgraded by the Alembic history shared with the
servers (:mod:`cairn.store.registry_migrate`), loaded only then.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote

from cairn.enums import StackComponentType
from cairn.exceptions import (
    StoreError,
    StoreSchemaError,
)
from cairn.store.records import ComponentRecord, FlavorRecord, StackRecord
from cairn.store.registry_logic import Duplicate, RegistryOperations
from cairn.store.registry_schema import (
    ACTIVE_STACK_KEY,
    DEFAULT_NAME,
    SCHEMA_VERSION,
    default_stack_components,
)
from cairn.store.registry_sql import CREATE, SQL

__all__ = [
    "DEFAULT_NAME",
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
        *,
        expected_version: int | None = None,
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


def _restrict_permissions(path: Path) -> None:
    """Only the owner may read the registry: it holds component secrets."""
    try:
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # not ours to change (shared registry): leave it as it is
        pass


class SQLiteRegistryStore(RegistryOperations):
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
        self._active: sqlite3.Connection | None = None
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
        if upto == SCHEMA_VERSION:
            with self._write() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:  # a newer Cairn upgraded it meanwhile
                    raise _too_new(self.path, version)
                if version >= upto:  # another process migrated it meanwhile
                    return
                if version == 0:  # fresh: the generated SQL, no SQLAlchemy
                    for statement in CREATE:
                        conn.execute(statement)
                    self._seed_local(self._local_stores, SCHEMA_VERSION)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
                    return
        self._upgrade(upto)

    def _upgrade(self, upto: int) -> None:
        """Alembic's upgrade of an older (or, for tests, a partial) registry."""
        from sqlalchemy.exc import SQLAlchemyError

        from cairn.store.registry_migrate import REVISIONS, sqlite_engine, upgrade

        engine = sqlite_engine(self.path)
        try:
            with engine.begin() as conn:  # BEGIN IMMEDIATE: one process migrates
                version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
                if version > SCHEMA_VERSION:
                    raise _too_new(self.path, version)
                if version >= upto:
                    return
                upgrade(conn, REVISIONS[upto - 1], legacy_version=version)
                if version == 0:
                    self._active = conn.connection.driver_connection
                    try:
                        self._seed_local(self._local_stores, upto)
                    finally:
                        self._active = None
                conn.exec_driver_sql(f"PRAGMA user_version = {upto:d}")
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot upgrade the registry database {self.path}: {exc}") from exc
        finally:
            engine.dispose()

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

    def _query(self, sql: str, args: Any = ()) -> list[tuple[Any, ...]]:
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
            if isinstance(exc, sqlite3.Error | Duplicate):  # (a clash no caller expected)
                raise StoreError(
                    f"Writing to the registry database {self.path} failed: {exc}. "
                    f"Nothing was changed."
                ) from exc
            raise

    def remember_active_stack(self, name: str) -> None:
        """Record ``name`` as this user's active stack without looking it up here (it may
        live in a shared registry)."""
        with self._write():
            self._put_setting(ACTIVE_STACK_KEY, name)

    # ------------------------------------------------------------ primitives
    def _rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self._active is not None:
            return self._active.execute(SQL[name], params or {}).fetchall()
        return self._query(SQL[name], params or {})

    def _exec(self, name: str, params: Mapping[str, Any]) -> int:
        conn = self._active if self._active is not None else self._conn
        try:
            return conn.execute(SQL[name], params).rowcount
        except sqlite3.IntegrityError as exc:
            raise Duplicate(str(exc)) from exc
