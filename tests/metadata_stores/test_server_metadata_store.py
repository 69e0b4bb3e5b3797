"""The ``postgresql`` and ``mysql`` flavors: configuration, connection errors, a real run."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cairn.enums import StackComponentType as T
from cairn.exceptions import StoreError
from cairn.integrations.mysql.metadata_store import MySQLMetadataStore
from cairn.integrations.postgresql.metadata_store import PostgreSQLMetadataStore
from cairn.stack import StackRegistry
from cairn.store.metadata.engine import dispose_engine

from .test_sql_metadata_store_servers import SERVERS, require_server, temporary_database


def test_postgresql_url_carries_ssl_options_and_the_password() -> None:
    store = PostgreSQLMetadataStore(name="pg", host="db.example", port=6543, database="ml",
                                    username="ana", password="p@ss:word", ssl_mode="verify-full",
                                    ssl_ca="/etc/ca.pem")  # fmt: skip
    url = sa.make_url(store.connection_url())
    assert (url.host, url.port, url.database, url.username) == ("db.example", 6543, "ml", "ana")
    assert url.password == "p@ss:word"
    assert url.query["sslmode"] == "verify-full" and url.query["sslrootcert"] == "/etc/ca.pem"


def test_mysql_url_carries_ssl_options() -> None:
    store = MySQLMetadataStore(name="my", database="ml", ssl_ca="/etc/ca.pem",
                               ssl_mode="verify_identity")  # fmt: skip
    url = sa.make_url(store.connection_url())
    assert (url.port, url.username, url.query["charset"]) == (3306, "root", "utf8mb4")
    assert url.query["ssl_ca"] == "/etc/ca.pem" and url.query["ssl_check_hostname"] == "true"
    plain = sa.make_url(MySQLMetadataStore(name="m", ssl_mode="disabled").connection_url())
    assert not any(k.startswith("ssl") for k in plain.query)


@pytest.mark.parametrize("cls", [PostgreSQLMetadataStore, MySQLMetadataStore])
def test_the_password_is_a_secret(cls: type) -> None:
    store = cls(name="s", password="hunter2-secret")
    assert "password" in cls.secret_fields()
    assert "hunter2-secret" not in str(store.config_dict()) + repr(store) + store.address


@pytest.mark.parametrize("cls", [PostgreSQLMetadataStore, MySQLMetadataStore])
def test_unreachable_server_is_one_line_naming_the_component(cls: type) -> None:
    store = cls(name="team_db", port=9, connect_timeout=2)
    with pytest.raises(StoreError) as info:
        store.count_runs()
    message = str(info.value)
    assert "\n" not in message, message
    assert "metadata-store 'team_db'" in message and "127.0.0.1:9" in message


@pytest.mark.server
def test_mariadb_wrong_password_is_one_line_without_the_password() -> None:
    require_server(*SERVERS["mariadb"][:2])
    store = MySQLMetadataStore(name="team_db", password="wrong-password-123")
    with pytest.raises(StoreError, match="Access denied") as info:
        store.count_runs()
    assert "\n" not in str(info.value) and "wrong-password-123" not in str(info.value)
    dispose_engine(store.connection_url())


@pytest.mark.server
def test_postgresql_missing_database_is_one_line() -> None:
    require_server(*SERVERS["postgresql"][:2])
    store = PostgreSQLMetadataStore(name="team_db", database="cairn_no_such_database")
    with pytest.raises(StoreError, match="cairn_no_such_database") as info:
        store.count_runs()
    assert "\n" not in str(info.value)
    dispose_engine(store.connection_url())


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_a_pipeline_runs_on_a_registered_server_store(kind: str) -> None:
    from cairn.client import Client
    from cairn.testing._artifact_store_checks import conformance_numbers

    flavor = "postgresql" if kind == "postgresql" else "mysql"
    with temporary_database(kind) as database:
        registry = StackRegistry()
        registry.register_component(T.METADATA_STORE, "team_db", flavor, {"database": database})
        registry.register_stack("team", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default",
                                         T.METADATA_STORE: "team_db"}, activate=True)  # fmt: skip
        store = registry.get_component(T.METADATA_STORE, "team_db")
        try:
            run = conformance_numbers(n=10).run(run_name="on-server")
            assert str(run.status) == "completed"
            again = Client().get_run("on-server")
            assert again.steps["total"].outputs["output"].load() == sum(i * i for i in range(10))
        finally:
            dispose_engine(store.connection_url())  # type: ignore[attr-defined]
