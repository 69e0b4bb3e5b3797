"""The client of the read commands: a SQLite metadata store read with ``sqlite3`` only.

``cairn pipeline list`` and ``cairn pipeline runs list/describe/logs`` only read.
When the active stack's metadata store is the built-in ``sqlite`` flavor (and its
artifact store the built-in ``local`` one, for logs), :func:`read_client` returns
a :class:`~cairn.client.Client` over a
:class:`~cairn.store.metadata.sqlite_reader.SQLiteRunReader` straight from the
registry's records: the stack's components are not built, so neither pydantic nor
SQLAlchemy is imported. In every other case (another flavor, a database to
migrate, a secret reference in the configuration, a custom flavor shadowing a
built-in name) it is the ordinary ``Client()``.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, cast

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError
from cairn.stack.builtin_records import builtin_component

if TYPE_CHECKING:
    from cairn.client.client import Client


class LocalFiles:
    """``exists`` and ``open`` of a local artifact store without building it (for logs);
    anything else is the full artifact store's."""

    def __init__(self, full: Client) -> None:
        self._client = full

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def open(self, path: str, mode: str = "rb") -> IO[Any]:
        return open(path, mode)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._client.artifact_store, name)


def _plain_path(value: Any) -> str | None:
    if not isinstance(value, str) or "{{" in value or not os.path.isabs(value):
        return None
    return value


def read_client() -> Client:
    """A client for reading runs; over ``sqlite3`` alone when the active stack allows."""
    from cairn.client.client import Client

    full = Client()
    try:
        from cairn.stack.registry import StackRegistry

        registry = StackRegistry()
        stack = registry.store.get_stack(registry.active_stack_name())
        metadata = builtin_component(registry, StackComponentType.METADATA_STORE, stack, "sqlite")
        artifacts = builtin_component(registry, StackComponentType.ARTIFACT_STORE, stack, "local")
    except CairnError:
        return full  # the full client reports the problem
    path = _plain_path(metadata.config.get("uri")) if metadata is not None else None
    stale_after = metadata.config.get("stale_after") if metadata is not None else None
    if path is None or not (stale_after is None or isinstance(stale_after, int | float)):
        return full
    from cairn.store.metadata.sqlite_reader import SQLiteRunReader

    reader = SQLiteRunReader(path, lambda: full.metadata_store, stale_after=stale_after)
    if not reader.ready():
        reader.close()
        return full
    files = LocalFiles(full) if artifacts is not None else None
    return Client(metadata_store=cast(Any, reader), artifact_store=cast(Any, files))
