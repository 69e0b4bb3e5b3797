"""Validation rules of a stack."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cairn.enums import REQUIRED_COMPONENT_TYPES, STACK_OPTION_LETTERS, StackComponentType
from cairn.exceptions import StackValidationError

if TYPE_CHECKING:
    from cairn.stack.stack import Stack

#: A custom check: returns ``(ok, message)``; the message says what to change.
CustomValidation = Callable[["Stack"], tuple[bool, str]]


@dataclass(frozen=True)
class StackValidator:
    """Checks a stack contains the required component types and passes a custom check.

    Stack components return one from their ``validator`` property to constrain the
    stack they are part of (e.g. a step operator that needs a remote artifact store).
    """

    required_components: frozenset[StackComponentType] = field(default_factory=frozenset)
    custom_validation_function: CustomValidation | None = None

    def validate(self, stack: Stack) -> None:
        """Check ``stack``.

        Raises:
            StackValidationError: a required type is missing (the message names the
                ``cairn stack update`` options to add) or the custom check failed.
        """
        present = stack.components
        missing = sorted(
            (t for t in self.required_components if t not in present), key=lambda t: t.value
        )
        if missing:
            options = " ".join(f"-{STACK_OPTION_LETTERS[t]} NAME" for t in missing)
            raise StackValidationError(
                f"Stack '{stack.name}' needs a component of type(s) "
                f"{', '.join(t.cli_name for t in missing)}: add them with "
                f"'cairn stack update {stack.name} {options}'."
            )
        if self.custom_validation_function is not None:
            ok, message = self.custom_validation_function(stack)
            if not ok:
                raise StackValidationError(f"Stack '{stack.name}' is not valid: {message}")


def missing_required_types(types: Iterable[StackComponentType]) -> list[StackComponentType]:
    """The required component types that ``types`` does not include."""
    present = set(types)
    return [t for t in StackComponentType if t in REQUIRED_COMPONENT_TYPES and t not in present]
