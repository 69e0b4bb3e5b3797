"""Fixtures of the registry store tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cairn.store.registry_store import SQLiteRegistryStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registry" / "registry.db"


@pytest.fixture
def store(db_path: Path, tmp_path: Path) -> Iterator[SQLiteRegistryStore]:
    with SQLiteRegistryStore(db_path, tmp_path / "local_stores") as opened:
        yield opened


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def dump() -> Callable[[Path], list[str]]:
    """Every row of a database as SQL, to compare before and after a failed write."""
    return _dump


SERVERS = {
    "postgresql": ("PostgreSQL", 5432, "postgresql+psycopg://postgres@127.0.0.1:5432"),
    "mariadb": ("MariaDB", 3306, "mysql+pymysql://root@127.0.0.1:3306"),
}


def require_server(name: str, port: int) -> None:
    """``tests/conftest.py``'s ``require_server`` (loaded by path: ``conftest`` is ambiguous)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.require_server(name, port)


def new_database(kind: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server ``kind``: its URL and how to drop it."""
    import uuid

    import sqlalchemy as sa

    name, port, base = SERVERS[kind]
    require_server(name, port)
    database = f"cairn_registry_test_{uuid.uuid4().hex[:12]}"
    admin_url = f"{base}/postgres" if kind == "postgresql" else f"{base}/"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {database}")

    def drop() -> None:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
                )
            conn.exec_driver_sql(f"DROP DATABASE {database}")
        admin.dispose()

    suffix = "?charset=utf8mb4" if kind == "mariadb" else ""
    return f"{base}/{database}{suffix}", drop


@pytest.fixture(params=sorted(SERVERS))
def shared_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh database on PostgreSQL, then MariaDB (dropped afterwards)."""
    url, drop = new_database(str(request.param))
    try:
        yield url
    finally:
        drop()
