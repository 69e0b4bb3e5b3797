"""Find the Python function of a step from its spec (import path, or file for ``__main__``)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from cairn.exceptions import PipelineDefinitionError
from cairn.execution.import_guard import exec_module, importing_user_code
from cairn.models.pipeline_spec import StepSpec
from cairn.stack.source_utils import ensure_source_root, split_source

#: Module name under which a pipeline file run as a script is imported again.
MAIN_ALIAS = "__cairn_main__"


def _module_from_file(name: str, path: str) -> ModuleType:
    """Import file ``path`` as module ``name`` (its ``if __name__ == "__main__"`` is skipped)."""
    existing = sys.modules.get(name)
    if existing is not None:
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PipelineDefinitionError(f"Cannot import step code from {path}.")
    return exec_module(name, spec)


def _import_user_module(name: str) -> ModuleType:
    """``importlib.import_module``, but a module stopped by a skipped ``run()`` is kept."""
    existing = sys.modules.get(name)
    if existing is not None:
        return existing
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ModuleNotFoundError(f"No module named '{name}'", name=name)
    return exec_module(name, spec)


#: Public name of :func:`_module_from_file` (run hooks import scripts the same way).
module_from_file = _module_from_file


def _import_module(step: StepSpec, module_name: str) -> ModuleType:
    with importing_user_code(f"step '{step.name}'"):
        return _import_step_module(step, module_name)


def _import_step_module(step: StepSpec, module_name: str) -> ModuleType:
    if module_name == "__main__":
        if not step.source_file:
            raise PipelineDefinitionError(
                f"Step '{step.name}' is defined in a script without a file; define it in a module."
            )
        return _module_from_file(MAIN_ALIAS, step.source_file)
    ensure_source_root()
    try:
        return _import_user_module(module_name)
    except ModuleNotFoundError:
        if step.source_file is None:
            raise
        return _module_from_file(module_name, step.source_file)


def load_step_function(step: StepSpec) -> Callable[..., Any]:
    """The function of a step, imported from ``step.source``.

    Raises:
        PipelineDefinitionError: the step cannot be imported (e.g. it is defined inside
            another function, which only works when steps run in the same process).
    """
    module_name, qualname = split_source(step.source)
    if "<locals>" in qualname:
        raise PipelineDefinitionError(
            f"Step '{step.name}' ({step.source}) is defined inside a function, so another "
            "process cannot import it; define it at module level."
        )
    try:
        obj: Any = _import_module(step, module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except PipelineDefinitionError:
        raise
    except Exception as exc:
        raise PipelineDefinitionError(
            f"Cannot import step '{step.name}' from {step.source}: {type(exc).__name__}: {exc}."
        ) from exc
    entrypoint = getattr(obj, "entrypoint", obj)
    if not callable(entrypoint):
        raise PipelineDefinitionError(f"{step.source} is not a step function.")
    return entrypoint  # type: ignore[no-any-return]
