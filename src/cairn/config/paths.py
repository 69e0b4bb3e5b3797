"""Where Cairn keeps its files.

* The **config folder** holds the registry database, the default stack's local
  data and the state of local services. It is ``$CAIRN_CONFIG_DIR`` when set,
  else ``$XDG_CONFIG_HOME/cairn``, else ``~/.config/cairn``.
* A **repository** is a folder with a ``.cairn/`` sub-folder, made by
  ``cairn init``. It marks the source root (custom flavors and pipeline code are
  imported relative to it) and may pin an active stack for that project.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cairn.exceptions import ConfigurationError

ENV_CONFIG_DIR = "CAIRN_CONFIG_DIR"
ENV_REPOSITORY = "CAIRN_REPOSITORY_PATH"
ENV_ACTIVE_STACK = "CAIRN_ACTIVE_STACK"
REPOSITORY_DIR_NAME = ".cairn"
_REPOSITORY_CONFIG = "config.json"


def config_dir() -> Path:
    """Cairn's global config folder (created on first use)."""
    env = os.environ.get(ENV_CONFIG_DIR)
    if env:
        path = Path(env).expanduser()
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        path = Path(base) / "cairn"
    if not path.is_dir():
        if path.exists():
            raise ConfigurationError(
                f"Cairn's config folder {path} is a file, not a folder: remove it, or set "
                f"{ENV_CONFIG_DIR} to a folder."
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot create Cairn's config folder {path}: {exc.strerror or exc}; set "
                f"{ENV_CONFIG_DIR} to a folder that can be created."
            ) from exc
    return path.resolve()


def local_stores_dir() -> Path:
    """Folder under which local components keep their data, one sub-folder each."""
    return config_dir() / "local_stores"


@dataclass(frozen=True)
class Repository:
    """A project folder initialised with ``cairn init``."""

    root: Path

    @property
    def config_path(self) -> Path:
        """The repository's settings file (``.cairn/config.json``)."""
        return self.root / REPOSITORY_DIR_NAME / _REPOSITORY_CONFIG

    def read_config(self) -> dict[str, Any]:
        """The repository's settings (``{}`` when there are none)."""
        try:
            data = json.loads(self.config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_config(self, data: dict[str, Any]) -> None:
        """Replace the repository's settings atomically."""
        import tempfile  # here: it imports shutil, random, bz2, lzma (slow on the CLI path)

        folder = self.config_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".config-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(data, indent=2, sort_keys=True))
            os.replace(tmp, self.config_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def active_stack(self) -> str | None:
        """The stack pinned for this project, if any."""
        value = self.read_config().get("active_stack")
        return value if isinstance(value, str) else None

    def set_active_stack(self, name: str | None) -> None:
        """Pin ``name`` as this project's active stack (``None`` removes the pin)."""
        data = self.read_config()
        if name is None:
            data.pop("active_stack", None)
        else:
            data["active_stack"] = name
        self.write_config(data)

    @classmethod
    def initialize(cls, root: Path) -> Repository:
        """Create ``.cairn/`` in ``root`` (idempotent)."""
        repo = cls(root.resolve())
        (repo.root / REPOSITORY_DIR_NAME).mkdir(parents=True, exist_ok=True)
        if not repo.config_path.exists():
            repo.write_config({})
        return repo


def find_repository(start: Path | None = None) -> Repository | None:
    """The repository containing ``start`` (default: the working folder), or ``None``.

    ``$CAIRN_REPOSITORY_PATH`` overrides the search.
    """
    env = os.environ.get(ENV_REPOSITORY)
    if env:
        root = Path(env).expanduser().resolve()
        return Repository(root) if (root / REPOSITORY_DIR_NAME).is_dir() else None
    current = (start or Path.cwd()).resolve()
    for folder in (current, *current.parents):
        if (folder / REPOSITORY_DIR_NAME).is_dir():
            return Repository(folder)
    return None
