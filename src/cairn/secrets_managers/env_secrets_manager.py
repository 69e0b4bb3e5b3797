"""The ``env`` secrets manager: read-only secrets from environment variables.

For CI systems that inject secrets as variables: the key ``KEY`` of the secret
``NAME`` is the variable ``CAIRN_SECRET__<NAME>__<KEY>`` (double underscores,
since names and keys contain single ones; names upper-cased with ``-`` written
as ``_``, keys upper-cased). Secrets and keys are listed in lower case.

The variables are read when a reference is resolved; Cairn never writes them.
"""

from __future__ import annotations

import os
from typing import ClassVar

from cairn.secrets_managers.base_secrets_manager import BaseSecretsManager

PREFIX = "CAIRN_SECRET__"


def variable_name(name: str, key: str) -> str:
    """The environment variable holding ``key`` of secret ``name``."""
    return f"{PREFIX}{name.upper().replace('-', '_')}__{key.upper()}"


class EnvSecretsManager(BaseSecretsManager):
    """Secrets from ``CAIRN_SECRET__<NAME>__<KEY>`` variables (read-only)."""

    FLAVOR: ClassVar[str] = "env"
    READ_ONLY: ClassVar[bool] = True

    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        prefix = f"{PREFIX}{name.upper().replace('-', '_')}__"
        values = {
            var[len(prefix) :].lower(): value
            for var, value in os.environ.items()
            if var.upper().startswith(prefix) and len(var) > len(prefix)
        }
        return ("arbitrary", values) if values else None

    def _names(self) -> list[str]:
        names = set()
        for var in os.environ:
            if var.upper().startswith(PREFIX):
                name, sep, key = var[len(PREFIX) :].rpartition("__")
                if sep and name and key:
                    names.add(name.lower())
        return sorted(names)
