"""The registry's tables: the one schema definition every backend uses.

SQLite, PostgreSQL and MySQL/MariaDB registries are created and migrated from
these SQLAlchemy tables and the Alembic revisions in ``registry_migrations/``.
The SQLite store's fast path (the standard library's ``sqlite3``, no SQLAlchemy)
runs SQL text *generated* from these tables and from the statements of
:mod:`cairn.store.registry_statements` into :mod:`cairn.store.registry_sql`; a
test regenerates it and fails when it is stale.

``version`` columns carry optimistic versioning: every update of a component or
a stack is conditional on the version it read and increments it, so two
machines updating the same row cannot both win silently.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

stack_components = sa.Table(
    "stack_components",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("flavor", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("type", "name", name="uq_components_type_name"),
    sa.Index("ix_components_type", "type", "name"),
)

stacks = sa.Table(
    "stacks",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

stack_memberships = sa.Table(
    "stack_memberships",
    metadata,
    sa.Column(
        "stack_uuid",
        sa.String(36),
        sa.ForeignKey("stacks.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column(
        "component_uuid", sa.String(36), sa.ForeignKey("stack_components.uuid"), nullable=False
    ),
    sa.Index("ix_memberships_component", "component_uuid"),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.Text),
)

flavors = sa.Table(
    "flavors",
    metadata,
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created", sa.Double, nullable=False),
)
