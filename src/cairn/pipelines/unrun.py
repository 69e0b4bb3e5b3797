"""Configured pipelines that were never run are reported when the process ends.

In Cairn, calling a pipeline (``training(lr=0.1)``) configures it and ``.run()``
runs it. Code ported from ZenML, where the call runs the pipeline, would
otherwise end quietly having done nothing; instead, at exit, one line per such
pipeline names it, where it was configured, and the fix.
"""

from __future__ import annotations

import atexit
import itertools
import sys
import threading

_PENDING: dict[int, tuple[str, str]] = {}
_LOCK = threading.Lock()
_COUNTER = itertools.count(1)
_REGISTERED = False
_DISABLED = False


def configured(name: str, location: str) -> int:
    """Remember a configured pipeline; returns the token to pass to :func:`used`."""
    global _REGISTERED
    token = next(_COUNTER)
    with _LOCK:
        _PENDING[token] = (name, location)
        if not _REGISTERED:
            atexit.register(report)
            _REGISTERED = True
    return token


def used(token: int) -> None:
    """The configured pipeline was run (or compiled): forget it."""
    with _LOCK:
        _PENDING.pop(token, None)


def pending() -> list[tuple[str, str]]:
    """``(pipeline name, file:line)`` of the configured pipelines not run yet."""
    with _LOCK:
        return list(_PENDING.values())


def message(name: str, location: str) -> str:
    """The line printed for one pipeline that was configured but never run."""
    return (
        f"cairn: pipeline '{name}' was configured at {location} but never run; "
        f"call .run() on it: {name}(...).run() (see docs/porting-from-zenml.md)."
    )


def disable() -> None:
    """Report nothing in this process (step processes import the user's module, which may
    configure pipelines that the orchestrating process runs)."""
    global _DISABLED
    _DISABLED = True


def report() -> None:
    """Print one line per configured pipeline that was never run (at exit)."""
    for name, location in [] if _DISABLED else pending():
        print(message(name, location), file=sys.stderr)
    with _LOCK:
        _PENDING.clear()
