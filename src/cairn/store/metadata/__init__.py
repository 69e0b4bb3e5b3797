"""SQL persistence of run metadata: SQLAlchemy tables, queries and Alembic migrations.

Used by :class:`cairn.metadata_stores.sql_metadata_store.SQLMetadataStore`; every
query is written with SQLAlchemy Core and portable types so that SQLite,
PostgreSQL and MySQL/MariaDB differ only in the connection URL.
"""
