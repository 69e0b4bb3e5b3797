"""Where this user's registry lives: the local SQLite file, or a shared database.

``cairn registry connect URL`` stores a PostgreSQL or MySQL/MariaDB URL in the
user's config folder (``$CAIRN_CONFIG_DIR/registry_connection.json``, readable by
the user only: it may hold the password); ``CAIRN_REGISTRY_URL`` overrides it.
It is never written into a repository's ``.cairn/`` (which is committed). This
module imports no SQLAlchemy: the CLI reads it on every command.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from cairn.config import config_dir
from cairn.exceptions import ConfigurationError

ENV_REGISTRY_URL = "CAIRN_REGISTRY_URL"
CONNECTION_FILENAME = "registry_connection.json"

#: URL schemes accepted, and the SQLAlchemy driver each one means.
DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "mariadb+pymysql": "mysql+pymysql",
}


class RegistryConnection(NamedTuple):
    """A shared registry's URL (driver made explicit) and where it was configured."""

    url: str
    source: str  # "environment" or the connection file's path


def connection_file() -> Path:
    """The file ``cairn registry connect`` writes."""
    return config_dir() / CONNECTION_FILENAME


def normalize_url(url: str) -> str:
    """``url`` with an explicit driver (psycopg 3, PyMySQL).

    Raises:
        ConfigurationError: not a PostgreSQL or MySQL/MariaDB URL.
    """
    scheme, sep, rest = url.strip().partition("://")
    driver = DRIVERS.get(scheme.lower())
    if not sep or driver is None or not rest:
        raise ConfigurationError(
            "A shared registry is a PostgreSQL or MySQL/MariaDB database: give a URL like "
            "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE or mysql://USER@HOST/DATABASE."
        )
    if driver.startswith("mysql") and "charset=" not in rest:
        rest += ("&" if "?" in rest else "?") + "charset=utf8mb4"
    return f"{driver}://{rest}"


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and ``status``)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, hostpart = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{hostpart}"


def registry_connection() -> RegistryConnection | None:
    """The shared registry this user works with, or None for the local one.

    Raises:
        ConfigurationError: the URL (environment or file) is not usable.
    """
    env = os.environ.get(ENV_REGISTRY_URL, "").strip()
    if env:
        return RegistryConnection(normalize_url(env), "environment")
    path = connection_file()
    if not path.is_file():
        return None
    try:
        url = json.loads(path.read_text(encoding="utf-8"))["url"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"Cannot read the registry connection {path} ({exc}): run 'cairn registry "
            f"disconnect' and connect again."
        ) from exc
    return RegistryConnection(normalize_url(str(url)), str(path))


def save_connection(url: str) -> Path:
    """Write the URL to the user's connection file (created 0600, replaced atomically)."""
    path = connection_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"url": normalize_url(url)}, handle)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def forget_connection() -> bool:
    """Remove the connection file; whether there was one."""
    path = connection_file()
    if not path.is_file():
        return False
    path.unlink()
    return True
