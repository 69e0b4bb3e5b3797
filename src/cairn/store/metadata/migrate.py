"""Bring a metadata database to the schema this version of Cairn uses.

:func:`upgrade` is called by the store on its first connection in each process.
When the database is already at :data:`~cairn.store.metadata.schema.HEAD_REVISION`
it costs one ``SELECT`` and Alembic is not even imported; otherwise the shipped
Alembic revisions are applied through Alembic's command API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cairn.exceptions import StoreSchemaError
from cairn.store.metadata.schema import HEAD_REVISION

#: Key of the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK_KEY = 0x6361697201
VERSION_TABLE = "alembic_version"


def migrations_dir() -> Path:
    """The folder of the Alembic environment shipped in the package."""
    return Path(__file__).parent / "migrations"


def current_revision(connection: sa.Connection) -> str | None:
    """The revision a database is at, or None for an empty database."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def alembic_config(connection: sa.Connection) -> Any:
    """An Alembic ``Config`` that migrates over ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """The revision ids shipped in the package (``versions/<id>_<title>.py``)."""
    folder = migrations_dir() / "versions"
    return {f.name.split("_", 1)[0] for f in folder.glob("[0-9]*_*.py")}


def _check_known(revision: str | None, where: str) -> None:
    if revision is not None and revision not in known_revisions():
        raise StoreSchemaError(
            f"The metadata store at {where} has schema revision {revision!r}, newer than this "
            "version of Cairn understands: upgrade Cairn (pip install -U cairn)."
        )


def upgrade(
    engine: sa.Engine,
    revision: str = "head",
    lock: Callable[[], AbstractContextManager[Any]] = nullcontext,
    connect: Callable[[], sa.Connection] | None = None,
) -> str | None:
    """Apply the migrations up to ``revision``; return the revision the database was at.

    Args:
        engine: the engine of the database.
        revision: target revision (``head`` or e.g. ``0001``).
        lock: a context manager factory serialising migrations between processes.
        connect: how to open a write connection (default ``engine.connect``).
    """
    where = engine.url.render_as_string(hide_password=True)
    opener = connect or engine.connect
    with opener() as conn:
        before = current_revision(conn)
    _check_known(before, where)
    if before == HEAD_REVISION and revision == "head":
        return before
    from alembic import command

    with lock(), opener() as conn, _server_lock(conn), conn.begin():
        if conn.dialect.name == "postgresql":  # released when the transaction ends
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        before = current_revision(conn)
        _check_known(before, where)
        command.upgrade(alembic_config(conn), revision)
    return before


@contextmanager
def _server_lock(conn: sa.Connection) -> Iterator[None]:
    """On MySQL/MariaDB, a named lock held until the migration is committed.

    (MySQL commits DDL implicitly, so the lock must outlive the transaction;
    PostgreSQL uses a transaction-scoped advisory lock instead.)
    """
    if conn.dialect.name not in ("mysql", "mariadb"):
        yield
        return
    conn.execute(sa.text("SELECT GET_LOCK('cairn_metadata_migrate', 300)"))
    conn.commit()
    try:
        yield
    finally:
        conn.execute(sa.text("SELECT RELEASE_LOCK('cairn_metadata_migrate')"))
        conn.commit()
