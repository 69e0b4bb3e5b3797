"""The files of the local secrets manager, read without building the component."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.exceptions import StoreError
from cairn.secrets_managers.local_secrets_manager import LocalSecretsManager
from cairn.stack.local_secret_files import LocalSecretFiles, secret_names


def test_reads_what_the_manager_wrote(tmp_path: Path) -> None:
    manager = LocalSecretsManager(name="m", path=str(tmp_path / "data"),
                                  key_file=str(tmp_path / "k.key"))  # fmt: skip
    manager.register_secret("db", {"password": "pw", "username": "me"}, schema="basic_auth")
    files = LocalSecretFiles("m", str(manager.uuid), manager.path, manager.key_file)
    assert files.load("db") == ("basic_auth", {"password": "pw", "username": "me"})
    assert files.load("nope") is None
    assert files.names() == secret_names(files.folder) == ["db"]
    assert (files.folder, files.key_path) == (manager.secrets_dir, manager.key_path)


def test_the_default_places_are_the_manager_s(isolated_config: Path) -> None:
    manager = LocalSecretsManager(name="d")
    manager.register_secret("s", {"k": "v"})
    files = LocalSecretFiles("d", str(manager.uuid))
    assert (files.folder, files.key_path) == (manager.secrets_dir, manager.key_path)
    assert files.key_location == manager.key_location == str(manager.key_path)
    assert files.load("s") == ("arbitrary", {"k": "v"})


def test_a_missing_key_is_named_without_any_value(tmp_path: Path) -> None:
    manager = LocalSecretsManager(name="m", path=str(tmp_path / "data"),
                                  key_file=str(tmp_path / "k.key"))  # fmt: skip
    manager.register_secret("db", {"password": "never shown"})
    (tmp_path / "k.key").unlink()
    files = LocalSecretFiles("m", str(manager.uuid), manager.path, manager.key_file)
    with pytest.raises(StoreError, match=r"The key of secrets manager 'm' \(.*k\.key\) is missing"):
        files.load("db")
