"""Stacks, stack components, validators and the flavor registry.

The public names are loaded on first access, so that light modules of this
package (the registry facade used by read-only CLI commands) do not import
pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import RuntimeOption, StackComponent
    from cairn.stack.stack_validator import StackValidator

_EXPORTS = {
    "RuntimeOption": "cairn.stack.stack_component",
    "Stack": "cairn.stack.stack",
    "StackComponent": "cairn.stack.stack_component",
    "StackRegistry": "cairn.stack.registry",
    "StackValidator": "cairn.stack.stack_validator",
}

__all__ = ["RuntimeOption", "Stack", "StackComponent", "StackRegistry", "StackValidator"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cairn.stack' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
