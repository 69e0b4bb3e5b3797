"""The ``mysql`` metadata store flavor (MySQL and MariaDB)."""

from __future__ import annotations

from typing import ClassVar

from cairn.metadata_stores.server_metadata_store import ServerMetadataStore


class MySQLMetadataStore(ServerMetadataStore):
    """Run metadata in a MySQL or MariaDB database (PyMySQL), utf8mb4.

    With ``ssl_ca`` (and optionally ``ssl_cert``/``ssl_key``) the connection is
    encrypted and the server's certificate checked; ``ssl_mode=verify_identity``
    also checks its host name, ``ssl_mode=required`` encrypts without checking
    the certificate, ``disabled`` (or nothing) connects in clear.
    """

    FLAVOR: ClassVar[str] = "mysql"
    DRIVER: ClassVar[str] = "mysql+pymysql"
    DRIVER_MODULE: ClassVar[str] = "pymysql"
    DEFAULT_PORT: ClassVar[int] = 3306
    EXTRA: ClassVar[str] = "mysql"

    username: str = "root"

    @property
    def requirements(self) -> set[str]:
        """PyMySQL is needed wherever steps run."""
        return {"pymysql>=1.1"}

    def _ssl_query(self) -> dict[str, str]:
        query = {"charset": "utf8mb4"}
        for ours in ("ssl_ca", "ssl_cert", "ssl_key"):
            if getattr(self, ours):
                query[ours] = str(getattr(self, ours))
        if self.ssl_mode and self.ssl_mode != "disabled":
            query["ssl_check_hostname"] = str(self.ssl_mode == "verify_identity").lower()
        return query
