"""Fixtures of the registry store tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cairn.store.registry_store import SQLiteRegistryStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registry" / "registry.db"


@pytest.fixture
def store(db_path: Path, tmp_path: Path) -> Iterator[SQLiteRegistryStore]:
    with SQLiteRegistryStore(db_path, tmp_path / "local_stores") as opened:
        yield opened


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def dump() -> Callable[[Path], list[str]]:
    """Every row of a database as SQL, to compare before and after a failed write."""
    return _dump
