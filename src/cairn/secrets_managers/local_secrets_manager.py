"""The ``local`` secrets manager: secrets encrypted at rest in files on this machine.

Each secret is one encrypted file in the manager's folder, the key kept apart (a
key file under the config folder, or the OS keyring); the files, their format and
the key are :class:`~cairn.stack.local_secret_files.LocalSecretFiles`, which the
read commands of the CLI use too.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager
from cairn.stack.local_secret_files import LocalSecretFiles


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
    def _files(self) -> LocalSecretFiles:
        return LocalSecretFiles(self.name, str(self.uuid), self.path, self.key_file)

    @property
    def secrets_dir(self) -> Path:
        """The folder of the secret files."""
        return self._files().folder

    @property
    def key_path(self) -> Path:
        """The key file."""
        return self._files().key_path

    @property
    def keyring_user(self) -> str:
        """The entry of the key in the OS keyring (service ``cairn``)."""
        return self._files().keyring_user

    @property
    def key_location(self) -> str:
        """Where the key is (for messages)."""
        return self._files().key_location

    # ------------------------------------------------------------ primitives
    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        return self._files().load(name)

    def _names(self) -> list[str]:
        return self._files().names()

    def _save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        self._files().save(name, schema, values, create)

    def _remove(self, name: str) -> bool:
        return self._files().remove(name)
