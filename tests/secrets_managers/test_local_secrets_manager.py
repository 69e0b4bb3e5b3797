"""The local secrets manager: conformance, encryption at rest, key apart, 0600 files."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cairn.exceptions import StoreError
from cairn.secrets_managers.local_secrets_manager import LocalSecretsManager
from cairn.testing import SecretsManagerConformance

VALUE = "correct horse battery staple"


class TestLocalSecretsManager(SecretsManagerConformance):
    def make_component(self) -> LocalSecretsManager:
        folder = Path(self.temporary_directory())
        return LocalSecretsManager(
            name="local", path=str(folder / "data"), key_file=str(folder / "keys" / "k.key")
        )


def _manager(tmp_path: Path) -> LocalSecretsManager:
    return LocalSecretsManager(name="m", path=str(tmp_path / "data"),
                               key_file=str(tmp_path / "keys" / "m.key"))  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_defaults_keep_the_key_apart_from_the_data(isolated_config: Path) -> None:
    manager = LocalSecretsManager(name="d")
    manager.register_secret("s", {"k": VALUE})
    assert manager.key_path.parent == isolated_config / "keys"
    assert manager.secrets_dir.is_relative_to(isolated_config / "local_stores")
    assert not manager.key_path.is_relative_to(manager.secrets_dir.parent)


def test_files_are_encrypted_and_private(tmp_path: Path) -> None:
    manager = _manager(tmp_path)
    manager.register_secret("db", {"password": VALUE})
    files = list((tmp_path / "data").iterdir())
    assert [f.name for f in files] == ["db.secret"]
    raw = files[0].read_bytes()
    assert VALUE.encode() not in raw and b"password" not in raw
    import base64

    assert VALUE.encode() not in base64.urlsafe_b64decode(raw)  # not merely base64
    assert _mode(files[0]) == 0o600 and _mode(manager.key_path) == 0o600
    assert _mode(tmp_path / "data") == 0o700 and _mode(tmp_path / "keys") == 0o700
    manager.update_secret("db", {"password": "other"})
    assert _mode(tmp_path / "data" / "db.secret") == 0o600


def test_a_copied_data_file_without_its_key_reveals_nothing(tmp_path: Path) -> None:
    manager = _manager(tmp_path)
    manager.register_secret("db", {"password": VALUE})
    elsewhere = tmp_path / "stolen"
    shutil.copytree(tmp_path / "data", elsewhere / "data")
    thief = LocalSecretsManager(name="t", path=str(elsewhere / "data"),
                                key_file=str(elsewhere / "no.key"))  # fmt: skip
    with pytest.raises(StoreError, match=r"key .* is missing") as missing:
        thief.get_secret("db")
    assert VALUE not in str(missing.value)
    other_key = LocalSecretsManager(name="o", path=str(elsewhere / "data"),
                                    key_file=str(elsewhere / "other.key"))  # fmt: skip
    other_key.register_secret("x", {"k": "v"})  # makes a new, different key
    with pytest.raises(StoreError, match="cannot be decrypted"):
        other_key.get_secret("db")
    for path in elsewhere.rglob("*"):
        if path.is_file():
            assert VALUE.encode() not in path.read_bytes()
    assert manager.get_secret("db")["password"].get_secret_value() == VALUE


def test_a_tampered_or_swapped_file_is_refused(tmp_path: Path) -> None:
    manager = _manager(tmp_path)
    manager.register_secret("a", {"k": "1"})
    manager.register_secret("b", {"k": "2"})
    data = tmp_path / "data"
    (data / "a.secret").write_bytes((data / "b.secret").read_bytes())
    with pytest.raises(StoreError, match="holds another secret"):
        manager.get_secret("a")
    token = bytearray((data / "b.secret").read_bytes())
    token[-5] ^= 1
    (data / "b.secret").write_bytes(bytes(token))
    with pytest.raises(StoreError, match="cannot be decrypted"):
        manager.get_secret("b")


def test_values_never_appear_in_repr(tmp_path: Path) -> None:
    manager = _manager(tmp_path)
    manager.register_secret("db", {"password": VALUE})
    secret = manager.get_secret("db")
    assert VALUE not in repr(secret) and VALUE not in str(secret) and VALUE not in repr(manager)


def test_two_managers_share_nothing(tmp_path: Path) -> None:
    one, two = LocalSecretsManager(name="one"), LocalSecretsManager(name="two")
    one.register_secret("s", {"k": "1"})
    assert two.list_secrets() == [] and one.key_path != two.key_path


class _MemoryKeyring:
    """An in-memory keyring backend (tests never touch the developer's OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.entries.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.entries[(service, user)] = password


@pytest.fixture
def memory_keyring() -> Iterator[_MemoryKeyring]:
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend
    from keyring.backends import fail

    class Backend(_MemoryKeyring, KeyringBackend):  # type: ignore[misc]
        def delete_password(self, service: str, user: str) -> None:
            self.entries.pop((service, user), None)

    backend = Backend()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(fail.Keyring())


def test_the_key_goes_to_the_os_keyring_when_one_is_present(
    memory_keyring: _MemoryKeyring, isolated_config: Path
) -> None:
    manager = LocalSecretsManager(name="k")
    manager.register_secret("db", {"password": VALUE})
    assert list(memory_keyring.entries) == [("cairn", f"local-secrets-manager-{manager.uuid}")]
    assert not manager.key_path.exists()
    assert "OS keyring" in manager.key_location
    again = LocalSecretsManager(name="k", uuid=manager.uuid)
    assert again.get_secret("db")["password"].get_secret_value() == VALUE
    key = next(iter(memory_keyring.entries.values()))
    for path in isolated_config.rglob("*"):
        if path.is_file():
            assert VALUE.encode() not in path.read_bytes()
            assert key.encode() not in path.read_bytes()
    memory_keyring.entries.clear()  # the keyring lost it: the data file alone reveals nothing
    with pytest.raises(StoreError, match=r"OS keyring.*is missing"):
        again.get_secret("db")


def test_an_existing_key_file_wins_over_the_keyring(
    tmp_path: Path, memory_keyring: _MemoryKeyring
) -> None:
    file_first = LocalSecretsManager(name="f")
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    file_first.register_secret("s", {"k": "v"})  # no keyring yet: a key file
    keyring.set_keyring(memory_keyring)  # type: ignore[arg-type]
    assert file_first.key_path.is_file() and memory_keyring.entries == {}
    assert file_first.get_secret("s")["k"].get_secret_value() == "v"
    explicit = _manager(tmp_path)
    explicit.register_secret("s", {"k": "v"})
    assert memory_keyring.entries == {} and explicit.key_path.is_file()
