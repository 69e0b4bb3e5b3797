"""Alembic environment of the registry.

Cairn passes an open connection in ``config.attributes["connection"]``
(:func:`cairn.store.registry_migrate.upgrade`).
"""

from __future__ import annotations

from alembic import context

from cairn.store.registry_migrate import VERSION_TABLE
from cairn.store.registry_tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
