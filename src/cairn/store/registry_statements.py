"""Every statement of the registry store, built once over :mod:`.registry_tables`.

:func:`statements` maps a name to a SQLAlchemy construct whose parameters are
named bind parameters (``:type``, ``:name``...). The server store executes these
constructs; the SQLite store executes their SQL text, compiled for SQLite into
the generated module :mod:`cairn.store.registry_sql` (:func:`render_sqlite_module`,
``python -m cairn.store.registry_statements`` rewrites it; a test checks it is
current). So there is one definition of the schema and of each query.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cairn.store import registry_tables as rt

COMPONENT_COLUMNS = ("uuid", "type", "flavor", "name", "config", "created", "updated", "version")
#: Inserts name the columns of every revision (``version`` has a default), so that
#: seeding and tests of old revisions use the same statements.
_INSERTED = COMPONENT_COLUMNS[:-1]
_NEXT_VERSION: Any = sa.literal_column("version + 1")


def _bind(*names: str) -> dict[str, Any]:
    return {n: sa.bindparam(n) for n in names}


def _components() -> sa.Select[Any]:
    t = rt.stack_components
    return sa.select(*(t.c[n] for n in COMPONENT_COLUMNS))


def _stacks() -> sa.Select[Any]:
    s, m, c = rt.stacks, rt.stack_memberships, rt.stack_components
    return sa.select(
        s.c.uuid,
        s.c.name,
        s.c.created,
        s.c.updated,
        s.c.version,
        m.c.type,
        c.c.name.label("component_name"),
    ).select_from(
        s.outerjoin(m, m.c.stack_uuid == s.c.uuid).outerjoin(c, c.c.uuid == m.c.component_uuid)
    )


@cache
def statements() -> dict[str, Any]:
    """Name -> statement (built once per process)."""
    c, s, m = rt.stack_components, rt.stacks, rt.stack_memberships
    st, f = rt.settings, rt.flavors
    by_type = c.c.type == sa.bindparam("type")
    # (an UPDATE's WHERE parameters cannot be named like the table's columns)
    current = (c.c.uuid == sa.bindparam("row_uuid"), c.c.version == sa.bindparam("row_version"))
    stack_current = (
        s.c.uuid == sa.bindparam("row_uuid"),
        s.c.version == sa.bindparam("row_version"),
    )
    return {
        "components": _components().order_by(c.c.type, c.c.name),
        "components_of_type": _components().where(by_type).order_by(c.c.type, c.c.name),
        "component": _components().where(by_type, c.c.name == sa.bindparam("name")),
        "insert_component": c.insert().values(**_bind(*_INSERTED)),
        "update_component_config": c.update()
        .where(*current)
        .values(
            config=sa.bindparam("config"), updated=sa.bindparam("updated"), version=_NEXT_VERSION
        ),
        "rename_component": c.update()
        .where(*current)
        .values(
            name=sa.bindparam("new_name"), updated=sa.bindparam("updated"), version=_NEXT_VERSION
        ),
        "delete_component": c.delete().where(c.c.uuid == sa.bindparam("uuid")),
        "stacks_using": sa.select(s.c.name)
        .select_from(s.join(m, m.c.stack_uuid == s.c.uuid).join(c, c.c.uuid == m.c.component_uuid))
        .where(by_type, c.c.name == sa.bindparam("name"))
        .order_by(s.c.name),
        "stacks": _stacks().order_by(s.c.name, m.c.type),
        "stack": _stacks().where(s.c.name == sa.bindparam("name")).order_by(m.c.type),
        "insert_stack": s.insert().values(**_bind("uuid", "name", "created", "updated")),
        "touch_stack": s.update()
        .where(*stack_current)
        .values(updated=sa.bindparam("updated"), version=_NEXT_VERSION),
        "rename_stack": s.update()
        .where(*stack_current)
        .values(
            name=sa.bindparam("new_name"), updated=sa.bindparam("updated"), version=_NEXT_VERSION
        ),
        "delete_stack": s.delete().where(s.c.uuid == sa.bindparam("uuid")),
        "delete_memberships": m.delete().where(m.c.stack_uuid == sa.bindparam("uuid")),
        "insert_membership": m.insert().values(**_bind("stack_uuid", "type", "component_uuid")),
        "delete_membership": m.delete().where(
            m.c.stack_uuid == sa.bindparam("stack_uuid"), m.c.type == sa.bindparam("type")
        ),
        "setting": sa.select(st.c.value).where(st.c.key == sa.bindparam("key")),
        "delete_setting": st.delete().where(st.c.key == sa.bindparam("key")),
        "insert_setting": st.insert().values(**_bind("key", "value")),
        "flavors": sa.select(f.c.type, f.c.name, f.c.source, f.c.created).order_by(
            f.c.type, f.c.name
        ),
        "flavors_of_type": sa.select(f.c.type, f.c.name, f.c.source, f.c.created)
        .where(f.c.type == sa.bindparam("type"))
        .order_by(f.c.type, f.c.name),
        "flavor": sa.select(f.c.name).where(
            f.c.type == sa.bindparam("type"), f.c.name == sa.bindparam("name")
        ),
        "insert_flavor": f.insert().values(**_bind("type", "name", "source", "created")),
        "delete_flavor": f.delete().where(
            f.c.type == sa.bindparam("type"), f.c.name == sa.bindparam("name")
        ),
    }


def sqlite_ddl() -> list[str]:
    """``CREATE TABLE`` / ``CREATE INDEX`` statements of the tables, for SQLite."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    out = []
    for table in rt.metadata.sorted_tables:
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            out.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return out


def sqlite_text() -> dict[str, str]:
    """Each statement's SQL for SQLite, with ``:name`` parameters (``sqlite3``'s named style)."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect(paramstyle="named")
    return {name: str(stmt.compile(dialect=dialect)) for name, stmt in statements().items()}


def _version_table_ddl() -> str:
    """Alembic's version table, as Alembic creates it."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateTable

    from cairn.store.registry_migrate import VERSION_TABLE

    table = sa.Table(
        VERSION_TABLE,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
    )
    return str(CreateTable(table).compile(dialect=sqlite.dialect())).strip()


def server_text(backend: str) -> dict[str, str]:
    """Each statement's SQL for ``postgresql`` or ``mysql``, with ``%(name)s`` parameters
    (what psycopg and PyMySQL take, so that reads need no SQLAlchemy)."""
    from sqlalchemy.dialects import mysql, postgresql

    module: Any = postgresql if backend == "postgresql" else mysql
    dialect = module.dialect(paramstyle="pyformat")
    return {name: str(stmt.compile(dialect=dialect)) for name, stmt in statements().items()}


def render_sqlite_module() -> str:
    """The source of :mod:`cairn.store.registry_sql`."""
    from cairn.store.registry_migrate import HEAD_REVISION, REVISIONS, VERSION_TABLE

    lines = [
        '"""GENERATED by ``python -m cairn.store.registry_statements``: do not edit.',
        "",
        "SQL of the registry for SQLite, compiled from :mod:`cairn.store.registry_tables` and",
        ":mod:`cairn.store.registry_statements` (the SQLite store imports no SQLAlchemy).",
        '"""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "",
        f"HEAD_REVISION = {HEAD_REVISION!r}",
        "#: ``PRAGMA user_version`` of a registry at HEAD_REVISION (one per revision).",
        f"USER_VERSION = {len(REVISIONS)}",
        "",
        "CREATE: tuple[str, ...] = (",
        *(f"    {ddl!r}," for ddl in sqlite_ddl()),
        f"    {_version_table_ddl()!r},",
        f"    \"INSERT INTO {VERSION_TABLE} (version_num) VALUES ('{HEAD_REVISION}')\",",
        ")",
        "",
        "SQL: dict[str, str] = {",
        *(f"    {name!r}: {sql!r}," for name, sql in sorted(sqlite_text().items())),
        "}",
        "",
        "#: The same statements for the shared registry's servers, run by their drivers.",
        "SERVER_SQL: dict[str, dict[str, str]] = {",
        *(
            line
            for backend in ("mysql", "postgresql")
            for line in (
                f"    {backend!r}: {{",
                *(
                    f"        {name!r}: {sql!r},"
                    for name, sql in sorted(server_text(backend).items())
                ),
                "    },",
            )
        ),
        "}",
        "",
    ]
    return "\n".join(lines)


def module_path() -> Path:
    """Where the generated module lives."""
    return Path(__file__).with_name("registry_sql.py")


if __name__ == "__main__":  # pragma: no cover (rewrites the generated module)
    module_path().write_text(render_sqlite_module(), encoding="utf-8")
    sys.exit(0)
