"""Global configuration: Cairn's config folder, the repository root and the active stack.

Everything here is stdlib only: it sits on the CLI's import path.
"""

from __future__ import annotations

from cairn.config.paths import (
    ENV_ACTIVE_STACK,
    ENV_CONFIG_DIR,
    ENV_REPOSITORY,
    REPOSITORY_DIR_NAME,
    Repository,
    config_dir,
    find_repository,
    local_stores_dir,
)

__all__ = [
    "ENV_ACTIVE_STACK",
    "ENV_CONFIG_DIR",
    "ENV_REPOSITORY",
    "REPOSITORY_DIR_NAME",
    "Repository",
    "config_dir",
    "find_repository",
    "local_stores_dir",
]
