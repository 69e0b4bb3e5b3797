"""Alembic environment of the metadata store.

Cairn runs migrations itself (:func:`cairn.store.metadata.migrate.upgrade`),
passing an open connection in ``config.attributes["connection"]``; running
``alembic`` by hand works too with ``-x url=...``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from cairn.store.metadata.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = sa.create_engine(str(url))
    with engine.begin() as conn:
        _run(conn)
