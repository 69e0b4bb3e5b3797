"""The shared base of metadata stores on a database server (PostgreSQL, MySQL/MariaDB).

A flavor names its SQLAlchemy driver and how SSL options reach it; the
configuration (host, port, database, user, password as a secret, SSL files) and
the first-connection check live here. The schema and its Alembic migrations are
the same as SQLite's (:class:`~cairn.metadata_stores.SQLMetadataStore`).

A wrong password, an unknown database or an unreachable host fails the first
use of the store (before a pipeline run records anything) with one line that
names the component, the server and what to check.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, SecretStr

from cairn.exceptions import StoreError
from cairn.metadata_stores.sql_metadata_store import SQLMetadataStore


class ServerMetadataStore(SQLMetadataStore):
    """Metadata in a database on a server.

    Attributes:
        host: the server's host name or address.
        port: its TCP port (default: the flavor's).
        database: the database (it must exist; Cairn creates its tables).
        username: the user to connect as.
        password: the user's password (a secret or a ``{{name.key}}`` reference;
            empty for trust or peer auth).
        ssl_mode: the driver's SSL mode (``require``, ``verify-full``, ... for
            PostgreSQL; ``required``, ``verify_identity``... for MySQL).
        ssl_ca: CA certificate file the server's certificate is checked against.
        ssl_cert: client certificate file.
        ssl_key: client key file.
        connect_timeout: seconds to wait for the server when connecting.
    """

    __abstract_component__: ClassVar[bool] = True

    #: SQLAlchemy ``dialect+driver`` and the flavor's default port.
    DRIVER: ClassVar[str]
    DEFAULT_PORT: ClassVar[int]
    #: The driver's module and the extra that installs it.
    DRIVER_MODULE: ClassVar[str]
    EXTRA: ClassVar[str]

    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str = "cairn"
    username: str
    password: SecretStr | None = None
    ssl_mode: str | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None
    connect_timeout: int = Field(default=10, ge=1)

    # ------------------------------------------------------------ connection
    def _ssl_query(self) -> dict[str, str]:
        """The URL query parameters carrying the SSL options (flavors override)."""
        return {}

    def _url(self) -> Any:
        import sqlalchemy as sa

        return sa.URL.create(
            self.DRIVER,
            username=self.username,
            password=self.resolve_secret(self.password) or None,
            host=self.host,
            port=self.port or self.DEFAULT_PORT,
            database=self.database,
            query={"connect_timeout": str(self.connect_timeout), **self._ssl_query()},
        )

    def connection_url(self) -> str:
        """The SQLAlchemy URL, password included (never logged or shown).

        Raises:
            StoreError: the flavor's database driver is not installed.
        """
        import importlib.util

        if importlib.util.find_spec(self.DRIVER_MODULE) is None:
            raise StoreError(
                f"The {self} needs its database driver: pip install 'cairn[{self.EXTRA}]'."
            )
        rendered: str = self._url().render_as_string(hide_password=False)
        return rendered

    def connection_key(self) -> object:
        raw_password = self.password.get_secret_value() if self.password else None
        return (self.DRIVER, self.host, self.port, self.database, self.username, raw_password,
                self.ssl_mode, self.ssl_ca, self.ssl_cert, self.ssl_key,
                self.connect_timeout)  # fmt: skip

    @property
    def address(self) -> str:
        """``user@host:port/database``, for messages (no password)."""
        return f"{self.username}@{self.host}:{self.port or self.DEFAULT_PORT}/{self.database}"

    def _migrate(self, engine: Any) -> None:
        self.check_connection(engine)
        super()._migrate(engine)

    def check_connection(self, engine: Any) -> None:
        """Connect once; raise one clear line if the server cannot be used.

        Raises:
            StoreError: the server is unreachable, or it refused the user, the
                password or the database.
        """
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with engine.connect():
                pass
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot connect the {self} to {self.address}: {_first_line(exc)} "
                f"(check host, port, database, username and password)."
            ) from exc

    @property
    def is_provisioned(self) -> bool:
        return True


def _first_line(exc: BaseException) -> str:
    """The driver's own message, on one line, without SQLAlchemy's decorations."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    return text.split(" (Background on this error", 1)[0].strip() or type(orig).__name__
