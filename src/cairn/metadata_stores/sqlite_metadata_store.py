"""The ``sqlite`` metadata store: run metadata in a SQLite file.

WAL journaling, a busy timeout and ``BEGIN IMMEDIATE`` write transactions let
several processes (parallel steps, concurrent pipelines) record runs in one
file safely; foreign keys are enforced.

It talks to the file through the standard library's ``sqlite3`` (one connection
per thread and process, :mod:`cairn.store.metadata.sqlite_connection`): the
statements of a pipeline run are SQL text generated from the SQLAlchemy tables,
so a run imports neither SQLAlchemy nor Alembic. SQLAlchemy is imported only to
migrate an older database (Alembic) and for the queries the run path does not
use (filtered listings, deletions, models...), which it compiles for SQLite.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

from pydantic import PrivateAttr, field_validator

from cairn.exceptions import ConfigurationError, StoreError
from cairn.metadata_stores.sql_metadata_store import SQLMetadataStore, new_id
from cairn.models.run_records import PipelineRecord
from cairn.stack.stack_component import check_creatable
from cairn.store.metadata.sqlite_connection import SQLiteConnection


class _Connections:
    """This store's ``sqlite3`` connections: one per thread, made again after a fork."""

    __slots__ = ("local", "ready_pid")

    def __init__(self) -> None:
        self.local = threading.local()
        self.ready_pid = -1  # the process that checked the schema

    def __copy__(self) -> _Connections:
        return _Connections()  # a copied store connects on its own

    def __deepcopy__(self, memo: dict[int, Any]) -> _Connections:
        return _Connections()


class SQLiteMetadataStore(SQLMetadataStore):
    """Keeps run metadata in a SQLite database file.

    Attributes:
        uri: path of the SQLite database file (its folder is created on first use).
            A relative path or one starting with ``~`` is made absolute when the
            component is validated (at registration), so the store means the same
            file from any folder.
    """

    FLAVOR: ClassVar[str] = "sqlite"

    uri: str

    _connections: _Connections = PrivateAttr(default_factory=lambda: _Connections())

    @field_validator("uri")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("uri must not be empty")
        if value.startswith("sqlite:"):
            raise ValueError("give the database file's path, not a sqlite: URL")
        return str(Path(value).expanduser().resolve())

    def check_local_paths(self) -> None:
        path = self.database_path
        if path.is_dir():
            raise ConfigurationError(f"The SQLite database {path} is a folder: give a file path.")
        check_creatable(path.parent, "folder of the SQLite database")

    @property
    def database_path(self) -> Path:
        """The database file."""
        return Path(self.uri)

    def connection_url(self) -> str:
        path = self.database_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

    def connection_key(self) -> object:
        return self.uri

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """An exclusive file lock next to the database while migrating."""
        try:
            import fcntl
        except ImportError:  # not POSIX: SQLite's own locking still applies
            yield
            return
        lock_path = self.database_path.with_name(self.database_path.name + ".migrate.lock")
        with open(lock_path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def is_provisioned(self) -> bool:
        return self.database_path.parent.is_dir()

    def provision(self) -> None:
        self.database_path.parent.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------ connections
    def _connection(self) -> SQLiteConnection:
        """This thread's connection (the schema is checked, or migrated, once per process).

        A thread's first use takes the connection this thread of this process left to
        the same database file (another instance of the store, e.g. the stack of an
        earlier run), when the file is still the same one; else it connects anew.
        """
        state, pid = _state(self), os.getpid()
        found = getattr(state.local, "conn", None)
        if found is not None and found[0] == pid:
            return found[1]  # type: ignore[no-any-return]
        path = str(self.database_path)
        conn = _POOL.take(path, pid)
        if conn is None:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                conn = SQLiteConnection(_connect(path))
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot open the metadata store {self}: {exc}") from exc
            if state.ready_pid != pid:
                self._check_schema(conn)
            _POOL.keep(path, pid, conn)
        state.ready_pid = pid  # a pooled connection was made after this process's check
        state.local.conn = (pid, conn)
        state.local.batch = None
        return conn

    def _check_schema(self, conn: SQLiteConnection) -> None:
        """At the schema the statements were made for, or migrated there (Alembic); read on
        the connection just made (a second one, closed at once, would make SQLite
        checkpoint the WAL on close)."""
        from cairn.store.metadata.sqlite_sql import HEAD_REVISION

        try:
            row = conn.raw.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            row = None  # a new database, or no version table yet: migrate
        if row is not None and row[0] == HEAD_REVISION:
            return
        from cairn.store.metadata.engine import dispose_engine

        # SQLAlchemy + Alembic create or upgrade the schema, on connections to the file
        # that is there now (not ones this process kept to a database since deleted).
        dispose_engine(self.connection_url())
        self._state.engine_for(self)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes of this thread into one transaction (see the base class)."""
        local = _state(self).local
        if getattr(local, "batch", None) is not None:
            yield  # nested: the outer batch commits
            return
        with self._write() as conn:
            local.batch = conn
            try:
                yield
            finally:
                local.batch = None

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """This thread's connection in a ``BEGIN IMMEDIATE`` transaction, or the batch's."""
        current = getattr(_state(self).local, "batch", None)
        if current is not None:
            yield current
            return
        conn = self._connection()
        try:
            conn.raw.execute("BEGIN IMMEDIATE")  # writers wait for each other (busy timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot write to the metadata store {self}: {exc}") from exc
        try:
            yield conn
        except BaseException as exc:
            _rollback(conn)
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise StoreError(f"Cannot write to the metadata store {self}: {exc}") from exc
            raise
        try:
            conn.raw.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise StoreError(f"Cannot write to the metadata store {self}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """This thread's connection for reading (the batch's inside a batch)."""
        current = getattr(_state(self).local, "batch", None)
        if current is not None:
            yield current
            return
        try:
            yield self._connection()
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise StoreError(f"Cannot read the metadata store {self}: {exc}") from exc

    def get_or_create_pipeline(self, name: str, spec: dict[str, Any]) -> PipelineRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import dumps, pipeline_record

        now, text = time.time(), dumps(spec)
        with self._write() as conn:  # the writer holds the database lock: no one races this
            found = q.first(q.fetch(conn, "pipeline_by_name", {"value": name}))
            if found is not None and found["spec"] == text:  # as at its last run
                q.execute(conn, "update_by_id:pipelines", {"row_id": found["id"], "updated": now})
                return pipeline_record({**found, "updated": now})
            if found is None:
                values = {"id": new_id(), "name": name, "created": now, "updated": now}
                q.execute(conn, "insert:pipelines", {**values, "spec": text})
            else:
                edit = {"row_id": found["id"], "spec": text, "updated": now}
                q.execute(conn, "update_by_id:pipelines", edit)
            row = q.first(q.fetch(conn, "pipeline_by_name", {"value": name}))
        assert row is not None
        return pipeline_record(row)


def _state(store: SQLiteMetadataStore) -> _Connections:
    """The store's connections (read without pydantic's slower ``__getattr__``)."""
    private = store.__pydantic_private__
    assert private is not None
    return private["_connections"]  # type: ignore[no-any-return]


class _ConnectionPool:
    """Connections of this process, by database file and thread, that store instances reuse.

    Every run builds its stack anew, so without this each run would open (and set up)
    new connections. A connection is reused only by the thread that made it (``sqlite3``
    objects are not shared between live threads here), in the same process, for the
    same file (device and inode: a database deleted and made again is a new file), and
    never in the middle of a transaction. The newest few are kept; one that falls out is
    closed by the garbage collector once no store uses it.
    """

    SIZE = 16

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[str, int], tuple[int, tuple[int, int], SQLiteConnection]]
        self._kept = OrderedDict()

    def forget(self) -> None:
        """In a forked child: the parent's connections and lock are not this process's."""
        self._lock, self._kept = threading.Lock(), OrderedDict()

    def take(self, path: str, pid: int) -> SQLiteConnection | None:
        with self._lock:
            found = self._kept.get((path, threading.get_ident()))
        if found is None or found[0] != pid or found[2].raw.in_transaction:
            return None
        return found[2] if _file_id(path) == found[1] else None

    def keep(self, path: str, pid: int, conn: SQLiteConnection) -> None:
        file_id = _file_id(path)
        if file_id is None:
            return
        key = (path, threading.get_ident())
        with self._lock:
            self._kept[key] = (pid, file_id, conn)
            self._kept.move_to_end(key)
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


_POOL = _ConnectionPool()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL.forget)


def _connect(path: str) -> sqlite3.Connection:
    from cairn.store.metadata.sqlite_connection import connect

    return connect(path)


def _rollback(conn: SQLiteConnection) -> None:
    if conn.raw.in_transaction:
        with suppress(sqlite3.Error):
            conn.raw.execute("ROLLBACK")
