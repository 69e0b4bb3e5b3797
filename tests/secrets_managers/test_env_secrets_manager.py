"""The env secrets manager: CAIRN_SECRET__<NAME>__<KEY>, read-only."""

from __future__ import annotations

import pytest

from cairn.exceptions import DoesNotExistError, IllegalOperationError
from cairn.secrets_managers.env_secrets_manager import EnvSecretsManager, variable_name
from cairn.testing import StackComponentConformance


class TestEnvSecretsManagerComponent(StackComponentConformance):
    STATE_METHODS = False

    def make_component(self) -> EnvSecretsManager:
        return EnvSecretsManager(name="env")


def test_reads_double_underscore_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_SECRET__MY_DB__PASSWORD", "pw")
    monkeypatch.setenv("CAIRN_SECRET__MY_DB__USER_NAME", "me")
    monkeypatch.setenv("CAIRN_SECRET__OTHER__TOKEN", "t")
    manager = EnvSecretsManager(name="env")
    assert variable_name("my-db", "user_name") == "CAIRN_SECRET__MY_DB__USER_NAME"
    got = {k: v.get_secret_value() for k, v in manager.get_secret("my_db").items()}
    assert got == {"password": "pw", "user_name": "me"}
    assert manager.get_secret("my-db")["password"].get_secret_value() == "pw"
    assert manager.list_secrets() == ["my_db", "other"]
    assert manager.get_secret_schema("other") == "arbitrary"
    with pytest.raises(DoesNotExistError):
        manager.get_secret("absent")


def test_is_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_SECRET__S__K", "v")
    manager = EnvSecretsManager(name="env")
    for call in (
        lambda: manager.register_secret("n", {"k": "v"}),
        lambda: manager.update_secret("s", {"k": "w"}),
        lambda: manager.delete_secret("s"),
    ):
        with pytest.raises(IllegalOperationError, match="read-only"):
            call()
    import os

    assert os.environ["CAIRN_SECRET__S__K"] == "v"
