"""A registry shared by a team, in a PostgreSQL or MySQL/MariaDB database.

:class:`ServerRegistryStore` runs the registry's statements
(:mod:`cairn.store.registry_statements`) through SQLAlchemy on the same tables
and the same Alembic history as the local SQLite registry; the first connection
of a process upgrades the schema under a server-side lock, so machines running
different Cairn versions migrate once. :class:`TeamRegistryStore` is what a user
connected to a shared registry works with: the shared stacks, components and
flavors, plus what stays on the user's machine (the active stack, the ``default``
stack and its components with their machine-local paths, and the ``default``
``local`` secrets manager), kept in the local SQLite registry.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from cairn.enums import StackComponentType
from cairn.exceptions import ConfigurationError, IllegalOperationError, StoreError, StoreSchemaError
from cairn.store.records import ComponentRecord, FlavorRecord, StackRecord
from cairn.store.registry_logic import Duplicate, RegistryOperations
from cairn.store.registry_schema import DEFAULT_NAME
from cairn.store.registry_store import SQLiteRegistryStore


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return text.split(" (Background on this error", 1)[0].strip() or type(orig).__name__


def _driver_settings(url: str) -> tuple[str, dict[str, Any]]:
    """The backend (``postgresql`` or ``mysql``) and the driver's connect arguments of ``url``."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    backend = "postgresql" if parts.scheme.startswith("postgres") else "mysql"
    query = dict(parse_qsl(parts.query))
    args: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "user": unquote(parts.username or ""),
        "connect_timeout": int(query.pop("connect_timeout", "10")),
    }
    if parts.password is not None:
        args["password"] = unquote(parts.password)
    if parts.port:
        args["port"] = parts.port
    database = unquote(parts.path.lstrip("/"))
    if backend == "postgresql":
        args["dbname"] = database
        args.update(query)  # libpq options (sslmode, sslrootcert, ...)
    else:
        args["database"] = database
        args["charset"] = query.pop("charset", "utf8mb4")
    return backend, args


class ServerRegistryStore(RegistryOperations):
    """Registry tables in a database on a server.

    Reads and writes run the statements' SQL generated for the server
    (:data:`cairn.store.registry_sql.SERVER_SQL`) straight through its driver
    (psycopg 3, PyMySQL), one connection per thread in autocommit mode, writes
    in explicit transactions; SQLAlchemy and Alembic are loaded only to create
    or upgrade the schema, under a server-side lock.

    Args:
        url: a SQLAlchemy URL (``postgresql+psycopg://...``, ``mysql+pymysql://...``).
        shown: the URL as messages show it (password masked).

    Raises:
        StoreError: the server cannot be reached or refused the connection
            (one line naming it, without the password).
        StoreSchemaError: the database has a revision newer than this Cairn.
    """

    def __init__(self, url: str, shown: str | None = None) -> None:
        from cairn.store.registry_sql import SERVER_SQL

        self.url = url
        self.where = shown or url.split("@")[-1]
        self.backend, self._connect_args = _driver_settings(url)
        self._sql = SERVER_SQL[self.backend]
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        try:
            self._ensure_schema()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ driver
    def _driver_module(self) -> Any:
        import importlib

        return importlib.import_module("psycopg" if self.backend == "postgresql" else "pymysql")

    def _connection(self) -> Any:
        conn = getattr(self._local, "driver", None)
        if conn is not None:
            return conn
        driver = self._driver_module()
        try:
            conn = driver.connect(**self._connect_args, autocommit=True)
        except driver.Error as exc:
            raise StoreError(
                f"Cannot use the shared registry at {self.where}: {_first_line(exc)} (check the "
                f"URL, the server and the user's rights; 'cairn registry status')."
            ) from exc
        self._local.driver = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    def _cursor(self, sql: str, params: Mapping[str, Any]) -> Any:
        cursor = self._connection().cursor()
        cursor.execute(sql, dict(params))
        return cursor

    def _ensure_schema(self) -> None:
        from cairn.store.registry_migrate import REVISIONS, VERSION_TABLE

        driver = self._driver_module()
        try:
            rows = self._cursor(f"SELECT version_num FROM {VERSION_TABLE}", {}).fetchall()
            revision = str(rows[0][0]) if rows else None
        except driver.Error:  # no version table yet: a new registry
            revision = None
        self._check_known(revision)
        if revision != REVISIONS[-1]:
            self._migrate()

    def _migrate(self) -> None:
        """Create or upgrade the tables (SQLAlchemy and Alembic, only now)."""
        import sqlalchemy as sa
        from sqlalchemy.exc import SQLAlchemyError

        from cairn.store.registry_migrate import (
            REVISIONS,
            current_revision,
            locked_transaction,
            upgrade,
        )

        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool,
                                  connect_args={"connect_timeout": 10})  # fmt: skip
        try:
            with engine.connect() as conn, locked_transaction(conn):
                revision = current_revision(conn)
                self._check_known(revision)
                if revision != REVISIONS[-1]:
                    upgrade(conn, "head")
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot use the shared registry at {self.where}: {_first_line(exc)} (check the "
                f"URL, the server and the user's rights; 'cairn registry status')."
            ) from exc
        finally:
            engine.dispose()

    def _check_known(self, revision: str | None) -> None:
        from cairn.store.registry_migrate import REVISIONS

        if revision is not None and revision not in REVISIONS:
            raise StoreSchemaError(
                f"The shared registry at {self.where} has schema revision {revision!r}, newer "
                f"than this Cairn understands: upgrade Cairn (pip install -U cairn)."
            )

    # ------------------------------------------------------------ primitives
    @property
    def schema_version(self) -> str | None:
        """The Alembic revision of the shared database."""
        from cairn.store.registry_migrate import VERSION_TABLE

        rows = self._cursor(f"SELECT version_num FROM {VERSION_TABLE}", {}).fetchall()
        return str(rows[0][0]) if rows else None

    def _rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        driver = self._driver_module()
        try:
            return [tuple(r) for r in self._cursor(self._sql[name], params or {}).fetchall()]
        except driver.Error as exc:
            raise StoreError(
                f"Cannot read the shared registry at {self.where}: {_first_line(exc)}."
            ) from exc

    def _exec(self, name: str, params: Mapping[str, Any]) -> int:
        driver = self._driver_module()
        try:
            return int(self._cursor(self._sql[name], params).rowcount)
        except driver.IntegrityError as exc:
            raise Duplicate(_first_line(exc)) from exc

    @contextmanager
    def _write(self) -> Iterator[Any]:
        if getattr(self._local, "writing", False):
            yield self._connection()
            return
        driver = self._driver_module()
        conn = self._connection()
        try:
            conn.cursor().execute("BEGIN")
            self._local.writing = True
            try:
                yield conn
            finally:
                self._local.writing = False
            conn.cursor().execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(driver.Error):
                conn.cursor().execute("ROLLBACK")
            if isinstance(exc, driver.Error | Duplicate):
                cause = exc.__cause__ if isinstance(exc, Duplicate) else exc
                raise StoreError(
                    f"Writing to the shared registry at {self.where} failed: "
                    f"{_first_line(cause or exc)}. Nothing was changed."
                ) from exc
            raise

    def close(self) -> None:
        """Close this store's connections (those of every thread)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(Exception):
                conn.close()

    def __del__(self) -> None:
        # a registry dropped without close(): no connection left open
        if getattr(self, "_connections", None):
            self.close()


def _is_local(name: str) -> bool:
    return name == DEFAULT_NAME


class TeamRegistryStore:
    """A shared registry seen from one user's machine.

    Stacks, components and custom flavors are the shared ones, except what is
    named ``default`` (the ``default`` stack and its components, whose paths are
    this machine's, and the ``default`` local secrets manager): those stay in
    the user's local registry, as does the active stack. A shared stack can only
    use shared components.
    """

    def __init__(self, local: SQLiteRegistryStore, shared: ServerRegistryStore) -> None:
        self.local = local
        self.shared = shared
        self.where = shared.where

    def _of(self, name: str) -> RegistryOperations:
        return self.local if _is_local(name) else self.shared

    # ------------------------------------------------------------ components
    def list_components(self, type: StackComponentType | None = None) -> list[ComponentRecord]:
        mine = [c for c in self.local.list_components(type) if _is_local(c.name)]
        return sorted(mine + self.shared.list_components(type), key=lambda c: (c.type, c.name))

    def get_component(self, type: StackComponentType, name: str) -> ComponentRecord:
        return self._of(name).get_component(type, name)

    def create_component(self, record: ComponentRecord) -> None:
        self._of(record.name).create_component(record)

    def update_component(
        self,
        type: StackComponentType,
        name: str,
        config: dict[str, Any],
        *,
        expected_config: dict[str, Any] | None = None,
    ) -> ComponentRecord:
        return self._of(name).update_component(type, name, config, expected_config=expected_config)

    def rename_component(self, type: StackComponentType, name: str, new_name: str) -> None:
        if _is_local(name) != _is_local(new_name):
            raise IllegalOperationError(
                f"'{DEFAULT_NAME}' components stay on this machine and others are shared: "
                f"'{name}' cannot become '{new_name}'; register a new component instead."
            )
        self._of(name).rename_component(type, name, new_name)

    def delete_component(self, type: StackComponentType, name: str) -> None:
        self._of(name).delete_component(type, name)

    def stacks_using(self, type: StackComponentType, name: str) -> list[str]:
        return self._of(name).stacks_using(type, name)

    # ------------------------------------------------------------ stacks
    def list_stacks(self) -> list[StackRecord]:
        mine = [s for s in self.local.list_stacks() if _is_local(s.name)]
        return sorted(mine + self.shared.list_stacks(), key=lambda s: s.name)

    def get_stack(self, name: str) -> StackRecord:
        return self._of(name).get_stack(name)

    def _check_shared_members(
        self, name: str, components: Mapping[StackComponentType, str]
    ) -> None:
        if _is_local(name):
            return
        local = sorted(t.cli_name for t, n in components.items() if _is_local(n))
        if local:
            raise ConfigurationError(
                f"The shared stack '{name}' cannot use the '{DEFAULT_NAME}' {', '.join(local)}: "
                f"they are this machine's. Register shared ones ('cairn <type> register') and "
                f"use those."
            )

    def create_stack(self, name: str, components: Mapping[StackComponentType, str]) -> None:
        self._check_shared_members(name, components)
        self._of(name).create_stack(name, components)

    def update_stack(
        self,
        name: str,
        set_components: Mapping[StackComponentType, str],
        remove_types: set[StackComponentType] | None = None,
        *,
        expected_version: int | None = None,
    ) -> StackRecord:
        self._check_shared_members(name, set_components)
        return self._of(name).update_stack(
            name, set_components, remove_types, expected_version=expected_version
        )

    def rename_stack(self, name: str, new_name: str) -> None:
        if _is_local(name) or _is_local(new_name):
            raise IllegalOperationError(
                f"The '{DEFAULT_NAME}' stack stays on this machine: it cannot be renamed while "
                f"connected to a shared registry."
            )
        self.shared.rename_stack(name, new_name)
        if self.get_active_stack_name() == name:
            self.local.remember_active_stack(new_name)

    def delete_stack(self, name: str) -> None:
        if self.get_active_stack_name() == name:
            raise IllegalOperationError(
                f"Stack '{name}' is the active stack: activate another one first "
                f"('cairn stack set OTHER')."
            )
        self._of(name).delete_stack(name)

    # ------------------------------------------------------------ per user
    def get_active_stack_name(self) -> str | None:
        return self.local.get_active_stack_name()

    def set_active_stack_name(self, name: str) -> None:
        self.get_stack(name)
        self.local.remember_active_stack(name)

    # ------------------------------------------------------------ flavors (shared)
    def list_flavors(self, type: StackComponentType | None = None) -> list[FlavorRecord]:
        return self.shared.list_flavors(type)

    def register_flavor(self, record: FlavorRecord, overwrite: bool = False) -> None:
        self.shared.register_flavor(record, overwrite)

    def delete_flavor(self, type: StackComponentType, name: str) -> None:
        self.shared.delete_flavor(type, name)

    # ------------------------------------------------------------ plumbing
    def is_shared_stack(self, name: str) -> bool:
        """Whether the stack ``name`` lives in the shared registry."""
        return not _is_local(name)

    def close(self) -> None:
        self.local.close()
        self.shared.close()
