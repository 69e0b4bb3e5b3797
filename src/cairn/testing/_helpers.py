"""Small helpers the conformance suites share (no pytest needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def expect_error(*errors: type[BaseException]) -> Iterator[None]:
    """Like ``pytest.raises``: fail unless the block raises one of ``errors``."""
    try:
        yield
    except errors:
        return
    names = " or ".join(e.__name__ for e in errors)
    raise AssertionError(f"expected {names} to be raised")
