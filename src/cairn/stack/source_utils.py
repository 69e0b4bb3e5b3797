"""Import classes by path (``package.module:Class`` or ``package.module.Class``)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from cairn.config import find_repository
from cairn.exceptions import FlavorError


def split_source(source: str) -> tuple[str, str]:
    """Split an import path into module and attribute."""
    if ":" in source:
        module, _, attr = source.partition(":")
    else:
        module, _, attr = source.rpartition(".")
    if not module or not attr:
        raise FlavorError(
            f"'{source}' is not an import path: write it as package.module.ClassName."
        )
    return module, attr


def ensure_source_root() -> None:
    """Make the repository root (or the working folder) importable."""
    repo = find_repository()
    root = str(repo.root if repo else Path.cwd())
    if root not in sys.path:
        sys.path.insert(0, root)


def load_source(source: str) -> Any:
    """Import and return the object an import path names.

    Raises:
        ModuleNotFoundError: when a module is missing (callers turn it into a hint).
        FlavorError: when the module has no such attribute.
    """
    module_name, attr = split_source(source)
    obj: Any = sys.modules.get(module_name)
    if obj is None:  # an imported module needs no search path (and no repository lookup)
        ensure_source_root()
        obj = importlib.import_module(module_name)
    for part in attr.split("."):  # nested classes: ``module:Outer.Inner``
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise FlavorError(f"Module '{module_name}' has no attribute '{attr}'.") from exc
    return obj
