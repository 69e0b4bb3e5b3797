"""Constants of the registry database and the contents of a fresh local one.

The schema itself is :mod:`cairn.store.registry_tables` with its Alembic history
in ``registry_migrations/`` (see :mod:`cairn.store.registry_migrate`); the SQL
the SQLite store runs is generated from both into :mod:`cairn.store.registry_sql`.
"""

from __future__ import annotations

import time
import uuid as uuid_lib
from pathlib import Path

from cairn.enums import StackComponentType
from cairn.store.records import ComponentRecord
from cairn.store.registry_sql import USER_VERSION

#: The schema revision of this Cairn (a SQLite registry's ``PRAGMA user_version``).
SCHEMA_VERSION = USER_VERSION
DEFAULT_NAME = "default"
ACTIVE_STACK_KEY = "active_stack"


def now() -> float:
    """The timestamp stored in ``created`` and ``updated`` columns."""
    return time.time()


def default_stack_components(root: Path) -> list[ComponentRecord]:
    """The components of the ``default`` stack, their local data under ``root``."""
    store_id = str(uuid_lib.uuid4())
    data = root / store_id
    ts = now()
    return [
        ComponentRecord(str(uuid_lib.uuid4()), StackComponentType.ORCHESTRATOR, "local",
                        DEFAULT_NAME, {}, ts, ts),
        ComponentRecord(store_id, StackComponentType.ARTIFACT_STORE, "local", DEFAULT_NAME,
                        {"path": str(data)}, ts, ts),
        ComponentRecord(str(uuid_lib.uuid4()), StackComponentType.METADATA_STORE, "sqlite",
                        DEFAULT_NAME, {"uri": str(data / "metadata.db")}, ts, ts),
    ]  # fmt: skip
