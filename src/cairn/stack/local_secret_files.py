"""The files of the built-in ``local`` secrets manager: where they are, their format, the key.

Each secret is one file ``<folder>/<name>.secret`` holding a Fernet token
(``cryptography``: AES-128-CBC with an HMAC-SHA256, so a changed file is
refused, not misread) of its name, schema and values. The key is kept apart
from the data: in the OS keyring (through the ``keyring`` package) when one is
present and no key file exists yet, else in its own file under the config
folder (``$CAIRN_CONFIG_DIR/keys/<manager uuid>.key``); ``key_file`` forces a
file of your choice. Key and secret files are created readable by their owner only
(0600), their folders 0700. A copied data folder without the key reveals
nothing but the names of the secrets.

:class:`LocalSecretFiles` is the one implementation: the
:class:`~cairn.secrets_managers.local_secrets_manager.LocalSecretsManager` component
stores and reads through it, and so do ``cairn secret list`` and ``cairn secret get``,
which read a local manager's folder from its registry record without building the
component (no pydantic). Values never go into a message.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cairn.config.paths import config_dir, local_stores_dir
from cairn.exceptions import ConfigurationError, EntityExistsError, StoreError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

#: The file of secret ``NAME`` is ``NAME.secret`` in the manager's folder.
SUFFIX = ".secret"
#: The service name of the keys in the OS keyring.
KEYRING_SERVICE = "cairn"


def secrets_folder(path: str | None, uuid: str) -> Path:
    """The folder of a local secrets manager's files: its ``path``, else its local folder."""
    return Path(path).expanduser() if path else local_stores_dir() / uuid / "secrets"


def secret_names(folder: Path) -> list[str]:
    """The names of the secrets in ``folder``, sorted (none when it does not exist)."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    return sorted(p.name[: -len(SUFFIX)] for p in entries if p.name.endswith(SUFFIX))


class LocalSecretFiles:
    """The secret files and the key of one local secrets manager.

    Args:
        manager: the manager's name (for messages).
        uuid: the manager's uuid (names its default folder, key file and keyring entry).
        path: its ``path`` setting (the folder of the secret files), if any.
        key_file: its ``key_file`` setting, if any.
    """

    def __init__(
        self, manager: str, uuid: str, path: str | None = None, key_file: str | None = None
    ) -> None:
        self.manager = manager
        self.uuid = uuid
        self.folder = secrets_folder(path, uuid)
        self.key_file = key_file

    # ------------------------------------------------------------ where
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

    def key_in_keyring(self) -> Any | None:
        """The keyring holding (or to hold) the key; ``None`` when the key is a file."""
        if self.key_file or self.key_path.is_file():
            return None
        return os_keyring()

    @property
    def key_location(self) -> str:
        """Where the key is (for messages)."""
        if self.key_in_keyring() is not None:
            return f"the OS keyring ({KEYRING_SERVICE}/{self.keyring_user})"
        return str(self.key_path)

    def file(self, name: str) -> Path:
        """The file of secret ``name``."""
        return self.folder / f"{name}{SUFFIX}"

    # ------------------------------------------------------------ the key
    def fernet(self, create: bool) -> Fernet | None:
        """The cipher; ``None`` when there is no key and ``create`` is false."""
        from cryptography.fernet import Fernet

        ring = self.key_in_keyring()
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
                f"Cannot read the key {path} of secrets manager '{self.manager}': {exc}."
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
                f"Cannot use the OS keyring for the key of secrets manager '{self.manager}': "
                f"{type(exc).__name__}. Set key_file to keep the key in a file instead."
            ) from None
        if key is None:
            return None
        try:
            return Fernet(key.encode())
        except ValueError:
            raise StoreError(f"The key of secrets manager '{self.manager}' is damaged.") from None

    # ------------------------------------------------------------ secrets
    def load(self, name: str) -> tuple[str, dict[str, str]] | None:
        """The schema and values of secret ``name`` (decrypted), or ``None``.

        Raises:
            StoreError: the file cannot be read, the key is missing, or the file was
                changed, made with another key or holds another secret.
        """
        from cryptography.fernet import InvalidToken

        file = self.file(name)
        try:
            token = file.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"Cannot read secret '{name}' ({file}): {exc}.") from None
        fernet = self.fernet(create=False)
        if fernet is None:
            raise StoreError(
                f"The key of secrets manager '{self.manager}' ({self.key_location}) is missing: "
                f"its secrets cannot be decrypted. Restore the key file, or delete the secrets."
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

    def names(self) -> list[str]:
        """The names of the secrets, sorted."""
        return secret_names(self.folder)

    def save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        """Encrypt and store a secret (``create``: refuse if it exists meanwhile).

        Raises:
            EntityExistsError: ``create`` and the secret was created meanwhile.
        """
        fernet = self.fernet(create=True)
        assert fernet is not None
        payload = json.dumps({"name": name, "schema": schema, "values": values}).encode()
        token = fernet.encrypt(payload)
        _private_dir(self.folder)
        target = self.file(name)
        if create:
            try:
                _write_new(target, token)
            except FileExistsError:
                raise EntityExistsError(f"Secret '{name}' was created meanwhile.") from None
            return
        _replace(target, token)

    def remove(self, name: str) -> bool:
        """Delete a secret's file; ``False`` if there was none."""
        try:
            self.file(name).unlink()
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
    import tempfile

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
