"""The registry's one migration history (Alembic), for SQLite and for database servers.

Revisions live in ``registry_migrations/versions/`` and are the same for every
backend. Alembic records the revision in ``cairn_registry_version`` (not
``alembic_version``: a team may keep its registry and its metadata store in one
database). On SQLite, ``PRAGMA user_version`` mirrors the revision's position
(1 for ``0001``...), so that opening an up-to-date registry costs one pragma and
no SQLAlchemy; registries from before Alembic (``user_version`` 1-3, with no
version table) are stamped at their revision and upgraded from there.

A fresh local registry at the newest revision is created without Alembic, from
the SQL generated out of the same table definitions
(:mod:`cairn.store.registry_sql`); a test checks that it equals what the
migrations build.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Revisions shipped in ``registry_migrations/versions/``, oldest first.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004")
HEAD_REVISION = REVISIONS[-1]
VERSION_TABLE = "cairn_registry_version"
#: PostgreSQL advisory lock key / MySQL named lock held while migrating a shared registry.
LOCK_KEY = 0x6361697202
LOCK_NAME = "cairn_registry_migrate"


def migrations_dir() -> Path:
    """The Alembic environment shipped in the package."""
    return Path(__file__).with_name("registry_migrations")


def _config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Any) -> str | None:
    """The Alembic revision of a database, or None (empty, or from before Alembic)."""
    import sqlalchemy as sa

    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def upgrade(connection: Any, revision: str, legacy_version: int = 0) -> None:
    """Apply the revisions up to ``revision`` on ``connection`` (in its transaction).

    Args:
        legacy_version: a SQLite registry's ``user_version`` when it has no Alembic
            version table yet (its hand-written revision, stamped first).
    """
    from alembic import command

    config = _config(connection)
    if legacy_version and current_revision(connection) is None:
        command.stamp(config, REVISIONS[legacy_version - 1])
    command.upgrade(config, revision)


def sqlite_engine(path: Path) -> Any:
    """A SQLAlchemy engine on a registry file whose write transactions start ``BEGIN IMMEDIATE``."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


@contextmanager
def locked_transaction(conn: Any) -> Iterator[None]:
    """A transaction on ``conn`` that one machine at a time holds, to migrate a shared registry.

    PostgreSQL: a transaction-scoped advisory lock; MySQL/MariaDB: a named lock
    around the transaction (DDL commits implicitly there, so the lock must
    outlive it).
    """
    import sqlalchemy as sa

    mysql = conn.dialect.name in ("mysql", "mariadb")
    if mysql:
        conn.execute(sa.text(f"SELECT GET_LOCK('{LOCK_NAME}', 300)"))
        conn.commit()
    try:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            yield
    finally:
        if mysql:
            conn.execute(sa.text(f"SELECT RELEASE_LOCK('{LOCK_NAME}')"))
            conn.commit()
