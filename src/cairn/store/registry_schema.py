"""Schema revisions of the registry database and the contents of a fresh one.

Each revision is a SQL file in ``registry_migrations/`` shipped inside the
package; the revision a database is at is its ``PRAGMA user_version``. To change
the schema, add a file ``000N_<what>.sql`` and append it to :data:`MIGRATIONS`;
never edit a file that has been released.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuid_lib
from pathlib import Path

from cairn.enums import StackComponentType
from cairn.store.records import ComponentRecord

#: Revisions shipped in ``registry_migrations/``, oldest first.
MIGRATIONS: tuple[str, ...] = (
    "0001_initial.sql",
    "0002_custom_flavors.sql",
    "0003_default_secrets_manager.sql",
)
SCHEMA_VERSION = len(MIGRATIONS)
DEFAULT_NAME = "default"
ACTIVE_STACK_KEY = "active_stack"


def now() -> float:
    """The timestamp stored in ``created`` and ``updated`` columns."""
    return time.time()


def migration_statements(revision: int) -> list[str]:
    """The SQL statements of schema revision ``revision`` (1-based), in order."""
    from importlib import resources  # only when migrating: it is slow to import

    text = (
        resources.files("cairn.store")
        .joinpath("registry_migrations", MIGRATIONS[revision - 1])
        .read_text(encoding="utf-8")
    )
    statements, current = [], ""
    for line in text.splitlines(keepends=True):
        if not current and line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


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


def migrate(conn: sqlite3.Connection, version: int, upto: int, local_stores: Path) -> None:
    """Apply revisions ``version + 1 .. upto`` inside the caller's transaction.

    Revision 1 also inserts the ``default`` stack and makes it active; revision 3
    adds the ``default`` local secrets manager (to the ``default`` stack, if that
    has no secrets manager).
    """
    for revision in range(version + 1, upto + 1):
        for statement in migration_statements(revision):
            conn.execute(statement)
        if revision == 1:
            insert_default_stack(conn, local_stores)
        if revision == 3:
            insert_default_secrets_manager(conn)
    conn.execute(f"PRAGMA user_version = {max(version, upto):d}")


def insert_component(conn: sqlite3.Connection, record: ComponentRecord) -> None:
    """Insert one component row (``sqlite3.IntegrityError`` on a duplicate name)."""
    conn.execute(
        "INSERT INTO stack_components VALUES (?, ?, ?, ?, ?, ?, ?)",
        (record.uuid, record.type.value, record.flavor, record.name,
         json.dumps(record.config, sort_keys=True), record.created or now(),
         record.updated or now()),
    )  # fmt: skip


def insert_default_stack(conn: sqlite3.Connection, local_stores: Path) -> None:
    """The ``default`` stack of a fresh installation, made active."""
    components = default_stack_components(local_stores)
    for record in components:
        insert_component(conn, record)
    ts, stack_id = now(), str(uuid_lib.uuid4())
    conn.execute("INSERT INTO stacks VALUES (?, ?, ?, ?)", (stack_id, DEFAULT_NAME, ts, ts))
    conn.executemany(
        "INSERT INTO stack_memberships VALUES (?, ?, ?)",
        [(stack_id, c.type.value, c.uuid) for c in components],
    )
    conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (ACTIVE_STACK_KEY, DEFAULT_NAME))


def insert_default_secrets_manager(conn: sqlite3.Connection) -> None:
    """A ``local`` secrets manager named ``default``, in the ``default`` stack if it has none."""
    ctype = StackComponentType.SECRETS_MANAGER.value
    row = conn.execute(
        "SELECT uuid, flavor FROM stack_components WHERE type = ? AND name = ?",
        (ctype, DEFAULT_NAME),
    ).fetchone()
    if row is None:
        ts, manager_id = now(), str(uuid_lib.uuid4())
        insert_component(conn, ComponentRecord(manager_id, StackComponentType.SECRETS_MANAGER,
                                               "local", DEFAULT_NAME, {}, ts, ts))  # fmt: skip
    elif row[1] == "local":
        manager_id = row[0]
    else:  # a user's own secrets manager took the name: leave the stacks alone
        return
    stack = conn.execute("SELECT uuid FROM stacks WHERE name = ?", (DEFAULT_NAME,)).fetchone()
    if stack is None:
        return
    conn.execute(
        "INSERT OR IGNORE INTO stack_memberships VALUES (?, ?, ?)", (stack[0], ctype, manager_id)
    )
