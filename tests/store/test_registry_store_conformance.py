"""The SQLite registry store passes the registry store conformance suite."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from cairn.store.registry_store import SQLiteRegistryStore
from cairn.testing import RegistryStoreConformance


class TestSQLiteRegistryStoreConformance(RegistryStoreConformance):
    def make_store(self) -> Any:
        self._folder = tempfile.TemporaryDirectory()
        root = Path(self._folder.name)
        return SQLiteRegistryStore(root / "registry.db", root / "local_stores")

    def teardown_method(self, method: Any = None) -> None:
        super().teardown_method(method)
        self._folder.cleanup()
