"""Free-form ``--param=value`` arguments of ``cairn <type> register|update``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairn.exceptions import ConfigurationError

#: Keys a component's parameters may not set (they have their own commands).
RESERVED = {"name": "rename", "uuid": "", "flavor": ""}


def parse_params(args: Sequence[str]) -> dict[str, Any]:
    """Turn ``["--path=/x", "--port", "80"]`` into ``{"path": "/x", "port": "80"}``.

    Values go through :func:`cairn.stack.registry.parse_cli_value` (``@file``
    reads a file); they are parsed to the field's type when the component is
    validated. Dashes in names become underscores (``--tracking-uri``).

    Raises:
        ConfigurationError: an argument is not ``--name=value``, a value is
            missing, a name is repeated or reserved.
    """
    from cairn.stack.registry import parse_cli_value

    params: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) < 3:
            raise ConfigurationError(
                f"Unexpected argument '{arg}': pass parameters as --name=value."
            )
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("--"):
                raise ConfigurationError(f"Parameter --{key} needs a value: --{key}=VALUE.")
            value, i = args[i + 1], i + 1
        _check_key(key.replace("-", "_"), params)
        params[key.replace("-", "_")] = parse_cli_value(value)
        i += 1
    return params


def check_name(name: str, usage: str) -> None:
    """Refuse a NAME that is really an option (``register --path=x NAME`` swaps them)."""
    if name.startswith("-"):
        raise ConfigurationError(f"Give NAME before the parameters: {usage}.")


def _check_key(key: str, params: dict[str, Any]) -> None:
    if not key.isidentifier():
        raise ConfigurationError(f"'--{key}' is not a parameter name.")
    if key in params:
        raise ConfigurationError(f"Parameter --{key} is given twice.")
    if key in RESERVED:
        command = RESERVED[key]
        hint = f": use 'cairn <type> {command}'" if command else ""
        raise ConfigurationError(f"--{key} cannot be set as a parameter{hint}.")
