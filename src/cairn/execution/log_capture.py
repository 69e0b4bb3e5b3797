"""Capture what a step prints, per step, while it still reaches the terminal.

On first use ``sys.stdout`` and ``sys.stderr`` are wrapped once by a tee that
writes to the original stream and, when the current context (thread) belongs
to a running step, also into that step's buffer. Steps running in parallel
threads therefore get their own logs. The runner stores a non-empty buffer in
the artifact store and records its URI with the step run (``StepView.logs``).

Output written directly to file descriptors (C extensions, subprocesses) and
logging handlers created before the tee was installed with a reference to the
original stream are not captured.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

_BUFFER: ContextVar[io.StringIO | None] = ContextVar("cairn_step_logs", default=None)
_INSTALL_LOCK = threading.Lock()


class _Tee(io.TextIOBase):
    """A text stream forwarding to ``original`` and copying into the step's buffer."""

    def __init__(self, original: TextIO) -> None:
        self.original = original

    def write(self, text: str) -> int:
        buffer = _BUFFER.get()
        if buffer is not None:
            buffer.write(text)
        return self.original.write(text)

    def flush(self) -> None:
        self.original.flush()

    def fileno(self) -> int:
        return self.original.fileno()

    def isatty(self) -> bool:
        return self.original.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.original, "encoding", "utf-8"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


def _install() -> None:
    with _INSTALL_LOCK:
        if sys.stdout is not None and not isinstance(sys.stdout, _Tee):
            sys.stdout = _Tee(sys.stdout)
        if sys.stderr is not None and not isinstance(sys.stderr, _Tee):
            sys.stderr = _Tee(sys.stderr)


@contextmanager
def capture_logs() -> Iterator[io.StringIO]:
    """Collect what this context prints (stdout and stderr) into a buffer."""
    if type(sys.stdout) is not _Tee or type(sys.stderr) is not _Tee:
        _install()
    buffer = io.StringIO()
    token = _BUFFER.set(buffer)
    try:
        yield buffer
    finally:
        _BUFFER.reset(token)
