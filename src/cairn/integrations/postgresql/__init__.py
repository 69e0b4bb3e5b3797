"""PostgreSQL integration (``pip install 'cairn[postgresql]'``, alias ``cairn[postgres]``).

Flavor: the ``postgresql`` metadata store, through psycopg 3. Same schema and
Alembic migrations as the ``sqlite`` store; only the connection differs.
"""

POSTGRESQL_INTEGRATION = "postgresql"

__all__ = ["POSTGRESQL_INTEGRATION"]
