"""The shared registry on PostgreSQL and MariaDB: the store contract, migrations, concurrency.

Each test uses its own database, dropped afterwards; skipped when the servers are
absent (failed with CAIRN_REQUIRE_SERVERS=1).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cairn.enums import StackComponentType as T
from cairn.exceptions import ConcurrentUpdateError, ConfigurationError, StoreError
from cairn.store.records import ComponentRecord
from cairn.store.registry_migrate import HEAD_REVISION, VERSION_TABLE
from cairn.store.registry_store import SQLiteRegistryStore
from cairn.store.server_registry_store import ServerRegistryStore, TeamRegistryStore
from cairn.testing import RegistryStoreConformance

pytestmark = pytest.mark.server


def _load_conftest() -> Any:
    """This folder's ``conftest.py`` (loaded by path: ``conftest`` is ambiguous)."""
    import importlib.util

    path = Path(__file__).with_name("conftest.py")
    spec = importlib.util.spec_from_file_location("_cairn_tests_store_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_HELPERS = _load_conftest()
SERVERS, new_database = _HELPERS.SERVERS, _HELPERS.new_database


def _component(name: str, type: T = T.ARTIFACT_STORE, **config: Any) -> ComponentRecord:
    return ComponentRecord(str(uuid.uuid4()), type, "local", name, config or {"path": "/a"})


class _OnServer(RegistryStoreConformance):
    """Runs the conformance suite with a fresh database per test."""

    @pytest.fixture(autouse=True)
    def _database(self, kind: str, tmp_path: Path) -> Iterator[None]:
        self.url, drop = new_database(kind)
        self.tmp = tmp_path
        try:
            self.store = self.make_store()
            yield
        finally:
            close = getattr(getattr(self, "store", None), "close", None)
            if close is not None:
                close()
            drop()

    def setup_method(self, method: Any = None) -> None:
        """Deferred: the database fixture runs after setup_method."""

    def teardown_method(self, method: Any = None) -> None:
        """Done by the fixture (before the database is dropped)."""


@pytest.mark.parametrize("kind", sorted(SERVERS))
class TestServerRegistryConformance(_OnServer):
    """The same contract as SQLite's, on PostgreSQL and MariaDB (seeded like a local one)."""

    def make_store(self) -> ServerRegistryStore:
        store = ServerRegistryStore(self.url)
        with store._write():
            store._seed_local(self.tmp / "local_stores", 4)
        return store


@pytest.mark.parametrize("kind", sorted(SERVERS))
class TestTeamRegistryStore:
    """A user connected to a shared registry: what is shared and what stays on the machine."""

    @pytest.fixture(autouse=True)
    def _stores(self, kind: str, tmp_path: Path) -> Iterator[None]:
        self.url, drop = new_database(kind)
        local = SQLiteRegistryStore(tmp_path / "registry.db", tmp_path / "local_stores")
        self.store = TeamRegistryStore(local, ServerRegistryStore(self.url))
        try:
            yield
        finally:
            self.store.close()
            drop()

    def test_the_default_stack_and_the_active_stack_stay_local(self) -> None:
        assert self.store.get_active_stack_name() == "default"
        assert [s.name for s in self.store.list_stacks()] == ["default"]
        assert {c.name for c in self.store.list_components()} == {"default"}
        assert self.store.shared.list_components() == []  # machine-local paths are not shared

    def test_shared_components_and_stacks_are_in_the_shared_database(self) -> None:
        self.store.create_component(_component("art"))
        self.store.create_component(_component("orch", T.ORCHESTRATOR))
        self.store.create_stack("team", {T.ORCHESTRATOR: "orch", T.ARTIFACT_STORE: "art"})
        self.store.set_active_stack_name("team")
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT name FROM stack_components ORDER BY name"))
            stacks = conn.execute(sa.text("SELECT name FROM stacks")).scalars().all()
            settings = conn.execute(sa.text("SELECT count(*) FROM settings")).scalar()
            revision = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            assert names.scalars().all() == ["art", "orch"]
        engine.dispose()
        assert stacks == ["team"] and revision == HEAD_REVISION
        assert settings == 0  # the active stack is this user's, kept locally
        assert self.store.local.get_active_stack_name() == "team"
        assert [s.name for s in self.store.list_stacks()] == ["default", "team"]
        self.store.rename_stack("team", "ml")
        assert self.store.get_active_stack_name() == "ml"

    def test_a_shared_stack_cannot_use_this_machine_s_defaults(self) -> None:
        with pytest.raises(ConfigurationError, match="cannot use the 'default' orchestrator"):
            self.store.create_stack("team", {T.ORCHESTRATOR: "default"})
        assert [s.name for s in self.store.list_stacks()] == ["default"]


def _open(url: str) -> ServerRegistryStore:
    return ServerRegistryStore(url)


def test_two_machines_migrate_once_and_see_each_other(shared_url: str) -> None:
    stores: list[ServerRegistryStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            stores.append(_open(shared_url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(stores) == 4
    stores[0].create_component(_component("art"))
    assert [c.name for c in stores[3].list_components()] == ["art"]
    assert all(s.schema_version == HEAD_REVISION for s in stores)
    for store in stores:
        store.close()


def test_a_stale_update_is_refused_with_a_retry_message(shared_url: str) -> None:
    first, second = _open(shared_url), _open(shared_url)
    try:
        first.create_component(_component("art", path="/a"))
        seen = second.get_component(T.ARTIFACT_STORE, "art")
        first.update_component(T.ARTIFACT_STORE, "art", {"path": "/b"})
        with pytest.raises(ConcurrentUpdateError, match=r"changed by someone else.*again"):
            second.update_component(T.ARTIFACT_STORE, "art", {"path": "/c"},
                                    expected_config=seen.config)  # fmt: skip
        assert first.get_component(T.ARTIFACT_STORE, "art").config == {"path": "/b"}
        assert first.get_component(T.ARTIFACT_STORE, "art").version == 2
        first.create_stack("s", {T.ARTIFACT_STORE: "art"})
        stack = second.get_stack("s")
        first.update_stack("s", {}, {T.ARTIFACT_STORE})
        with pytest.raises(ConcurrentUpdateError):
            second.update_stack("s", {T.ARTIFACT_STORE: "art"}, expected_version=stack.version)
        assert first.get_stack("s").components == {}
    finally:
        first.close()
        second.close()


def test_concurrent_updates_from_several_machines_lose_none(
    shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight 'machines' each set another parameter of one component at once: all are kept."""
    from cairn.stack import StackRegistry

    monkeypatch.setenv("CAIRN_REGISTRY_URL", shared_url)
    first = StackRegistry()
    first.register_component(T.ALERTER, "hook", "webhook", {"url": "http://127.0.0.1:9/x"})
    first.store.close()  # type: ignore[attr-defined]
    barrier = threading.Barrier(8, timeout=60)
    errors: list[BaseException] = []
    headers = [f"X-{i}" for i in range(8)]

    def machine(i: int) -> None:
        try:
            registry = StackRegistry()
            barrier.wait()
            _set_header(registry, headers[i])
            registry.store.close()  # type: ignore[attr-defined]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=machine, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    last = StackRegistry()
    config = last.store.get_component(T.ALERTER, "hook").config
    last.store.close()  # type: ignore[attr-defined]
    assert sorted(config["headers"]) == headers


def _set_header(registry: Any, header: str) -> None:
    """Add one header, retrying on a concurrent change (as ``StackRegistry`` does)."""
    for _attempt in range(40):
        record = registry.store.get_component(T.ALERTER, "hook")
        config = dict(record.config)
        config["headers"] = {**config.get("headers", {}), header: "1"}
        try:
            registry.store.update_component(T.ALERTER, "hook", config,
                                            expected_config=record.config)  # fmt: skip
            return
        except ConcurrentUpdateError:
            continue
    raise AssertionError(f"{header} never got in")


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as info:
        ServerRegistryStore("postgresql+psycopg://ana:s3cret-pw@127.0.0.1:9/team",
                            "postgresql+psycopg://ana:***@127.0.0.1:9/team")  # fmt: skip
    message = str(info.value)
    assert "\n" not in message and "s3cret-pw" not in message
    assert "shared registry at postgresql+psycopg://ana:***@127.0.0.1:9/team" in message


def test_an_older_shared_registry_is_upgraded_in_place(shared_url: str) -> None:
    from cairn.store.registry_migrate import locked_transaction, upgrade

    engine = sa.create_engine(shared_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn, locked_transaction(conn):
        upgrade(conn, "0003")
        conn.execute(sa.text("INSERT INTO stack_components (uuid, type, flavor, name, config, "
                             "created, updated) VALUES ('u1', 'artifact_store', 'local', 'old', "
                             "'{}', 1, 1)"))  # fmt: skip
    engine.dispose()
    store = ServerRegistryStore(shared_url)
    try:
        assert store.schema_version == HEAD_REVISION
        old = store.get_component(T.ARTIFACT_STORE, "old")
        assert (old.uuid, old.version) == ("u1", 1)
        store.update_component(T.ARTIFACT_STORE, "old", {"path": "/p"})
        assert store.get_component(T.ARTIFACT_STORE, "old").version == 2
    finally:
        store.close()


def test_a_newer_shared_registry_is_refused(shared_url: str) -> None:
    from cairn.exceptions import StoreSchemaError

    store = ServerRegistryStore(shared_url)
    store.close()
    engine = sa.create_engine(shared_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(StoreSchemaError, match="newer than this Cairn"):
        ServerRegistryStore(shared_url)
