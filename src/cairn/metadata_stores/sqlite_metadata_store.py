"""The ``sqlite`` metadata store: run metadata in a SQLite file.

WAL journaling, a busy timeout and ``BEGIN IMMEDIATE`` write transactions let
several processes (parallel steps, concurrent pipelines) record runs in one
file safely; foreign keys are enforced.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from pydantic import field_validator

from cairn.exceptions import ConfigurationError
from cairn.metadata_stores.sql_metadata_store import SQLMetadataStore
from cairn.stack.stack_component import check_creatable


class SQLiteMetadataStore(SQLMetadataStore):
    """Keeps run metadata in a SQLite database file.

    Attributes:
        uri: path of the SQLite database file (its folder is created on first use).
            A relative path or one starting with ``~`` is made absolute when the
            component is validated (at registration), so the store means the same
            file from any folder.
    """

    FLAVOR: ClassVar[str] = "sqlite"

    uri: str

    @field_validator("uri")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("uri must not be empty")
        if value.startswith("sqlite:"):
            raise ValueError("give the database file's path, not a sqlite: URL")
        return str(Path(value).expanduser().resolve())

    def check_local_paths(self) -> None:
        path = self.database_path
        if path.is_dir():
            raise ConfigurationError(f"The SQLite database {path} is a folder: give a file path.")
        check_creatable(path.parent, "folder of the SQLite database")

    @property
    def database_path(self) -> Path:
        """The database file."""
        return Path(self.uri)

    def connection_url(self) -> str:
        path = self.database_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"

    def connection_key(self) -> object:
        return self.uri

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """An exclusive file lock next to the database while migrating."""
        try:
            import fcntl
        except ImportError:  # not POSIX: SQLite's own locking still applies
            yield
            return
        lock_path = self.database_path.with_name(self.database_path.name + ".migrate.lock")
        with open(lock_path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def is_provisioned(self) -> bool:
        return self.database_path.parent.is_dir()

    def provision(self) -> None:
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
