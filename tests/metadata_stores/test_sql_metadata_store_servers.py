"""The metadata store contract on PostgreSQL and MariaDB (the ``postgresql`` and ``mysql`` flavors).

Each test runs in a fresh database, dropped afterwards. Skipped when the server
is not reachable (failed instead when CAIRN_REQUIRE_SERVERS=1).
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from cairn.metadata_stores import SQLMetadataStore
from cairn.store.metadata.engine import dispose_engine
from cairn.testing.metadata_store_contract import MetadataStoreContract, make_run


def require_server(name: str, port: int) -> None:
    """``tests/conftest.py``'s ``require_server`` (loaded by path: ``conftest`` is ambiguous)."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cairn_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.require_server(name, port)


SERVERS = {
    "postgresql": ("PostgreSQL", 5432, "postgresql+psycopg://postgres@127.0.0.1:5432"),
    "mariadb": ("MariaDB", 3306, "mysql+pymysql://root@127.0.0.1:3306"),
}


def flavor_store(kind: str, database: str, name: str = "server") -> SQLMetadataStore:
    """The real flavor (``postgresql`` or ``mysql``) on this machine's server."""
    if kind == "postgresql":
        from cairn.integrations.postgresql.metadata_store import PostgreSQLMetadataStore

        return PostgreSQLMetadataStore(name=name, database=database)
    from cairn.integrations.mysql.metadata_store import MySQLMetadataStore

    return MySQLMetadataStore(name=name, database=database)


def _admin_engine(kind: str) -> sa.Engine:
    base = SERVERS[kind][2]
    url = f"{base}/test" if kind == "postgresql" else f"{base}/"
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


@contextmanager
def temporary_database(kind: str) -> Iterator[str]:
    """A fresh database on the server ``kind``, dropped afterwards."""
    name, port, _ = SERVERS[kind]
    require_server(name, port)
    database = f"cairn_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(kind)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {database}")
    try:
        yield database
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {database}")
        admin.dispose()


@pytest.fixture(params=sorted(SERVERS))
def store(request: pytest.FixtureRequest) -> Iterator[SQLMetadataStore]:
    with temporary_database(request.param) as database:
        store = flavor_store(request.param, database)
        try:
            yield store
        finally:
            dispose_engine(store.connection_url())


@pytest.mark.server
class TestServerContract(MetadataStoreContract):
    """Every method of the metadata store API on PostgreSQL and MariaDB."""

    def test_times_keep_sub_second_precision(self, store: SQLMetadataStore) -> None:
        run = make_run(store)
        updated = store.update_run_status(run.id, "completed")  # type: ignore[arg-type]
        assert updated.finished is not None and updated.started is not None
        assert updated.finished - run.created < 60 and run.created % 1 != 0.0

    def test_concurrent_first_connections_migrate_once(self, store: SQLMetadataStore) -> None:
        from concurrent.futures import ThreadPoolExecutor

        stores = [type(store)(name=f"s{i}", database=store.database) for i in range(4)]  # type: ignore[attr-defined]
        with ThreadPoolExecutor(4) as pool:
            counts = list(pool.map(lambda s: s.count_runs(), stores))
        assert counts == [0, 0, 0, 0]
