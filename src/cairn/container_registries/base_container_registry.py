"""Base class of container registries: where images of pipeline code are pushed."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent


class BaseContainerRegistry(StackComponent):
    """Abstract class for all Cairn container registries.

    Attributes:
        uri: the registry's address, e.g. ``localhost:5000`` or ``ghcr.io/org``.
    """

    __abstract_component__ = True

    TYPE: ClassVar[StackComponentType] = StackComponentType.CONTAINER_REGISTRY

    uri: str

    @field_validator("uri")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            raise ValueError("uri must not be empty")
        return value

    @property
    def is_local(self) -> bool:
        """Whether the registry runs on this machine."""
        host = self.uri.split("/", 1)[0]
        return host.startswith(("localhost", "127.0.0.1", "[::1]"))

    def image_name(self, repository: str, tag: str = "latest") -> str:
        """The full name of an image in this registry."""
        return f"{self.uri}/{repository}:{tag}"


class DefaultContainerRegistry(BaseContainerRegistry):
    """A registry reached by address only (Docker's own login and push are used)."""

    FLAVOR: ClassVar[str] = "default"
