"""The ``postgresql`` metadata store flavor."""

from __future__ import annotations

from typing import ClassVar

from cairn.metadata_stores.server_metadata_store import ServerMetadataStore


class PostgreSQLMetadataStore(ServerMetadataStore):
    """Run metadata in a PostgreSQL database (psycopg 3).

    ``ssl_mode`` is libpq's ``sslmode`` (``disable``, ``prefer``, ``require``,
    ``verify-ca``, ``verify-full``); ``ssl_ca``/``ssl_cert``/``ssl_key`` are
    ``sslrootcert``/``sslcert``/``sslkey``.
    """

    FLAVOR: ClassVar[str] = "postgresql"
    DRIVER: ClassVar[str] = "postgresql+psycopg"
    DRIVER_MODULE: ClassVar[str] = "psycopg"
    DEFAULT_PORT: ClassVar[int] = 5432
    EXTRA: ClassVar[str] = "postgresql"

    username: str = "postgres"

    @property
    def requirements(self) -> set[str]:
        """psycopg is needed wherever steps run."""
        return {"psycopg[binary]>=3.1"}

    def _ssl_query(self) -> dict[str, str]:
        names = {"ssl_mode": "sslmode", "ssl_ca": "sslrootcert",
                 "ssl_cert": "sslcert", "ssl_key": "sslkey"}  # fmt: skip
        return {libpq: str(getattr(self, ours)) for ours, libpq in names.items()
                if getattr(self, ours)}  # fmt: skip
