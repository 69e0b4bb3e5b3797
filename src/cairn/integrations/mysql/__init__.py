"""MySQL and MariaDB integration (``pip install 'cairn[mysql]'``).

Flavor: the ``mysql`` metadata store, through PyMySQL, for MySQL 8 and MariaDB
10.6+. Same schema and Alembic migrations as the ``sqlite`` store.
"""

MYSQL_INTEGRATION = "mysql"

__all__ = ["MYSQL_INTEGRATION"]
