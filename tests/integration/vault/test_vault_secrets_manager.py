"""The vault secrets manager, with hvac, against a local server speaking KV v2 (see kv2_server)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

pytest.importorskip("hvac")

from cairn.enums import StackComponentType as T
from cairn.exceptions import ConfigurationError, StoreError
from cairn.testing import SecretsManagerConformance

from .kv2_server import KV2Server

pytestmark = pytest.mark.integration
TOKEN = "hvs.test-token-value"


@pytest.fixture
def server() -> Iterator[KV2Server]:
    running = KV2Server(TOKEN).start()
    try:
        yield running
    finally:
        running.stop()


def _manager(url: str, token: str = TOKEN) -> object:
    from cairn.integrations.vault.secrets_manager import VaultSecretsManager

    return VaultSecretsManager(name="vault", url=url, token=token)


class TestVaultSecretsManager(SecretsManagerConformance):
    @pytest.fixture(autouse=True)
    def _server(self, server: KV2Server) -> None:
        self.server = server

    def make_component(self) -> object:
        return _manager(self.server.url)


def test_the_kv2_calls_and_layout(server: KV2Server) -> None:
    manager = _manager(server.url)
    manager.register_secret("db", {"username": "u", "password": "p"}, schema="basic_auth")  # type: ignore[attr-defined]
    entry = server.state.entries["cairn/db"]
    assert entry["data"] == {"username": "u", "password": "p"}
    assert entry["custom"] == {"cairn_schema": "basic_auth"}
    last = server.state.requests[-2:]
    first = [(m, p, json.loads(b) if b else None) for m, p, _h, b in last]
    written = {"data": {"username": "u", "password": "p"}, "options": {"cas": 0}}
    assert first[0] == ("POST", "/v1/secret/data/cairn/db", written)
    assert first[1][:2] == ("POST", "/v1/secret/metadata/cairn/db")
    assert all(h.get("X-Vault-Token") == TOKEN for _m, _p, h, _b in server.state.requests)
    assert manager.list_secrets() == ["db"]  # type: ignore[attr-defined]
    assert server.state.requests[-1][:2] == ("LIST", "/v1/secret/metadata/cairn")
    manager.delete_secret("db")  # type: ignore[attr-defined]
    assert "cairn/db" not in server.state.entries


def test_a_wrong_token_and_no_server_are_clear_errors(server: KV2Server) -> None:
    with pytest.raises(ConfigurationError, match="check its token") as refused:
        _manager(server.url, token="wrong").get_secret("x")  # type: ignore[attr-defined]
    assert "wrong" not in str(refused.value)
    url = server.url
    server.stop()
    with pytest.raises(StoreError, match="Cannot reach Vault"):
        _manager(url).get_secret("x")  # type: ignore[attr-defined]


def test_its_token_is_a_reference_resolved_per_request(server: KV2Server) -> None:
    from cairn.stack import StackRegistry

    registry = StackRegistry()
    registry.register_component(T.SECRETS_MANAGER, "v", "vault",
                                {"url": server.url, "token": TOKEN})  # fmt: skip
    stored = registry.store.get_component(T.SECRETS_MANAGER, "v").config
    assert stored["token"] == "{{secrets-manager-v-token.value}}"
    registry.update_stack("default", {T.SECRETS_MANAGER: "v"})
    manager = registry.get_stack().secrets_manager
    assert manager is not None
    manager.register_secret("api", {"key": "k"})
    assert TOKEN not in repr(manager) and TOKEN not in json.dumps(manager.config_dict())
    assert server.state.entries["cairn/api"]["data"] == {"key": "k"}
