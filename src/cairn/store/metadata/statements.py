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


def versions_query() -> sa.Select[Any]:
    """Artifact versions joined with their artifacts (artifact columns prefixed ``a_``)."""
    from cairn.store.metadata.catalog_schema import artifact_versions as v

    columns = [c.label(f"a_{c.name}") for c in artifacts.columns]
    return sa.select(v, *columns).join(artifacts, artifacts.c.id == v.c.artifact_id)


def artifact_names_query() -> sa.Select[Any]:
    """Each artifact name's newest version (by creation) with ``n``, its number of versions;
    ordered by name and number (newest first)."""
    from cairn.store.metadata.catalog_schema import artifact_versions as v

    counts = (
        sa.select(v.c.name, sa.func.count().label("n"), sa.func.max(v.c.created).label("last"))
        .group_by(v.c.name)
        .subquery()
    )
    return (
        versions_query()
        .add_columns(counts.c.n)
        .join(counts, sa.and_(counts.c.name == v.c.name, counts.c.last == v.c.created))
        .order_by(v.c.name, v.c.number.desc())
    )


def model_versions_query() -> sa.Select[Any]:
    """Model versions with their model's name (``model_name``)."""
    from cairn.store.metadata.catalog_schema import model_versions as mv
    from cairn.store.metadata.catalog_schema import models as m

    return sa.select(mv, m.c.name.label("model_name")).join(m, m.c.id == mv.c.model_id)


def schedules_query() -> sa.Select[Any]:
    """Schedules with their pipeline's name (``pipeline_name``) and the latest slot a run
    was started for (``last_slot``)."""
    from cairn.store.metadata.schedule_schema import schedule_slots as s
    from cairn.store.metadata.schedule_schema import schedules as t

    last = (sa.select(sa.func.max(s.c.slot)).where(s.c.schedule_id == t.c.id)
            .scalar_subquery().label("last_slot"))  # fmt: skip
    return sa.select(t, pipelines.c.name.label("pipeline_name"), last).select_from(
        t.join(pipelines, t.c.pipeline_id == pipelines.c.id)
    )


def _schedules_by_name() -> sa.Select[Any]:
    from cairn.store.metadata.schedule_schema import schedules as t

    return schedules_query().order_by(t.c.name)


def _model_version_artifacts() -> sa.Select[Any]:
    from cairn.store.metadata.catalog_schema import artifact_versions as v
    from cairn.store.metadata.catalog_schema import model_version_artifacts as t

    return (
        versions_query()
        .add_columns(t.c.kind.label("link_kind"))
        .join(t, t.c.artifact_id == v.c.artifact_id)
        .where(t.c.model_version_id == sa.bindparam("mv"))
        .order_by(t.c.created, v.c.name)
    )


def _model_version_runs() -> sa.Select[Any]:
    from cairn.store.metadata.catalog_schema import model_version_runs as t

    return (
        sa.select(t.c.run_id)
        .join(pipeline_runs, pipeline_runs.c.id == t.c.run_id)
        .where(t.c.model_version_id == sa.bindparam("mv"))
        .order_by(pipeline_runs.c.created)
    )


def _artifact_consumers() -> sa.Select[Any]:
    s, i = step_runs, step_inputs
    users = sa.select(i.c.step_run_id).where(i.c.artifact_id == sa.bindparam("aid"))
    return sa.select(s).where(s.c.id.in_(users)).order_by(s.c.started, s.c.id)


def _schedule_by(column: str) -> sa.Select[Any]:
    from cairn.store.metadata.schedule_schema import schedules as t

    return schedules_query().where(t.c[column] == sa.bindparam("value"))


def _schedule_slots() -> sa.Select[Any]:
    from cairn.store.metadata.schedule_schema import schedule_slots as t

    return (
        sa.select(t.c.slot, t.c.run_name)
        .where(t.c.schedule_id == sa.bindparam("sid"))
        .order_by(t.c.slot.desc())
        .limit(sa.bindparam("limit"))
    )


def _metadata_reads() -> dict[str, Any]:
    """``metadata:<kind>``: the metadata of a run, an artifact or a model version
    (``:owner``), with the owner's id as ``step_run_id`` (what ``metadata_entry`` reads)."""
    from cairn.store.metadata.catalog_schema import METADATA_TABLES

    def build(table: sa.Table, owner: str) -> sa.Select[Any]:
        column = table.c[owner]
        return sa.select(table, column.label("step_run_id")).where(column == sa.bindparam("owner"))

    return {
        f"metadata:{kind}": functools.partial(build, table, owner)
        for kind, (table, owner) in METADATA_TABLES.items()
    }


def _catalog_reads() -> dict[str, Any]:
    """The catalog reads of the read commands (``cairn artifact list/versions``, ``cairn model
    list``), which :class:`~cairn.store.metadata.sqlite_reader.SQLiteRunReader` runs as text."""
    from cairn.store.metadata.catalog_schema import artifact_versions as v
    from cairn.store.metadata.catalog_schema import model_versions as mv
    from cairn.store.metadata.catalog_schema import models as m

    p = sa.bindparam
    newest = (v.c.created.desc(), v.c.number.desc())
    return {
        "artifact_names": artifact_names_query,
        "versions": lambda: versions_query().order_by(*newest),
        "versions_of_name": lambda: versions_query().where(v.c.name == p("name")).order_by(*newest),
        "models": lambda: sa.select(m).order_by(m.c.name),
        "model": lambda: sa.select(m).where(sa.or_(m.c.name == p("value"), m.c.id == p("value"))),
        "model_versions_of": lambda: (
            model_versions_query().where(mv.c.model_id == p("mid")).order_by(mv.c.number.desc())
        ),
        "model_versions_of_stage": lambda: (
            model_versions_query()
            .where(mv.c.model_id == p("mid"), mv.c.stage == p("stage"))
            .order_by(mv.c.number.desc())
        ),
        "schedules": _schedules_by_name,
        "version_latest_of_name": lambda: (
            versions_query().where(v.c.name == p("name")).order_by(*newest).limit(1)
        ),
        "version_of_name": lambda: versions_query().where(
            v.c.name == p("name"), v.c.version == p("version")
        ),
        "versions_tagged": lambda: (
            versions_query().where(v.c.tags.like(p("pattern"), escape="/")).order_by(*newest)
        ),
        "versions_of_name_tagged": lambda: (
            versions_query()
            .where(v.c.name == p("name"), v.c.tags.like(p("pattern"), escape="/"))
            .order_by(*newest)
        ),
        "model_version_latest": lambda: (
            model_versions_query()
            .where(mv.c.model_id == p("mid"))
            .order_by(mv.c.number.desc())
            .limit(1)
        ),
        "model_version_number": lambda: model_versions_query().where(
            mv.c.model_id == p("mid"), mv.c.number == p("number")
        ),
        "model_version_name": lambda: model_versions_query().where(
            mv.c.model_id == p("mid"), mv.c.name == p("name")
        ),
        "model_version_by_id": lambda: model_versions_query().where(mv.c.id == p("value")),
        "model_version_artifacts": _model_version_artifacts,
        "model_version_runs": _model_version_runs,
        "artifact_consumers": _artifact_consumers,
        "schedule_by_name": functools.partial(_schedule_by, "name"),
        "schedule_by_id": functools.partial(_schedule_by, "id"),
        "schedule_slots": _schedule_slots,
        **_metadata_reads(),
    }


def _catalog_builders() -> dict[str, Any]:
    from cairn.store.metadata.catalog_schema import METADATA_TABLES
    from cairn.store.metadata.catalog_schema import artifact_versions as v
    from cairn.store.metadata.catalog_schema import model_version_artifacts as links

    p = sa.bindparam
    builders: dict[str, Any] = {
        **_catalog_reads(),
        "max_number": lambda: sa.select(sa.func.max(v.c.number)).where(v.c.name == p("name")),
        "version_taken": lambda: sa.select(v.c.artifact_id).where(
            v.c.name == p("name"), v.c.version == p("version")
        ),
        "version_of": lambda: sa.select(v.c.name).where(v.c.artifact_id == p("aid")),
        "version_by_artifact": lambda: versions_query().where(v.c.artifact_id == p("aid")),
        "model_link": lambda: sa.select(links.c.kind).where(
            links.c.model_version_id == p("mv"), links.c.artifact_id == p("aid")
        ),
    }
    for kind, (table, owner) in METADATA_TABLES.items():
        builders[f"delete_metadata:{kind}"] = functools.partial(
            lambda t, o: t.delete().where(t.c[o] == p("owner"), t.c.key == p("mkey")), table, owner
        )
    return {f"catalog:{name}": build for name, build in builders.items()}


def _named_builders() -> dict[str, Any]:
    """The statements with a fixed text, by name (inserts and updates: :func:`named`)."""
    pl, t = pipelines, step_metadata
    builders: dict[str, Any] = {
        "pipelines": lambda: sa.select(pl).order_by(pl.c.name),
        "pipeline": lambda: sa.select(pl).where(
            sa.or_(pl.c.name == sa.bindparam("value"), pl.c.id == sa.bindparam("value"))
        ),
        "pipeline_by_name": lambda: select_by("pipelines", "name"),
        "run_by:name": lambda: run_by("name"),
        "run_by:id": lambda: run_by("id"),
        "running_runs": running_runs,
        "steps_of_run": steps_of_run,
        "cached_step": cached_step,
        "select_by:step_runs:id": lambda: select_by("step_runs", "id"),
        "select_by:artifacts:id": lambda: select_by("artifacts", "id"),
        "select_by:step_metadata:step_run_id": lambda: sa.select(t).where(
            t.c.step_run_id == sa.bindparam("value")
        ),
        "edges:step_outputs": lambda: edges("step_outputs"),
        "edges:step_inputs": lambda: edges("step_inputs"),
        "delete_metadata_key": delete_metadata_key,
    }
    for flags in itertools.product((False, True), repeat=3):
        builders[runs_page_name(*flags)] = functools.partial(runs_page, *flags)
    builders.update(_catalog_builders())
    return builders


#: Updates by name: ``update_by_id:<table>`` is also one.
_UPDATES = {"update_running_step": update_running_step, "update_running_run": update_running_run}


def all_tables() -> dict[str, sa.Table]:
    """Every table of the metadata schema, by name."""
    return dict(pipelines.metadata.tables)


@cache
def named(name: str) -> Any:
    """A statement by name: a fixed one of :func:`_named_builders`, ``insert:<table>``,
    ``update_by_id:<table>``, ``update_running_step`` or ``update_running_run``.

    The same names are what :mod:`cairn.store.metadata.named` runs on SQLite as text
    generated from these statements (:mod:`cairn.store.metadata.sqlite_sql`).
    """
    kind, _, rest = name.partition(":")
    if kind == "insert":
        return all_tables()[rest].insert()
    if kind == "update_by_id":
        return update_by_id(rest) if rest in TABLES else _update_by_id(all_tables()[rest])
    if name in _UPDATES:
        return _UPDATES[name]()
    return _named_builders()[name]()


def _update_by_id(table: sa.Table) -> sa.Update:
    return table.update().where(table.c.id == sa.bindparam("row_id"))


def _parameters(compiled: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    params = tuple(compiled.positiontup or ())
    literals = {n: compiled.binds[n].value for n in params if not compiled.binds[n].required}
    return params, literals


def sqlite_statements() -> dict[str, tuple[str, tuple[str, ...], dict[str, Any]]]:
    """Each fixed statement compiled for SQLite: ``(sql, parameter order, literal values)``."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    out = {}
    for name in _named_builders():
        compiled = named(name).compile(dialect=dialect)
        out[name] = (compiled.string, *_parameters(compiled))
    return out


def sqlite_updates() -> dict[str, tuple[str, str, tuple[str, ...], dict[str, Any]]]:
    """The conditional updates for SQLite: ``(table, WHERE text, its parameters, literals)``.

    The ``SET`` part depends on the columns a call sets; it is put in front at run
    time (``UPDATE t SET a=?, b=? WHERE ...``, as SQLAlchemy writes it: checked by
    tests/store/metadata/test_sqlite_sql.py).
    """
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    out = {}
    for name in _UPDATES:
        statement = named(name)
        table = statement.table
        first_column = next(iter(table.columns)).name
        compiled = statement.compile(dialect=dialect, column_keys=[first_column])
        where = compiled.string.split(" WHERE ", 1)[1]
        params, literals = _parameters(compiled)
        out[name] = (table.name, where, params[1:], literals)
    return out


def sqlite_columns() -> dict[str, tuple[str, ...]]:
    """The columns of each table, in table order (what inserts and updates may set)."""
    return {name: tuple(c.name for c in table.columns) for name, table in all_tables().items()}


def sqlite_module_text() -> str:
    """The text of :mod:`cairn.store.metadata.sqlite_sql` (``python -m`` this module writes it)."""
    from cairn.store.metadata.schema import HEAD_REVISION

    lines = [
        "# ruff: noqa: E501",
        '"""SQLite text of the named read statements: GENERATED, do not edit.',
        "",
        "Made from the SQLAlchemy tables and statements by",
        "``python -m cairn.store.metadata.statements`` (tests/store/metadata/test_sqlite_sql.py",
        "checks that it matches them), so that the SQLite metadata store and the read",
        "commands run them with the standard library's ``sqlite3``, without SQLAlchemy.",
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
    for name, entry in sqlite_statements().items():
        lines.append(f"    {name!r}: {entry!r},")
    lines.append("}")
    lines.append("")
    lines.append("#: name -> (table, WHERE text, its parameter names, literal parameter values)")
    lines.append("UPDATES: dict[str, tuple[str, str, tuple[str, ...], dict[str, Any]]] = {")
    for name, update in sqlite_updates().items():
        lines.append(f"    {name!r}: {update!r},")
    lines.append("}")
    lines.append("")
    from cairn.store.metadata.catalog_schema import METADATA_TABLES

    lines.append("#: metadata owner kind -> (its metadata table, the owner column)")
    owners = {kind: (table.name, owner) for kind, (table, owner) in METADATA_TABLES.items()}
    lines.append(f"METADATA_OWNERS: dict[str, tuple[str, str]] = {owners!r}")
    lines.append("")
    lines.append("#: table -> its columns, in table order")
    lines.append("COLUMNS: dict[str, tuple[str, ...]] = {")
    for name, columns in sorted(sqlite_columns().items()):
        lines.append(f"    {name!r}: {columns!r},")
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
