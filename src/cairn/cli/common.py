"""Helpers shared by the command modules (kept light: no pydantic, no flavor classes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cairn.enums import StackComponentType
from cairn.exceptions import DoesNotExistError

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry


def registry() -> StackRegistry:
    """The stack registry of this installation (its notices are printed on stderr)."""
    from cairn.stack.registry import StackRegistry

    reg = StackRegistry()
    echo_notices(reg)
    return reg


def echo_notices(reg: StackRegistry) -> None:
    """Print what the registry has to tell (secrets moved...) on stderr, once."""
    import click

    for notice in reg.notices:
        click.echo(notice, err=True)
    reg.notices.clear()


def active_component_names(reg: StackRegistry) -> dict[StackComponentType, str]:
    """Components of the active stack by type (``{}`` when there is no active stack)."""
    try:
        return dict(reg.store.get_stack(reg.active_stack_name()).components)
    except DoesNotExistError:
        return {}


def name_or_active(reg: StackRegistry, ctype: StackComponentType, name: str | None) -> str:
    """``name``, or the name of the active stack's component of ``ctype``."""
    if name:
        return name
    stack = reg.active_stack_name()
    found = reg.store.get_stack(stack).components.get(ctype)
    if found is None:
        raise DoesNotExistError(
            f"The active stack '{stack}' has no {ctype.cli_name}: pass its NAME."
        )
    return found


def active_name(reg: StackRegistry) -> str | None:
    """The active stack's name, or ``None`` when no stack is active."""
    try:
        return reg.active_stack_name()
    except DoesNotExistError:
        return None
