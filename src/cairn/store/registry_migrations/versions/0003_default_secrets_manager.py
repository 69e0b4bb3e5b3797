"""Registry revision 3: an index by type, and the ``default`` local secrets manager.

A registry that has the ``default`` stack (a local one) gets a ``local`` secrets
manager named ``default``, put in the ``default`` stack if that has none. A
user's own secrets manager called ``default`` is left alone, and so are shared
registries (they have no ``default`` stack: it is per machine).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MANAGER = "secrets_manager"


def upgrade() -> None:
    bind = op.get_bind()
    if not any(i["name"] == "ix_components_type"
               for i in sa.inspect(bind).get_indexes("stack_components")):  # fmt: skip
        op.create_index("ix_components_type", "stack_components", ["type", "name"])
    stack = bind.execute(sa.text("SELECT uuid FROM stacks WHERE name = 'default'")).first()
    if stack is None:
        return
    row = bind.execute(
        sa.text("SELECT uuid, flavor FROM stack_components WHERE type = :t AND name = 'default'"),
        {"t": _MANAGER},
    ).first()
    if row is None:
        manager_id, now = str(uuid.uuid4()), time.time()
        bind.execute(
            sa.text("INSERT INTO stack_components (uuid, type, flavor, name, config, created, "
                    "updated) VALUES (:u, :t, 'local', 'default', '{}', :c, :c)"),
            {"u": manager_id, "t": _MANAGER, "c": now},
        )  # fmt: skip
    elif row[1] == "local":
        manager_id = row[0]
    else:  # a user's own secrets manager took the name: leave the stacks alone
        return
    taken = bind.execute(
        sa.text("SELECT 1 FROM stack_memberships WHERE stack_uuid = :s AND type = :t"),
        {"s": stack[0], "t": _MANAGER},
    ).first()
    if taken is None:
        bind.execute(
            sa.text("INSERT INTO stack_memberships (stack_uuid, type, component_uuid) "
                    "VALUES (:s, :t, :m)"),
            {"s": stack[0], "t": _MANAGER, "m": manager_id},
        )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_components_type", "stack_components")
