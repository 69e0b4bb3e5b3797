"""Checks that secret references can be resolved, without revealing a value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType
from cairn.exceptions import CairnError, DoesNotExistError

if TYPE_CHECKING:
    from cairn.stack.secret_references import SecretReference
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent


def reference_problems(component: StackComponent, manager: Any, where: str) -> list[str]:
    """What is wrong with ``component``'s references when looked up in ``manager``.

    Args:
        manager: a secrets manager, or ``None`` when there is none.
        where: how to name the place the references are looked up (for messages).
    """
    references = component.secret_references()
    if not references:
        return []
    if manager is None:
        refs = ", ".join(sorted({str(r) for _f, r in references}))
        return [f"{component} refers to {refs}, but {where} has no secrets manager"]
    problems = []
    keys_of: dict[str, set[str] | None] = {}
    for field, reference in references:
        if reference.name not in keys_of:
            keys_of[reference.name] = secret_keys(manager, reference)
        keys = keys_of[reference.name]
        if keys is None:
            problems.append(
                f"{component}: {field} = {reference}: no secret '{reference.name}' in secrets "
                f"manager '{manager.name}'"
            )
        elif reference.key not in keys:
            problems.append(
                f"{component}: {field} = {reference}: secret '{reference.name}' has no key "
                f"'{reference.key}'"
            )
    return problems


def secret_keys(manager: Any, reference: SecretReference) -> set[str] | None:
    """The keys of the secret ``reference`` names, ``None`` when it does not exist."""
    try:
        return set(manager.get_secret(reference.name))
    except DoesNotExistError:
        return None
    except CairnError as exc:
        raise type(exc)(
            f"Cannot check {reference} in secrets manager '{manager.name}': {exc}"
        ) from exc


def missing_references(stack: Stack) -> list[str]:
    """Problems with the references of every component of ``stack``."""
    problems: list[str] = []
    manager = stack.secrets_manager
    for component in stack:
        if component.TYPE == StackComponentType.SECRETS_MANAGER:
            if component.secret_references():
                from cairn.stack.registry import StackRegistry

                own = StackRegistry().default_secrets_manager()
                problems += reference_problems(component, own, "this installation")
            continue
        problems += reference_problems(component, manager, f"stack '{stack.name}'")
    return problems
