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


class ServerRegistryStore(RegistryOperations):
    """Registry tables in a database on a server.

    Args:
        url: a SQLAlchemy URL (``postgresql+psycopg://...``, ``mysql+pymysql://...``).
        shown: the URL as messages show it (password masked).

    Raises:
        StoreError: the server cannot be reached or refused the connection
            (one line naming it, without the password).
        StoreSchemaError: the database has a revision newer than this Cairn.
    """

    def __init__(self, url: str, shown: str | None = None) -> None:
        import sqlalchemy as sa

        self.url = url
        self.where = shown or sa.make_url(url).render_as_string(hide_password=True)
        args = {"connect_timeout": 10}
        self._engine = sa.create_engine(url, pool_pre_ping=True, connect_args=args)
        self._local = threading.local()
        try:
            self._migrate()
        except BaseException:
            self._engine.dispose()
            raise

    def _migrate(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from cairn.store.registry_migrate import (
            REVISIONS,
            current_revision,
            locked_transaction,
            upgrade,
        )

        try:
            with self._engine.connect() as conn:
                revision = current_revision(conn)
            self._check_known(revision)
            if revision == REVISIONS[-1]:
                return
            with self._engine.connect() as conn, locked_transaction(conn):
                revision = current_revision(conn)
                self._check_known(revision)
                if revision != REVISIONS[-1]:
                    upgrade(conn, "head")
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot use the shared registry at {self.where}: {_first_line(exc)} (check the "
                f"URL, the server and the user's rights; 'cairn registry status')."
            ) from exc

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
        from cairn.store.registry_migrate import current_revision

        with self._engine.connect() as conn:
            return current_revision(conn)

    def _rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy.exc import SQLAlchemyError

        from cairn.store.registry_statements import statements

        conn = getattr(self._local, "conn", None)
        try:
            if conn is not None:
                return [tuple(r) for r in conn.execute(statements()[name], dict(params or {}))]
            with self._engine.connect() as fresh:
                return [tuple(r) for r in fresh.execute(statements()[name], dict(params or {}))]
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot read the shared registry at {self.where}: {_first_line(exc)}."
            ) from exc

    def _exec(self, name: str, params: Mapping[str, Any]) -> int:
        from sqlalchemy.exc import IntegrityError

        from cairn.store.registry_statements import statements

        try:
            return int(self._local.conn.execute(statements()[name], dict(params)).rowcount)
        except IntegrityError as exc:
            raise Duplicate(_first_line(exc)) from exc

    @contextmanager
    def _write(self) -> Iterator[Any]:
        from sqlalchemy.exc import SQLAlchemyError

        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        try:
            with self._engine.begin() as conn:
                self._local.conn = conn
                try:
                    yield conn
                finally:
                    self._local.conn = None
        except (SQLAlchemyError, Duplicate) as exc:
            cause = exc.__cause__ if isinstance(exc, Duplicate) else exc
            raise StoreError(
                f"Writing to the shared registry at {self.where} failed: "
                f"{_first_line(cause or exc)}. Nothing was changed."
            ) from exc

    def close(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()

    def __del__(self) -> None:
        engine = getattr(self, "_engine", None)
        if engine is not None:  # a registry dropped without close(): no connection left open
            engine.dispose()


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
