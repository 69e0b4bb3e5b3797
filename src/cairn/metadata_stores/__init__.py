"""Metadata stores: record pipelines, runs, steps, artifacts and lineage."""

from cairn.metadata_stores.base_metadata_store import BaseMetadataStore
from cairn.metadata_stores.sql_metadata_store import SQLMetadataStore
from cairn.metadata_stores.sqlite_metadata_store import SQLiteMetadataStore

__all__ = ["BaseMetadataStore", "SQLMetadataStore", "SQLiteMetadataStore"]
