"""Base class of secrets managers: a central place for credentials.

A secret is a named set of key/value pairs. Component configuration refers to
secrets as ``{{secret_name.key}}``; references are resolved only when used.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseSecretsManager(StackComponent):
    """Abstract class for all Cairn secrets managers."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.SECRETS_MANAGER

    @abstractmethod
    def register_secret(self, name: str, values: dict[str, str], overwrite: bool = False) -> None:
        """Store a secret; refuses to replace an existing one unless ``overwrite``."""

    @abstractmethod
    def get_secret(self, name: str) -> dict[str, str]:
        """The key/value pairs of a secret; raises ``DoesNotExistError``."""

    @abstractmethod
    def list_secrets(self) -> list[str]:
        """Names of all secrets."""

    @abstractmethod
    def delete_secret(self, name: str) -> None:
        """Remove a secret; raises ``DoesNotExistError``."""
