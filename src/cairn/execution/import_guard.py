"""Importing user code must never start a pipeline run.

A pipeline script with a bare module-level ``pipeline().run()`` (no ``if
__name__ == "__main__":`` guard) is imported again by every step process in
``processes`` mode, and by ``cairn pipeline run FILE``. Without a guard each
import would start a new run, whose step processes import the script again...

While :func:`importing_user_code` is active, ``run()`` raises
:class:`RunDuringImport` (a ``BaseException``, so user code does not swallow it)
after saying once, on stderr, that the call was skipped; :func:`exec_module`
catches it and keeps the module as far as it was executed. Everything defined
before the ``run()`` call (the steps and the pipeline) is therefore there.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

_STATE = threading.local()
_WARNED: set[str] = set()


class RunDuringImport(BaseException):
    """Raised by ``run()`` while user code is being imported (see the module docs)."""


@contextmanager
def importing_user_code(reason: str) -> Iterator[None]:
    """While active, ``run()`` calls of pipelines are skipped (see the module docs).

    Args:
        reason: why the code is imported, for the message (e.g. ``step 'train'``).
    """
    previous = getattr(_STATE, "reason", None)
    _STATE.reason = reason
    try:
        yield
    finally:
        _STATE.reason = previous


def check_run_allowed(pipeline_name: str, location: str) -> None:
    """Called by ``run()``: raise :class:`RunDuringImport` while importing user code."""
    reason = getattr(_STATE, "reason", None)
    if reason is None:
        return
    if location not in _WARNED:
        _WARNED.add(location)
        print(
            f"cairn: {location}: skipped run() of pipeline '{pipeline_name}' while importing "
            f"this file for {reason}; put the call under 'if __name__ == \"__main__\":'.",
            file=sys.stderr,
        )
    raise RunDuringImport(location)


def exec_module(name: str, spec: importlib.machinery.ModuleSpec) -> ModuleType:
    """Execute a module from its spec as ``sys.modules[name]``; a skipped ``run()`` stops it.

    Raises:
        Exception: whatever the module raised (it is then removed from ``sys.modules``).
    """
    if spec.loader is None:
        raise ImportError(f"no loader for module {name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except RunDuringImport:
        pass  # the module is kept as far as it ran: its steps and pipelines are defined
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
