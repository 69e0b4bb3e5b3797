"""Prebuilt SQL statements of the metadata store's hot paths.

Building a SQLAlchemy construct costs far more than executing a cached one, so
the statements the step runner issues for every step are built once (with
``bindparam`` placeholders) and executed with plain parameter dictionaries.
"""

from __future__ import annotations

import functools
import itertools
from functools import cache
from typing import Any

import sqlalchemy as sa

from cairn.store.metadata.schema import (
    artifacts,
    pipeline_runs,
    pipelines,
    step_inputs,
    step_metadata,
    step_outputs,
    step_runs,
)
from cairn.store.metadata.sqlite_reader import runs_page_name

TABLES = {
    "pipelines": pipelines,
    "pipeline_runs": pipeline_runs,
    "step_runs": step_runs,
    "artifacts": artifacts,
    "step_inputs": step_inputs,
    "step_outputs": step_outputs,
    "step_metadata": step_metadata,
}


@cache
def insert(table: str) -> sa.Insert:
    """``INSERT INTO table``; execute with a dict of column values."""
    return TABLES[table].insert()


@cache
def update_by_id(table: str) -> sa.Update:
    """``UPDATE table ... WHERE id = :row_id``; execute with ``row_id`` and column values."""
    t = TABLES[table]
    return t.update().where(t.c.id == sa.bindparam("row_id"))


@cache
def update_running_step() -> sa.Update:
    """``UPDATE step_runs ... WHERE id = :row_id`` only while the step *and* its run are running.

    The condition is part of the statement (not a read before the write), so a step
    process that outlived its run can never finish the step or record its outputs.
    """
    t, r = step_runs, pipeline_runs
    return t.update().where(
        t.c.id == sa.bindparam("row_id"),
        t.c.status == "running",
        sa.exists().where(r.c.id == t.c.run_id, r.c.status == "running"),
    )


@cache
def update_running_run() -> sa.Update:
    """``UPDATE pipeline_runs ... WHERE id = :row_id`` only while the run is running."""
    r = pipeline_runs
    return r.update().where(r.c.id == sa.bindparam("row_id"), r.c.status == "running")


@cache
def select_by(table: str, column: str) -> sa.Select[Any]:
    """``SELECT * FROM table WHERE column = :value``."""
    t = TABLES[table]
    return sa.select(t).where(t.c[column] == sa.bindparam("value"))


@cache
def runs_select() -> sa.Select[Any]:
    """Runs joined with their pipeline's name (``pipeline_name``)."""
    r, p = pipeline_runs, pipelines
    return sa.select(r, p.c.name.label("pipeline_name")).join(p, p.c.id == r.c.pipeline_id)


@cache
def run_by(column: str) -> sa.Select[Any]:
    """One run (with ``pipeline_name``) by ``name`` or ``id`` = ``:value``."""
    return runs_select().where(pipeline_runs.c[column] == sa.bindparam("value"))


@cache
def running_runs() -> sa.Select[Any]:
    """Ownership columns of the runs whose status is running."""
    r = pipeline_runs
    cols = (r.c.id, r.c.name, r.c.owner_pid, r.c.owner_host, r.c.owner_token, r.c.heartbeat)
    return sa.select(*cols).where(r.c.status == "running")


@cache
def cached_step() -> sa.Select[Any]:
    """The newest completed or cached step run with cache key ``:value``."""
    t = step_runs
    return (
        sa.select(t)
        .where(
            t.c.cache_key == sa.bindparam("value"),
            sa.or_(t.c.status == "completed", t.c.status == "cached"),
        )
        .order_by(t.c.finished.desc())
        .limit(1)
    )


@cache
def edges(table: str) -> sa.Select[Any]:
    """Artifacts linked to step run ``:value`` through ``step_inputs`` or ``step_outputs``."""
    e = TABLES[table]
    return (
        sa.select(artifacts, e.c.name.label("edge_name"))
        .join(e, e.c.artifact_id == artifacts.c.id)
        .where(e.c.step_run_id == sa.bindparam("value"))
        .order_by(e.c.name)
    )


@cache
def delete_metadata_key() -> sa.Delete:
    """Delete the metadata ``:key`` of step run ``:step_run_id``."""
    t = step_metadata
    return t.delete().where(
        t.c.step_run_id == sa.bindparam("sr_id"), t.c.key == sa.bindparam("meta_key")
    )


@cache
def steps_of_run() -> sa.Select[Any]:
    """The step runs of run ``:value`` in the order they started."""
    t = step_runs
    return sa.select(t).where(t.c.run_id == sa.bindparam("value")).order_by(t.c.started, t.c.name)


_Compiled = tuple[str, "tuple[str, ...] | None", dict[str, Any]]
_COMPILED: dict[tuple[int, str, tuple[str, ...]], _Compiled] = {}


def _compiled(statement: Any, dialect: sa.Dialect, keys: tuple[str, ...]) -> _Compiled:
    """SQL text, positional parameter names (None if named) and literal values, cached."""
    cache_key = (id(statement), dialect.name, keys)
    found = _COMPILED.get(cache_key)
    if found is None:
        result = statement.compile(dialect=dialect, column_keys=list(keys))
        positions = tuple(result.positiontup) if result.positional else None
        literals = {n: b.value for n, b in result.binds.items() if n not in keys}
        found = _COMPILED[cache_key] = (result.string, positions, literals)
    return found


def _driver_execute(conn: sa.Connection, sql: str, values: tuple[Any, ...]) -> Any:
    """Run SQL on the SQLite driver connection of ``conn`` (in its transaction, if any)."""
    dialect = conn.dialect
    driver = conn.connection.driver_connection
    try:
        return driver.execute(sql, values)  # type: ignore[union-attr]
    except dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(
            sql, values, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc


def execute(conn: sa.Connection, statement: sa.Executable, params: dict[str, Any]) -> int:
    """Execute a prebuilt write statement with its SQL compiled once per dialect and keys.

    This skips SQLAlchemy's per-call statement handling (the hot paths run a few
    statements per step). On SQLite the statement goes straight to the driver
    connection of ``conn`` (same transaction); driver errors are raised as
    SQLAlchemy's ``DBAPIError`` subclasses (``IntegrityError``...) as usual.
    """
    sql, positions, literals = _compiled(statement, conn.dialect, tuple(sorted(params)))
    if positions is None:
        return int(conn.exec_driver_sql(sql, {**literals, **params}).rowcount)
    merged = {**literals, **params}
    values = tuple(merged[k] for k in positions)
    if conn.dialect.name == "sqlite":
        return int(_driver_execute(conn, sql, values).rowcount)
    return int(conn.exec_driver_sql(sql, values).rowcount)


def fetch(
    conn: sa.Connection, statement: sa.Executable, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Rows of a prebuilt SELECT as dicts (on SQLite straight from the driver)."""
    if conn.dialect.name != "sqlite":
        return [dict(row) for row in conn.execute(statement, params).mappings()]
    sql, positions, literals = _compiled(statement, conn.dialect, tuple(sorted(params)))
    merged = {**literals, **params}
    cursor = _driver_execute(conn, sql, tuple(merged[k] for k in positions or ()))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first row of :func:`fetch`'s result, or None."""
    return rows[0] if rows else None


# ---------------------------------------------------------------- named reads (SQLite text)
@cache
def runs_page(pipeline: bool, status: bool, newest_first: bool) -> sa.Select[Any]:
    """A page of runs (``:limit``, ``:offset``), optionally of ``:pipeline_id`` / ``:status``."""
    r = pipeline_runs
    query = runs_select()
    if pipeline:
        query = query.where(r.c.pipeline_id == sa.bindparam("pipeline_id"))
    if status:
        query = query.where(r.c.status == sa.bindparam("status"))
    order = (r.c.created.desc(), r.c.id.desc()) if newest_first else (r.c.created, r.c.id)
    return query.order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))


def _named_builders() -> dict[str, Any]:
    p, t = pipelines, step_metadata
    builders: dict[str, Any] = {
        "pipelines": lambda: sa.select(p).order_by(p.c.name),
        "pipeline": lambda: sa.select(p).where(
            sa.or_(p.c.name == sa.bindparam("value"), p.c.id == sa.bindparam("value"))
        ),
        "run_by_name": lambda: run_by("name"),
        "run_by_id": lambda: run_by("id"),
        "running_runs": running_runs,
        "steps_of_run": steps_of_run,
        "step_run": lambda: select_by("step_runs", "id"),
        "step_outputs": lambda: edges("step_outputs"),
        "step_inputs": lambda: edges("step_inputs"),
        "step_metadata": lambda: sa.select(t).where(t.c.step_run_id == sa.bindparam("value")),
    }
    for flags in itertools.product((False, True), repeat=3):
        builders[runs_page_name(*flags)] = functools.partial(runs_page, *flags)
    return builders


@cache
def named(name: str) -> sa.Select[Any]:
    """A read statement by name: the ones the read commands use, also as SQLite text
    (:mod:`cairn.store.metadata.sqlite_sql`, generated from these)."""
    return _named_builders()[name]()  # type: ignore[no-any-return]


def sqlite_statements() -> dict[str, tuple[str, tuple[str, ...], dict[str, Any]]]:
    """Each named statement compiled for SQLite: ``(sql, parameter order, literal values)``."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    out = {}
    for name in _named_builders():
        compiled = named(name).compile(dialect=dialect)
        params = tuple(compiled.positiontup or ())
        literals = {n: compiled.binds[n].value for n in params if not compiled.binds[n].required}
        out[name] = (compiled.string, params, literals)
    return out


def sqlite_module_text() -> str:
    """The text of :mod:`cairn.store.metadata.sqlite_sql` (``python -m`` this module writes it)."""
    from cairn.store.metadata.schema import HEAD_REVISION

    lines = [
        "# ruff: noqa: E501",
        '"""SQLite text of the named read statements: GENERATED, do not edit.',
        "",
        "Made from the SQLAlchemy tables and statements by",
        "``python -m cairn.store.metadata.statements`` (tests/store/test_sqlite_sql.py",
        "checks that it matches them), so that read commands and the SQLite reader",
        "run them with the standard library's ``sqlite3`` without importing SQLAlchemy.",
        '"""',
        "",
        "from typing import Any",
        "",
        "#: The schema revision the statements were generated for.",
        f"HEAD_REVISION = {HEAD_REVISION!r}",
        "",
        "#: name -> (sql, parameter names in order, literal parameter values)",
        "STATEMENTS: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {",
    ]
    for name, (sql, params, literals) in sqlite_statements().items():
        lines.append(f"    {name!r}: (")
        lines.append(f"        {sql!r},")
        lines.append(f"        {params!r},")
        lines.append(f"        {literals!r},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("sqlite_sql.py")
    import subprocess
    import sys

    target.write_text(sqlite_module_text(), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(target)], check=False)
    print(f"wrote {target}")
