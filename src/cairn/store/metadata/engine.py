"""SQLAlchemy engines of the metadata store, created once per URL and process.

A forked child gets its own engine (connections must not cross a fork). SQLite
connections use WAL journaling, a busy timeout, foreign keys and
``synchronous=NORMAL``; write transactions start with ``BEGIN IMMEDIATE`` so
that two processes writing at once wait for each other instead of failing;
reads need no transaction (each ``SELECT`` sees a consistent WAL snapshot).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import sqlalchemy as sa

#: Execution option marking a connection that will write (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "cairn_write"
SQLITE_BUSY_TIMEOUT_S = 60.0

_ENGINES: dict[tuple[str, int], sa.Engine] = {}
_LOCK = threading.Lock()


def _setup_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # Writers take the write lock up front (so busy_timeout applies instead of a
        # failed lock upgrade); readers run each SELECT in autocommit (WAL snapshot).
        if conn.get_execution_options().get(WRITE_OPTION, False):
            conn.connection.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


def get_engine(url: str, **kwargs: Any) -> sa.Engine:
    """The engine for ``url`` in this process (created on first use)."""
    key = (url, os.getpid())
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _create(url, **kwargs)
            _ENGINES[key] = engine
    return engine


def _create(url: str, **kwargs: Any) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # No pool: on SQLite the engine only migrates and keeps schedules (a run uses
        # sqlite3 directly), and a process that touches many databases (one per test, a
        # notebook switching config folders) would otherwise keep files of each open.
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        kwargs.setdefault("poolclass", sa.pool.NullPool)
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        _setup_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _after_fork_in_child() -> None:
    """Forget the parent's engines without closing its connections (SQLAlchemy's advice)."""
    for engine in list(_ENGINES.values()):
        engine.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def dispose_engine(url: str) -> None:
    """Close the pooled connections of ``url`` in this process and forget the engine."""
    with _LOCK:
        engine = _ENGINES.pop((url, os.getpid()), None)
    if engine is not None:
        engine.dispose()
