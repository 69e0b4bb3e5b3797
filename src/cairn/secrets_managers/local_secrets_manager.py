"""The ``local`` secrets manager: secrets encrypted at rest in files on this machine.

Each secret is one file ``<path>/<name>.secret`` holding a Fernet token
(``cryptography``: AES-128-CBC with an HMAC-SHA256, so a changed file is
refused, not misread) of its name, schema and values. The key is kept apart
from the data: in the OS keyring (through the ``keyring`` package) when one is
present and no key file exists yet, else in its own file under the config
folder (``$CAIRN_CONFIG_DIR/keys/<manager uuid>.key``); ``key_file`` forces a
file of your choice. Key and secret files are created readable by their owner only
(0600), their folders 0700. A copied data folder without the key reveals
nothing but the names of the secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cairn.config import config_dir
from cairn.exceptions import ConfigurationError, EntityExistsError, StoreError
from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager
from cairn.stack.local_secret_files import SUFFIX, secret_names, secrets_folder

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEYRING_SERVICE = "cairn"


class LocalSecretsManager(BaseSecretsManager):
    """Secrets in encrypted files on this machine.

    Attributes:
        path: folder of the secret files (default: the component's local folder).
        key_file: the encryption key file (default: the OS keyring when one is present,
            else ``$CAIRN_CONFIG_DIR/keys/<uuid>.key``).
    """

    FLAVOR: ClassVar[str] = "local"

    path: str | None = None
    key_file: str | None = None

    # ------------------------------------------------------------ files
    @property
    def secrets_dir(self) -> Path:
        """The folder of the secret files."""
        return secrets_folder(self.path, str(self.uuid))

    @property
    def key_path(self) -> Path:
        """The key file."""
        if self.key_file:
            return Path(self.key_file).expanduser()
        return config_dir() / "keys" / f"{self.uuid}.key"

    @property
    def keyring_user(self) -> str:
        """The entry of the key in the OS keyring (service ``cairn``)."""
        return f"local-secrets-manager-{self.uuid}"

    def _key_in_keyring(self) -> Any | None:
        """The keyring holding (or to hold) the key; ``None`` when the key is a file."""
        if self.key_file or self.key_path.is_file():
            return None
        return os_keyring()

    @property
    def key_location(self) -> str:
        """Where the key is (for messages)."""
        if self._key_in_keyring() is not None:
            return f"the OS keyring ({KEYRING_SERVICE}/{self.keyring_user})"
        return str(self.key_path)

    def _file(self, name: str) -> Path:
        return self.secrets_dir / f"{name}{SUFFIX}"

    def _fernet(self, create: bool) -> Fernet | None:
        """The cipher; ``None`` when there is no key and ``create`` is false."""
        from cryptography.fernet import Fernet

        ring = self._key_in_keyring()
        if ring is not None:
            return self._keyring_fernet(ring, create)
        path = self.key_path
        if not path.is_file():
            if not create:
                return None
            _private_dir(path.parent)
            with contextlib.suppress(FileExistsError):  # another process made it meanwhile
                _write_new(path, Fernet.generate_key())
        try:
            return Fernet(path.read_bytes().strip())
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"Cannot read the key {path} of secrets manager '{self.name}': {exc}."
            ) from None

    def _keyring_fernet(self, ring: Any, create: bool) -> Fernet | None:
        from cryptography.fernet import Fernet

        try:
            key = ring.get_password(KEYRING_SERVICE, self.keyring_user)
            if key is None and create:
                ring.set_password(KEYRING_SERVICE, self.keyring_user,
                                  Fernet.generate_key().decode())  # fmt: skip
                key = ring.get_password(KEYRING_SERVICE, self.keyring_user)
        except Exception as exc:  # keyring backends raise their own errors
            raise StoreError(
                f"Cannot use the OS keyring for the key of secrets manager '{self.name}': "
                f"{type(exc).__name__}. Set key_file to keep the key in a file instead."
            ) from None
        if key is None:
            return None
        try:
            return Fernet(key.encode())
        except ValueError:
            raise StoreError(f"The key of secrets manager '{self.name}' is damaged.") from None

    # ------------------------------------------------------------ primitives
    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        from cryptography.fernet import InvalidToken

        file = self._file(name)
        try:
            token = file.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"Cannot read secret '{name}' ({file}): {exc}.") from None
        fernet = self._fernet(create=False)
        if fernet is None:
            raise StoreError(
                f"The key of secrets manager '{self.name}' ({self.key_location}) is missing: its "
                f"secrets cannot be decrypted. Restore the key file, or delete the secrets."
            )
        try:
            data = json.loads(fernet.decrypt(token))
        except (InvalidToken, ValueError):
            raise StoreError(
                f"Secret '{name}' ({file}) cannot be decrypted with the key in "
                f"{self.key_location}: "
                f"it was changed or made with another key."
            ) from None
        if data.get("name") != name:  # a file renamed or copied over another one
            raise StoreError(f"Secret file {file} holds another secret: refused.")
        return str(data["schema"]), {str(k): str(v) for k, v in data["values"].items()}

    def _names(self) -> list[str]:
        return secret_names(self.secrets_dir)

    def _save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        fernet = self._fernet(create=True)
        assert fernet is not None
        payload = json.dumps({"name": name, "schema": schema, "values": values}).encode()
        token = fernet.encrypt(payload)
        _private_dir(self.secrets_dir)
        target = self._file(name)
        if create:
            try:
                _write_new(target, token)
            except FileExistsError:
                raise EntityExistsError(f"Secret '{name}' was created meanwhile.") from None
            return
        _replace(target, token)

    def _remove(self, name: str) -> bool:
        try:
            self._file(name).unlink()
        except FileNotFoundError:
            return False
        return True


def os_keyring() -> Any | None:
    """The OS keyring, when the ``keyring`` package and a usable backend are present."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: fall back to the key file
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def _private_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"Cannot create the folder {path}: {exc}.") from None


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (0600) with ``data``; ``FileExistsError`` if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a 0600 temporary file renamed over it)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
