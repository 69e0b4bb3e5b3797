"""Cairn: ML pipelines on a stack of pluggable infrastructure.

Public names are imported on first use so that ``import cairn`` (and the CLI)
stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from cairn.stack import Stack, StackComponent, StackRegistry

_EXPORTS: dict[str, str] = {
    "Stack": "cairn.stack",
    "StackComponent": "cairn.stack",
    "StackRegistry": "cairn.stack",
}

__all__ = ["Stack", "StackComponent", "StackRegistry", "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cairn' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
