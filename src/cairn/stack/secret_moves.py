"""Plain secret values of components become secrets, their fields references.

A field the flavor marks secret (``SecretStr``) always holds a reference in the
registry. :func:`move_plain_values` stores a plain value given to ``register``
or ``update`` as a new secret of a secrets manager, named after the component
and field (``<type>-<component>-<field>``, key ``value``), and puts the
reference in the field. :func:`move_legacy_secrets` does the same once for the
plain values that registries written before secret references kept apart in
their records.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from cairn.exceptions import ConfigurationError
from cairn.stack.secret_references import (
    AUTO_SECRET_KEY,
    SecretReference,
    auto_secret_name,
    parse_reference,
)

if TYPE_CHECKING:
    from cairn.secrets_managers import BaseSecretsManager
    from cairn.stack.stack_component import StackComponent
    from cairn.store.records import ComponentRecord


@dataclass
class MovedSecrets:
    """Secrets written by one move, so that a failed write can remove them again."""

    manager: BaseSecretsManager | None = None
    created: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def undo(self) -> None:
        """Delete the secrets this move created (never any other)."""
        if self.manager is None:
            return
        for name in self.created:
            with contextlib.suppress(Exception):  # best effort: the original error matters
                self.manager.delete_secret(name)
        self.created.clear()


def plain_secret_fields(component: StackComponent) -> list[str]:
    """Secret fields of ``component`` holding a plain value (not a reference), also in
    lists and dicts (``dict[str, SecretStr]``).

    Raises:
        ConfigurationError: a value looks like a reference but is not a valid one.
    """
    return [n for n in sorted(component.secret_fields()) if _holds_plain(getattr(component, n))]


def _holds_plain(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_plain(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_plain(v) for v in value)
    return (
        isinstance(value, SecretStr)
        and bool(value.get_secret_value())
        and parse_reference(value) is None  # raises for a malformed {{...}}
    )


def _replace_plain(value: Any, secret: str, values: dict[str, str], key: str | None) -> Any:
    """``value`` with each plain secret replaced by a reference to a key of ``secret``.

    The plain values are collected in ``values``: under ``key`` for a single
    value, under ``item_0``, ``item_1``... for the items of a list or dict.
    """
    if isinstance(value, dict):
        return {k: _replace_plain(v, secret, values, None) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_replace_plain(v, secret, values, None) for v in value)
    if not _holds_plain(value):
        return value
    name = key or f"item_{len(values)}"
    values[name] = value.get_secret_value()
    return SecretStr(str(SecretReference(secret, name)))


def free_secret_name(manager: BaseSecretsManager, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever the manager does not hold."""
    name, n = base, 2
    while manager.has_secret(name):
        name, n = f"{base}-{n}", n + 1
    return name


def move_plain_values(
    component: StackComponent,
    manager: BaseSecretsManager | None,
    where: str,
    previous: StackComponent | None = None,
) -> MovedSecrets:
    """Store each plain secret field value of ``component`` in ``manager``; set references.

    Args:
        where: names the place ``manager`` comes from (for the error when it is ``None``).
        previous: the component before an update: a field that referred to the
            secret made for it earlier keeps that secret, updated in place.

    Raises:
        ConfigurationError: there is no secrets manager to hold a plain value.
    """
    fields = plain_secret_fields(component)
    moved = MovedSecrets(manager)
    if not fields:
        return moved
    if manager is None:
        raise ConfigurationError(
            f"The {component}: {', '.join(fields)} must be kept in a secrets manager, but "
            f"{where} has none: add one to the stack ('cairn stack update STACK -x NAME') or "
            f"pass a reference --{fields[0]}={{{{secret_name.key}}}}."
        )
    try:
        for name in fields:
            target = _target(component, name, manager, previous)
            values: dict[str, str] = {}
            value = getattr(component, name)
            single = isinstance(value, SecretStr)
            new = _replace_plain(value, target, values, AUTO_SECRET_KEY if single else None)
            if manager.has_secret(target):
                manager.update_secret(target, values)
            else:
                manager.register_secret(target, values)
                moved.created.append(target)
            setattr(component, name, new)
            moved.fields.append(f"{name} -> {{{{{target}.{'|'.join(sorted(values))}}}}}")
    except BaseException:
        moved.undo()
        raise
    return moved


def _target(
    component: StackComponent,
    field: str,
    manager: BaseSecretsManager,
    previous: StackComponent | None,
) -> str:
    """The secret a field's plain values go to: the one made for it before, or a new one."""
    from cairn.stack.secret_references import iter_references

    base = auto_secret_name(component.TYPE.cli_name, component.name, field)
    if previous is not None:
        for old in iter_references(getattr(previous, field, None)):
            suffix = old.name[len(base) :]
            if old.name.startswith(base) and (not suffix or re.fullmatch(r"-[0-9]+", suffix)):
                return old.name
    return free_secret_name(manager, base)


def legacy_config(
    record: ComponentRecord, manager: BaseSecretsManager, secrets_key: str
) -> tuple[dict[str, Any], MovedSecrets]:
    """The configuration of a record whose plain secrets (under ``secrets_key``) are moved."""
    config = {k: v for k, v in record.config.items() if k != secrets_key}
    moved = MovedSecrets(manager)
    try:
        for name, value in sorted(record.config[secrets_key].items()):
            base = auto_secret_name(record.type.cli_name, record.name, name)
            secret = free_secret_name(manager, base)
            manager.register_secret(secret, {AUTO_SECRET_KEY: str(value)})
            moved.created.append(secret)
            config[name] = str(SecretReference(secret, AUTO_SECRET_KEY))
            moved.fields.append(f"{record.type.cli_name} '{record.name}': {name}")
    except BaseException:
        moved.undo()
        raise
    return config, moved
