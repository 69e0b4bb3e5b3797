"""The ``sqlite`` metadata store: run metadata in a SQLite file."""

from __future__ import annotations

from typing import ClassVar

from cairn.metadata_stores.base_metadata_store import BaseMetadataStore


class SQLiteMetadataStore(BaseMetadataStore):
    """Keeps run metadata in a SQLite database file.

    Attributes:
        uri: path of the SQLite database file.
    """

    FLAVOR: ClassVar[str] = "sqlite"

    uri: str
