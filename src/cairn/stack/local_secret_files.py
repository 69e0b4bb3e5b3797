"""Where the built-in ``local`` secrets manager keeps its files, and their names.

One definition for :class:`~cairn.secrets_managers.local_secrets_manager.LocalSecretsManager`
and for ``cairn secret list``, which lists the names of a local manager's secrets from
its folder without building the component (no pydantic, no key: names are not secret).
"""

from __future__ import annotations

from pathlib import Path

from cairn.config.paths import local_stores_dir

#: The file of secret ``NAME`` is ``NAME.secret`` in the manager's folder.
SUFFIX = ".secret"


def secrets_folder(path: str | None, uuid: str) -> Path:
    """The folder of a local secrets manager's files: its ``path``, else its local folder."""
    return Path(path).expanduser() if path else local_stores_dir() / uuid / "secrets"


def secret_names(folder: Path) -> list[str]:
    """The names of the secrets in ``folder``, sorted (none when it does not exist)."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    return sorted(p.name[: -len(SUFFIX)] for p in entries if p.name.endswith(SUFFIX))
