"""Secret references: parsing, plain values moved into a secrets manager, verification, use."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from cairn.enums import StackComponentType as T
from cairn.exceptions import ConfigurationError, DoesNotExistError, StackValidationError
from cairn.stack import StackRegistry
from cairn.stack.secret_references import (
    SecretReference,
    auto_secret_name,
    is_reference,
    iter_references,
    parse_reference,
)
from cairn.store.records import ComponentRecord, FlavorRecord
from cairn.store.registry_store import SQLiteRegistryStore

MakeModule = Callable[..., str]
VALUE = "hunter2-very-secret"

HORN = """
from typing import ClassVar
from pydantic import SecretStr
from cairn.alerters import BaseAlerter

class Horn(BaseAlerter):
    FLAVOR: ClassVar[str] = "horn"
    channel: str = "general"
    token: SecretStr | None = None
    tokens: list[SecretStr] = []

    def _post(self, message, params) -> None:
        assert self.resolve_secret(self.token) is not None
"""


@pytest.fixture
def registry(make_module: MakeModule) -> StackRegistry:
    registry = StackRegistry()
    module = make_module(HORN)
    registry.store.register_flavor(FlavorRecord(T.ALERTER, "horn", f"{module}:Horn"))
    return registry


def _manager(registry: StackRegistry):  # type: ignore[no-untyped-def]
    return registry.default_secrets_manager()


# ---------------------------------------------------------------- parsing
def test_parse_references() -> None:
    assert parse_reference("{{db.password}}") == SecretReference("db", "password")
    assert parse_reference("{{ my-db_2.user_name }}") == SecretReference("my-db_2", "user_name")
    assert str(SecretReference("a", "b")) == "{{a.b}}"
    assert parse_reference("plain") is None and parse_reference(3) is None
    for bad in ("{{db}}", "{{.k}}", "{{a/b.k}}", "{{db.pass word}}"):
        with pytest.raises(ConfigurationError, match="Invalid secret reference"):
            parse_reference(bad)
    assert not is_reference("{{db}}")
    found = list(iter_references({"a": ["{{x.y}}", "z"], "b": "{{p.q}}"}))
    assert found == [SecretReference("x", "y"), SecretReference("p", "q")]
    assert auto_secret_name("alerter", "my horn!", "token") == "alerter-my-horn-token"


# ---------------------------------------------------------------- default stack
def test_a_new_installation_has_a_local_default_secrets_manager() -> None:
    registry = StackRegistry()
    stack = registry.get_stack()
    assert stack.secrets_manager is not None
    assert (stack.secrets_manager.FLAVOR, stack.secrets_manager.name) == ("local", "default")


def test_migration_adds_it_to_an_existing_default_stack(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SQLiteRegistryStore(path, tmp_path / "ls", upto=2).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM stack_memberships").fetchone()[0] == 3
    with SQLiteRegistryStore(path, tmp_path / "ls") as store:
        stack = store.get_stack("default")
        assert stack.components[T.SECRETS_MANAGER] == "default"
        assert store.get_component(T.SECRETS_MANAGER, "default").flavor == "local"


# ---------------------------------------------------------------- plain values move
def test_a_plain_secret_value_becomes_a_secret_and_a_reference(registry: StackRegistry) -> None:
    registry.register_component(T.ALERTER, "h", "horn", {"token": VALUE})
    record = registry.store.get_component(T.ALERTER, "h")
    assert record.config["token"] == "{{alerter-h-token.value}}"
    assert VALUE not in json.dumps(record.config)
    assert _manager(registry).get_secret("alerter-h-token")["value"].get_secret_value() == VALUE
    assert any("alerter-h-token" in n for n in registry.notices)
    live = registry.get_component(T.ALERTER, "h")
    assert live.config_dict()["token"] == "{{alerter-h-token.value}}"
    assert live.resolve_secret(live.token) == VALUE  # type: ignore[attr-defined]


def test_update_with_a_plain_value_updates_the_same_secret(registry: StackRegistry) -> None:
    registry.register_component(T.ALERTER, "h", "horn", {"token": "one"})
    registry.update_component(T.ALERTER, "h", {"token": "two"})
    manager = _manager(registry)
    assert manager.list_secrets() == ["alerter-h-token"]
    assert manager.get_secret("alerter-h-token")["value"].get_secret_value() == "two"
    registry.update_component(T.ALERTER, "h", {"channel": "x"})
    assert registry.store.get_component(T.ALERTER, "h").config["token"] == (
        "{{alerter-h-token.value}}"
    )


def test_an_existing_secret_of_that_name_is_never_overwritten(registry: StackRegistry) -> None:
    manager = _manager(registry)
    manager.register_secret("alerter-h-token", {"value": "someone else's"})
    registry.register_component(T.ALERTER, "h", "horn", {"token": VALUE})
    assert registry.store.get_component(T.ALERTER, "h").config["token"] == (
        "{{alerter-h-token-2.value}}"
    )
    assert manager.get_secret("alerter-h-token")["value"].get_secret_value() == "someone else's"


def test_a_failed_register_leaves_no_secret_behind(registry: StackRegistry) -> None:
    registry.register_component(T.ALERTER, "h", "horn", {})
    before = _manager(registry).list_secrets()
    with pytest.raises(Exception, match="already exists"):
        registry.register_component(T.ALERTER, "h", "horn", {"token": VALUE})
    assert _manager(registry).list_secrets() == before


def test_without_a_secrets_manager_a_plain_value_is_refused(registry: StackRegistry) -> None:
    registry.update_stack("default", {}, {T.SECRETS_MANAGER})
    before = registry.store.list_components()
    with pytest.raises(ConfigurationError, match="has none") as refused:
        registry.register_component(T.ALERTER, "h", "horn", {"token": VALUE})
    assert VALUE not in str(refused.value)
    assert registry.store.list_components() == before


def test_plain_secrets_inside_a_list_move_too(registry: StackRegistry) -> None:
    registry.register_component(T.ALERTER, "h", "horn", {"tokens": [VALUE, "{{a.b}}", "two"]},
                                verify=False)  # fmt: skip
    assert registry.store.get_component(T.ALERTER, "h").config["tokens"] == [
        "{{alerter-h-tokens.item_0}}", "{{a.b}}", "{{alerter-h-tokens.item_1}}"
    ]  # fmt: skip
    secret = _manager(registry).get_secret("alerter-h-tokens")
    assert {k: v.get_secret_value() for k, v in secret.items()} == {"item_0": VALUE,
                                                                     "item_1": "two"}  # fmt: skip


# ---------------------------------------------------------------- verification
def test_references_are_verified_unless_no_verify(registry: StackRegistry) -> None:
    with pytest.raises(DoesNotExistError, match=r"no secret 'slack'.*--no-verify"):
        registry.register_component(T.ALERTER, "h", "horn", {"token": "{{slack.token}}"})
    _manager(registry).register_secret("slack", {"other": "x"})
    with pytest.raises(DoesNotExistError, match="has no key 'token'"):
        registry.register_component(T.ALERTER, "h", "horn", {"channel": "{{slack.token}}"})
    with pytest.raises(DoesNotExistError):
        registry.store.get_component(T.ALERTER, "h")
    registry.register_component(T.ALERTER, "h", "horn", {"token": "{{slack.token}}"},
                                verify=False)  # fmt: skip
    with pytest.raises(DoesNotExistError, match="no key 'token'"):
        registry.update_component(T.ALERTER, "h", {"channel": "{{slack.token}}"})
    _manager(registry).update_secret("slack", {"token": VALUE})
    registry.update_component(T.ALERTER, "h", {"channel": "{{slack.other}}"})


def test_stack_validate_reports_missing_references(registry: StackRegistry) -> None:
    registry.register_component(T.ALERTER, "h", "horn", {"token": "{{gone.token}}"},
                                verify=False)  # fmt: skip
    registry.update_stack("default", {T.ALERTER: "h"})
    stack = registry.get_stack()  # building a stack does not resolve anything
    with pytest.raises(StackValidationError, match=r"token = \{\{gone.token\}\}: no secret"):
        stack.validate_secrets()
    _manager(registry).register_secret("gone", {"token": VALUE})
    stack.validate_secrets()
    assert registry.get_stack().alerter.post("hi")  # type: ignore[union-attr]


# ---------------------------------------------------------------- resolution
def test_references_resolve_through_the_stack_s_secrets_manager(
    registry: StackRegistry,
) -> None:
    registry.register_component(T.SECRETS_MANAGER, "other", "local", {})
    other = registry.get_component(T.SECRETS_MANAGER, "other")
    other.register_secret("s", {"k": "from other"})  # type: ignore[attr-defined]
    _manager(registry).register_secret("s", {"k": "from default"})
    registry.register_component(T.ALERTER, "h", "horn", {"token": "{{s.k}}"})
    registry.register_stack("o", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default",
                                  T.METADATA_STORE: "default", T.SECRETS_MANAGER: "other",
                                  T.ALERTER: "h"})  # fmt: skip
    horn = registry.get_stack("o").alerter
    assert horn.resolve_secret(horn.token) == "from other"  # type: ignore[union-attr]
    alone = registry.get_component(T.ALERTER, "h")  # outside a stack: the active stack's
    assert alone.resolve_secret(alone.token) == "from default"  # type: ignore[attr-defined]
    registry.register_stack("bare", {T.ORCHESTRATOR: "default", T.ARTIFACT_STORE: "default",
                                     T.METADATA_STORE: "default", T.ALERTER: "h"})  # fmt: skip
    bare = registry.get_stack("bare").alerter
    with pytest.raises(DoesNotExistError, match="has no secrets manager"):
        bare.resolve_secret(bare.token)  # type: ignore[union-attr]


def test_a_secrets_manager_s_own_secrets_go_to_the_default_one(registry: StackRegistry) -> None:
    registry.register_component(T.SECRETS_MANAGER, "v", "vault",
                                {"url": "http://127.0.0.1:1", "token": VALUE})  # fmt: skip
    record = registry.store.get_component(T.SECRETS_MANAGER, "v")
    assert record.config["token"] == "{{secrets-manager-v-token.value}}"
    vault = registry.get_component(T.SECRETS_MANAGER, "v")
    assert vault.resolve_secret(vault.token) == VALUE  # type: ignore[attr-defined]


def test_validation_errors_never_show_the_input(registry: StackRegistry) -> None:
    with pytest.raises(ConfigurationError) as refused:
        registry.register_component(T.ALERTER, "h", "horn", {"token": {"nested": VALUE}})
    chain: BaseException | None = refused.value
    while chain is not None:
        assert VALUE not in str(chain)
        chain = chain.__cause__ or chain.__context__


# ---------------------------------------------------------------- legacy records
def test_plain_values_of_old_registries_move_once(isolated_config: Path, make_module: MakeModule
                                                  ) -> None:  # fmt: skip
    first = StackRegistry()
    module = make_module(HORN)
    first.store.register_flavor(FlavorRecord(T.ALERTER, "horn", f"{module}:Horn"))
    legacy = ComponentRecord("0b7a3c4e-0000-4000-8000-000000000001", T.ALERTER, "horn", "old",
                             {"channel": "c", "__secrets__": {"token": VALUE}})  # fmt: skip
    first.store.create_component(legacy)
    second = StackRegistry()
    assert len(second.notices) == 1 and "Moved 1 secret value(s)" in second.notices[0]
    assert VALUE not in second.notices[0]
    record = second.store.get_component(T.ALERTER, "old")
    assert record.config == {"channel": "c", "token": "{{alerter-old-token.value}}"}
    horn = second.get_component(T.ALERTER, "old")
    assert horn.resolve_secret(horn.token) == VALUE  # type: ignore[attr-defined]
    assert StackRegistry().notices == []
    for file in isolated_config.glob("registry.db*"):
        assert VALUE.encode() not in file.read_bytes(), file


def test_migration_keeps_a_stack_s_own_secrets_manager(tmp_path: Path) -> None:
    import uuid

    path = tmp_path / "old.db"
    SQLiteRegistryStore(path, tmp_path / "ls", upto=2).close()
    with sqlite3.connect(path) as conn:  # what Cairn at revision 2 wrote
        ci, other = str(uuid.uuid4()), str(uuid.uuid4())
        for cid, name in ((ci, "ci"), (other, "default")):
            conn.execute("INSERT INTO stack_components VALUES (?, 'secrets_manager', 'env', ?, "
                         "'{}', 0, 0)", (cid, name))  # fmt: skip
        conn.execute("INSERT INTO stack_memberships SELECT uuid, 'secrets_manager', ? FROM stacks "
                     "WHERE name = 'default'", (ci,))  # fmt: skip
    with SQLiteRegistryStore(path, tmp_path / "ls") as store:
        assert store.get_stack("default").components[T.SECRETS_MANAGER] == "ci"
        assert store.get_component(T.SECRETS_MANAGER, "default").flavor == "env"
        assert len(store.list_components(T.SECRETS_MANAGER)) == 2
