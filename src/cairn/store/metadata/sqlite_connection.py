"""The SQLite metadata store's connection: ``sqlite3`` itself, SQLAlchemy only when needed.

:class:`SQLiteConnection` wraps one ``sqlite3`` connection (one per thread and
process, in autocommit mode: write transactions are ``BEGIN IMMEDIATE`` ...
``COMMIT``, reads are single statements on a WAL snapshot, as before). It runs:

* statements by name (:mod:`cairn.store.metadata.named`): the text generated from
  the SQLAlchemy statements (:mod:`cairn.store.metadata.sqlite_sql`), inserts and
  conditional updates put together from the generated column lists and ``WHERE``
  texts. This is the whole path of a pipeline run, which therefore needs neither
  SQLAlchemy nor Alembic;
* any SQLAlchemy construct (``conn.execute(select(...))``: queries the run path
  does not use), compiled for SQLite on demand, its rows returned as
  :class:`Row` tuples with attribute and ``_mapping`` access.

Errors are ``sqlite3``'s (``sqlite3.IntegrityError`` for constraint violations;
see :func:`cairn.store.metadata.named.integrity_errors`).
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

BUSY_TIMEOUT_S = 60.0


def connect(path: str) -> sqlite3.Connection:
    """A connection with the store's settings: WAL, busy timeout, foreign keys, NORMAL sync."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class Row(tuple):  # type: ignore[type-arg]
    """A result row: a tuple, with columns also by attribute and in ``_mapping``."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values: tuple[Any, ...], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._names, self, strict=True))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._names.index(name)]
        except ValueError:
            raise AttributeError(name) from None


class Result:
    """The rows of one statement (the part of SQLAlchemy's ``Result`` the store uses)."""

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def all(self) -> list[Row]:
        return list(self._rows)

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Row:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def mappings(self) -> list[dict[str, Any]]:
        return [row._mapping for row in self._rows]


class _Dialect:
    name = "sqlite"


class SQLiteConnection:
    """One ``sqlite3`` connection, running statements by name or SQLAlchemy constructs."""

    dialect = _Dialect()

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    # ------------------------------------------------------------ by name
    def _cursor(self, name: str, params: Mapping[str, Any]) -> sqlite3.Cursor:
        plan = _PLANS.get((name, tuple(params)))
        if plan is None:
            plan = _plan(name, tuple(params))
        sql, literals, values = plan
        return self.raw.execute(sql, values({**literals, **params} if literals else params))

    def run_named(self, name: str, params: Mapping[str, Any]) -> int:
        """Execute a named write; the number of rows it changed."""
        return int(self._cursor(name, params).rowcount)

    def rows_named(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows of a named SELECT, as dicts."""
        cursor = self._cursor(name, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------ SQLAlchemy constructs
    def execute(self, statement: Any, params: Mapping[str, Any] | None = None) -> Result:
        """Compile a SQLAlchemy construct for SQLite (SQLAlchemy is imported here) and run it."""
        from sqlalchemy.dialects import sqlite

        compiled = statement.compile(
            dialect=sqlite.dialect(), compile_kwargs={"render_postcompile": True}
        )
        values = compiled.construct_params(dict(params or {}))
        ordered = tuple(values[k] for k in compiled.positiontup or ())
        cursor = self.raw.execute(compiled.string, ordered)
        names = tuple(d[0] for d in cursor.description or ())
        rows = [Row(tuple(r), names) for r in cursor.fetchall()] if names else []
        return Result(rows, cursor.rowcount)

    @contextmanager
    def begin_nested(self) -> Iterator[None]:
        """A savepoint: rolled back (and the error raised) if the block fails."""
        self.raw.execute("SAVEPOINT cairn_nested")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK TO SAVEPOINT cairn_nested")
            self.raw.execute("RELEASE SAVEPOINT cairn_nested")
            raise
        self.raw.execute("RELEASE SAVEPOINT cairn_nested")


_Plan = tuple[str, dict[str, Any], Callable[[Mapping[str, Any]], tuple[Any, ...]]]
_PLANS: dict[tuple[str, tuple[str, ...]], _Plan] = {}


def _plan(name: str, keys: tuple[str, ...]) -> _Plan:
    """How to run a named statement given parameters with these names, in this order:
    its SQL, its literal parameters, and a function taking the parameter values in the
    SQL's order (made once per process, shared by every connection)."""
    from cairn.store.metadata.sqlite_sql import STATEMENTS, UPDATES

    fixed = STATEMENTS.get(name)
    literals = dict(fixed[2] if fixed else UPDATES[name][3] if name in UPDATES else {})
    sql, order = _build(name, keys)
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    if len(order) > 1:
        values = operator.itemgetter(*order)
    elif order:
        key = order[0]
        values = lambda mapping: (mapping[key],)  # noqa: E731
    else:
        values = lambda mapping: ()  # noqa: E731
    found = _PLANS[(name, keys)] = (sql, literals, values)
    return found


def _build(name: str, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The SQL text of a named statement and its parameter order, from the generated parts.

    Fixed statements are used as generated; ``insert:<table>`` and the updates
    set exactly the columns given (in table order), as SQLAlchemy writes them.
    """
    from cairn.store.metadata.sqlite_sql import COLUMNS, STATEMENTS, UPDATES

    fixed = STATEMENTS.get(name)
    if fixed is not None:
        return fixed[0], fixed[1]
    kind, _, table = name.partition(":")
    if kind == "insert":
        columns = _columns(COLUMNS[table], keys, table)
        marks = ", ".join("?" for _ in columns)
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", columns
    where_params: tuple[str, ...]
    if kind == "update_by_id":
        where, where_params = f"{table}.id = ?", ("row_id",)
    else:
        table, where, where_params, _literals = UPDATES[name]
    set_keys = tuple(k for k in keys if k not in where_params)
    columns = _columns(COLUMNS[table], set_keys, table)
    assignments = ", ".join(f"{c}=?" for c in columns)
    return f"UPDATE {table} SET {assignments} WHERE {where}", (*columns, *where_params)


def _columns(known: tuple[str, ...], keys: tuple[str, ...], table: str) -> tuple[str, ...]:
    unknown = set(keys) - set(known)
    if unknown:
        raise KeyError(f"table {table} has no column(s) {', '.join(sorted(unknown))}")
    return tuple(c for c in known if c in keys)
