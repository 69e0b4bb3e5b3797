"""Run the metadata store's statements by name, on SQLite's or SQLAlchemy's connections.

The names are those of :func:`cairn.store.metadata.statements.named`. On the
SQLite store's own connection (:class:`~cairn.store.metadata.sqlite_connection.
SQLiteConnection`) they run as the SQL text generated from those statements,
without importing SQLAlchemy; on a SQLAlchemy connection (the server stores)
they are built and compiled once per dialect (:mod:`cairn.store.metadata.statements`).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Mapping
from typing import Any

from cairn.store.metadata.sqlite_connection import SQLiteConnection


def execute(conn: Any, name: str, params: Mapping[str, Any]) -> int:
    """Execute a named write statement; the number of rows it changed."""
    if isinstance(conn, SQLiteConnection):
        return conn.run_named(name, params)
    from cairn.store.metadata import statements as q

    return q.execute(conn, q.named(name), dict(params))


def fetch(conn: Any, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a named SELECT as dicts."""
    if isinstance(conn, SQLiteConnection):
        return conn.rows_named(name, params)
    from cairn.store.metadata import statements as q

    return q.fetch(conn, q.named(name), dict(params))


def rows_of(conn: Any) -> Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]:
    """``fetch`` bound to ``conn`` (what :mod:`cairn.store.metadata.catalog_reads` takes)."""
    return lambda name, params: fetch(conn, name, params)


def first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first row of :func:`fetch`'s result, or None."""
    return rows[0] if rows else None


def integrity_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a constraint violation raises: ``sqlite3``'s, and SQLAlchemy's once
    SQLAlchemy is loaded (use as ``except integrity_errors():``, evaluated only on error)."""
    found: list[type[BaseException]] = [sqlite3.IntegrityError]
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None:
        found.append(sa_exc.IntegrityError)
    return tuple(found)
