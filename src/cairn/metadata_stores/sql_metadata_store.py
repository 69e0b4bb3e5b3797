"""A metadata store in any SQL database SQLAlchemy can reach.

:class:`SQLMetadataStore` implements every method of :class:`BaseMetadataStore`
with portable SQLAlchemy Core queries over the tables of
:mod:`cairn.store.metadata.schema`. A flavor only says how to connect
(:meth:`SQLMetadataStore.connection_url`); SQLite, PostgreSQL and MySQL/MariaDB
share the rest. The schema is migrated (Alembic) on the first connection of
each process.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, ClassVar

from pydantic import PrivateAttr

from cairn.enums import ExecutionStatus
from cairn.exceptions import DoesNotExistError, EntityExistsError, StoreError
from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
from cairn.metadata_stores.sql_catalog import SQLCatalogMixin, models_keep
from cairn.metadata_stores.sql_queries import SQLQueriesMixin
from cairn.models.run_records import PipelineRecord, RunRecord

_FINISHED = tuple(s for s in ExecutionStatus if s.is_finished)


#: ``owner_token`` of a run released by :meth:`SQLMetadataStore.detach_run`.
DETACHED_OWNER = "detached"


def _stack_name(snapshot: dict[str, Any] | None) -> str | None:
    name = (snapshot or {}).get("name")
    return name[:255] if isinstance(name, str) else None


def new_id() -> str:
    """A new UUID string."""
    return str(uuid.uuid4())


class _RuntimeState:
    """Per-store runtime state kept in one private attribute (pydantic private
    attribute access is slow, and the hot paths touch this on every call)."""

    __slots__ = ("engine", "key", "local", "pid")

    def __init__(self) -> None:
        self.engine: Any = None
        self.key: object = None
        self.pid = -1
        self.local = threading.local()

    def __copy__(self) -> _RuntimeState:
        return _RuntimeState()  # a copied store connects on its own

    def __deepcopy__(self, memo: dict[int, Any]) -> _RuntimeState:
        return _RuntimeState()

    def engine_for(self, store: SQLMetadataStore) -> Any:
        """The store's engine in this process, migrating the schema on first use."""
        pid, key = os.getpid(), store.connection_key()
        if self.pid == pid and self.key == key and self.engine is not None:
            return self.engine
        from cairn.store.metadata.engine import get_engine

        engine = get_engine(store.connection_url())
        store._migrate(engine)
        self.engine, self.pid, self.key = engine, pid, key
        return engine


def _replayed_transaction(conn: Any) -> Iterator[Any]:
    """A server transaction replayed after a deadlock (see :mod:`.transaction_retry`)."""
    from cairn.metadata_stores.transaction_retry import ReplayingConnection

    replaying = ReplayingConnection(conn)
    conn.begin()
    try:
        yield replaying
        replaying.commit()
    except BaseException:
        if conn.in_transaction():
            conn.rollback()
        raise


def _insert_in_savepoint(conn: Any, insert: Any) -> None:
    """Insert; on a server, in a savepoint, so that a duplicate leaves the transaction usable."""
    if conn.dialect.name == "sqlite":  # writers are serialised: no one else inserts meanwhile
        conn.execute(insert)
        return
    with conn.begin_nested():
        conn.execute(insert)


def _upsert_by_name(
    dialect: str, table: Any, values: dict[str, Any], update: tuple[str, ...]
) -> Any | None:
    """``INSERT`` of ``values`` that updates the columns ``update`` of the row with that name.

    None on a dialect without an upsert this module knows (the caller then reads first).
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table).values(**values)
        return pg.on_conflict_do_update(
            index_elements=[table.c.name], set_={c: pg.excluded[c] for c in update}
        )
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        my = mysql_insert(table).values(**values)
        return my.on_duplicate_key_update({c: my.inserted[c] for c in update})
    return None


class SQLMetadataStore(SQLQueriesMixin, SQLCatalogMixin, BaseMetadataStore):
    """Base of the SQL flavors: everything but the connection.

    Attributes:
        stale_after: seconds after which a running run owned by a process on
            *another* host, whose heartbeat stopped, is marked failed (None: never).
            Runs owned on this host are checked by pid instead.
    """

    __abstract_component__: ClassVar[bool] = True

    stale_after: float | None = None

    _state: _RuntimeState = PrivateAttr(default_factory=lambda: _RuntimeState())

    # ------------------------------------------------------------ connection
    def connection_url(self) -> str:
        """The SQLAlchemy URL of the database (flavors override this)."""
        raise NotImplementedError(f"{type(self).__qualname__} must define connection_url().")

    def connection_key(self) -> object:
        """A cheap value that changes when the connection URL would (flavors may override)."""
        return self.connection_url()

    def migration_lock(self) -> AbstractContextManager[Any]:
        """Serialises schema migrations between processes (flavors may override)."""
        return nullcontext()

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine (cached per URL and process); the schema is migrated once."""
        return self._state.engine_for(self)

    def _migrate(self, engine: Any) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from cairn.store.metadata.engine import WRITE_OPTION
        from cairn.store.metadata.migrate import upgrade

        try:
            upgrade(
                engine,
                lock=self.migration_lock,
                connect=lambda: engine.connect().execution_options(**{WRITE_OPTION: True}),
            )
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot open the metadata store {self}: {exc}") from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes of this thread into one transaction (see the base class)."""
        local = self._state.local
        if getattr(local, "conn", None) is not None:
            yield  # nested: the outer batch commits
            return
        with self._write() as conn:
            local.conn = conn
            try:
                yield
            finally:
                local.conn = None

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """A connection in a write transaction (committed on success), or the batch's."""
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        from cairn.store.metadata.engine import WRITE_OPTION

        state = self._state
        current = getattr(state.local, "conn", None)
        if current is not None:
            yield current
            return
        try:
            options = {WRITE_OPTION: True}
            engine = state.engine_for(self)
            if engine.dialect.name == "sqlite":  # BEGIN IMMEDIATE: writers wait, never deadlock
                with engine.connect().execution_options(**options) as conn, conn.begin():
                    yield conn
                return
            with engine.connect() as conn:
                yield from _replayed_transaction(conn)
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot write to the metadata store {self}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """A connection for reading (the batch's inside a batch, to see its writes)."""
        from sqlalchemy.exc import SQLAlchemyError

        state = self._state
        current = getattr(state.local, "conn", None)
        if current is not None:
            yield current
            return
        try:
            with state.engine_for(self).connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the metadata store {self}: {exc}") from exc

    # ------------------------------------------------------------ pipelines
    def get_or_create_pipeline(self, name: str, spec: dict[str, Any]) -> PipelineRecord:
        import sqlalchemy as sa

        from cairn.store.metadata.convert import dumps, pipeline_record
        from cairn.store.metadata.named import integrity_errors
        from cairn.store.metadata.schema import pipelines as t

        now = time.time()
        by_name = sa.select(t).where(t.c.name == name)
        values = {"id": new_id(), "name": name, "created": now, "spec": dumps(spec), "updated": now}
        with self._write() as conn:
            upsert = _upsert_by_name(conn.dialect.name, t, values, ("spec", "updated"))
            if upsert is not None:
                # One statement that waits for a writer creating the same name and then
                # updates its row: no read first, so nothing that a replay could see change,
                # and no shared lock to upgrade (which deadlocked waiting writers on InnoDB).
                conn.execute(upsert)
                return pipeline_record(conn.execute(by_name).one())
            row = conn.execute(by_name).first()
            if row is None:
                try:
                    _insert_in_savepoint(conn, t.insert().values(**values))
                except integrity_errors():  # created meanwhile by another process: update it
                    row = conn.execute(by_name.with_for_update()).one()
            if row is not None:
                conn.execute(
                    t.update().where(t.c.id == row.id).values(spec=values["spec"], updated=now)
                )
            return pipeline_record(conn.execute(by_name).one())

    # ------------------------------------------------------------ runs
    def create_run(
        self,
        pipeline_id: str,
        run_name: str,
        *,
        parameters: dict[str, Any] | None = None,
        runtime_options: dict[str, Any] | None = None,
        stack_snapshot: dict[str, Any] | None = None,
        code_version: str | None = None,
        enable_cache: bool | None = None,
        status: ExecutionStatus = ExecutionStatus.RUNNING,
    ) -> RunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import dumps, run_record
        from cairn.store.metadata.named import integrity_errors
        from cairn.store.metadata.ownership import process_token, this_host

        self.get_pipeline(pipeline_id)
        now = time.time()
        pid = os.getpid()
        values = {
            "id": new_id(),
            "name": run_name,
            "pipeline_id": pipeline_id,
            "status": str(status),
            "parameters": dumps(parameters or {}),
            "runtime_options": dumps(runtime_options or {}),
            "stack_snapshot": dumps(stack_snapshot or {}),
            "stack_name": _stack_name(stack_snapshot),
            "code_version": code_version,
            "enable_cache": enable_cache,
            "created": now,
            "started": now if status == ExecutionStatus.RUNNING else None,
            "owner_pid": pid,
            "owner_host": this_host(),
            "owner_token": process_token(pid),
            "heartbeat": now,
        }
        try:
            with self._write() as conn:
                q.execute(conn, "insert:pipeline_runs", values)
                row = q.fetch(conn, "run_by:id", {"value": values["id"]})[0]
        except integrity_errors() as exc:
            raise EntityExistsError(
                f"A pipeline run called '{run_name}' exists: choose another run_name, or "
                f"delete it with 'cairn pipeline runs delete {run_name}'."
            ) from exc
        return run_record(row)

    def update_run_status(
        self, run_id: str, status: ExecutionStatus, error: str | None = None
    ) -> RunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import run_record

        now = time.time()
        values: dict[str, Any] = {"row_id": run_id, "status": str(status), "heartbeat": now}
        if status == ExecutionStatus.RUNNING:
            values["started"] = now
        if status in _FINISHED:
            values["finished"] = now
        if error is not None:
            values["error"] = error
        # A finished run never changes again: the update is conditional on it running.
        statement = "update_running_run" if status in _FINISHED else "update_by_id:pipeline_runs"
        with self._write() as conn:
            q.execute(conn, statement, values)
            row = q.first(q.fetch(conn, "run_by:id", {"value": run_id}))
        if row is None:
            raise DoesNotExistError(f"No pipeline run with id '{run_id}'.")
        return run_record(row)

    def detach_run(self, run_id: str) -> None:
        from cairn.store.metadata import named as q

        values = {"row_id": run_id, "owner_pid": None, "owner_token": DETACHED_OWNER}
        with self._write() as conn:
            q.execute(conn, "update_running_run", values)

    def heartbeat(self, run_id: str) -> None:
        from cairn.store.metadata import named as q

        beat = {"row_id": run_id, "heartbeat": time.time()}
        with self._write() as conn:
            q.execute(conn, "update_by_id:pipeline_runs", beat)

    def mark_stale_runs_failed(self) -> list[str]:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.ownership import is_dead_owner

        with self._read() as conn:
            rows = q.fetch(conn, "running_runs", {})
        now, stale = time.time(), []
        for row in rows:
            if is_dead_owner(row, self.stale_after, now):
                self._fail_dead_run(row["id"], row["owner_pid"], row["owner_host"])
                stale.append(row["name"])
        return stale

    def _fail_dead_run(self, run_id: str, pid: int, host: str | None) -> None:
        from cairn.store.metadata.schema import pipeline_runs as runs
        from cairn.store.metadata.schema import step_runs as steps

        now, running = time.time(), str(ExecutionStatus.RUNNING)
        error = f"The process that ran it (pid {pid} on {host}) stopped without finishing it."
        with self._write() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id, runs.c.status == running)
                .values(status=str(ExecutionStatus.FAILED), finished=now, error=error)
            )
            conn.execute(
                steps.update()
                .where(steps.c.run_id == run_id, steps.c.status == running)
                .values(status=str(ExecutionStatus.FAILED), finished=now, error=error)
            )

    def delete_run(self, name_or_id: str) -> list[str]:
        import sqlalchemy as sa

        from cairn.store.metadata.schema import artifacts as a
        from cairn.store.metadata.schema import pipeline_runs as r
        from cairn.store.metadata.schema import step_inputs as i
        from cairn.store.metadata.schema import step_outputs as o
        from cairn.store.metadata.schema import step_runs as s

        run = self.get_run(name_or_id)
        with self._write() as conn:
            step_ids = sa.select(s.c.id).where(s.c.run_id == run.id)
            # what the run produced, and what its (cached) steps point to: once no other
            # step refers to them, they are the run's to remove
            linked = sa.select(o.c.artifact_id).where(o.c.step_run_id.in_(step_ids))
            produced = [
                row.id
                for row in conn.execute(
                    sa.select(a.c.id).where(
                        sa.or_(a.c.producer_step_run_id.in_(step_ids), a.c.id.in_(linked))
                    )
                )
            ]
            conn.execute(r.delete().where(r.c.id == run.id))
            used = sa.union(
                sa.select(o.c.artifact_id), sa.select(i.c.artifact_id), models_keep()
            ).subquery()
            orphans = conn.execute(
                sa.select(a.c.id, a.c.uri).where(
                    a.c.id.in_(produced), a.c.id.not_in(sa.select(used.c[0]))
                )
            ).all()
            if orphans:
                conn.execute(a.delete().where(a.c.id.in_([row.id for row in orphans])))
        return [row.uri for row in orphans]
