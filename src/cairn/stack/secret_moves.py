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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from cairn.exceptions import ConfigurationError
from cairn.stack.secret_references import (
    AUTO_SECRET_KEY,
    SecretReference,
    auto_secret_name,
    is_reference,
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
    """Secret fields of ``component`` that hold a plain value (not a reference)."""
    out = []
    for name in sorted(component.secret_fields()):
        value = getattr(component, name)
        if value is None or parse_reference(value) is not None:  # raises for a bad {{...}}
            continue
        if isinstance(value, SecretStr):
            if value.get_secret_value():
                out.append(name)
            continue
        if _holds_plain(value):
            raise ConfigurationError(
                f"The {component}: field {name} holds secrets in a list or mapping: give each "
                f"as a reference {{{{secret_name.key}}}} (register them with 'cairn secret "
                f"register')."
            )
    return out


def _holds_plain(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_plain(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_plain(v) for v in value)
    return isinstance(value, SecretStr) and not is_reference(value)


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
            value: SecretStr = getattr(component, name)
            reference = _target(component, name, manager, previous)
            values = {reference.key: value.get_secret_value()}
            if manager.has_secret(reference.name):
                manager.update_secret(reference.name, values)
            else:
                manager.register_secret(reference.name, values)
                moved.created.append(reference.name)
            setattr(component, name, SecretStr(str(reference)))
            moved.fields.append(f"{name} -> {reference}")
    except BaseException:
        moved.undo()
        raise
    return moved


def _target(
    component: StackComponent,
    field: str,
    manager: BaseSecretsManager,
    previous: StackComponent | None,
) -> SecretReference:
    base = auto_secret_name(component.TYPE.cli_name, component.name, field)
    if previous is not None:
        old = parse_reference(getattr(previous, field, None))
        if old is not None and old.name.startswith(base) and old.key == AUTO_SECRET_KEY:
            return old
    return SecretReference(free_secret_name(manager, base), AUTO_SECRET_KEY)


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
