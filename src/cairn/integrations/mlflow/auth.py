"""MLflow credentials of a Cairn tracker, sent as a request header, never put in the environment.

MLflow reads a tracking server's user name and password from
``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD``; putting them there
would let every later step and child process of the pipeline read them.
Instead, Cairn registers :class:`CairnRequestHeaderProvider` in MLflow's
``mlflow.request_header_provider`` entry point group: while a step that uses a
tracker runs (or inside :func:`tracker_credentials`), each request MLflow makes
gets an ``Authorization: Basic ...`` header built from the tracker's secret
references, resolved for that request only.

This module is imported by MLflow when it loads its plugins: it imports
nothing heavy.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

#: The tracker whose credentials the current step (context) sends.
_ACTIVE: ContextVar[Any] = ContextVar("cairn_mlflow_tracker", default=None)


def activate(tracker: Any) -> None:
    """Send ``tracker``'s credentials with MLflow requests made in this context."""
    _ACTIVE.set(tracker)


def deactivate() -> None:
    """Stop sending credentials in this context."""
    _ACTIVE.set(None)


@contextmanager
def tracker_credentials(tracker: Any) -> Iterator[None]:
    """Send ``tracker``'s credentials with the MLflow calls made inside the block."""
    token = _ACTIVE.set(tracker)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _basic_auth(tracker: Any) -> str | None:
    user = tracker.resolve_secret(tracker.tracking_username)
    password = tracker.resolve_secret(tracker.tracking_password)
    if not user or not password:
        return None
    return "Basic " + base64.standard_b64encode(f"{user}:{password}".encode()).decode("ascii")


class CairnRequestHeaderProvider:
    """MLflow request header provider (duck-typed ``RequestHeaderProvider``)."""

    def in_context(self) -> bool:
        """Whether a tracker with credentials is active in this context."""
        tracker = _ACTIVE.get()
        return tracker is not None and (
            tracker.tracking_username is not None or tracker.tracking_password is not None
        )

    def request_headers(self) -> dict[str, str]:
        """``Authorization`` for the active tracker, its secrets resolved just now."""
        tracker = _ACTIVE.get()
        header = _basic_auth(tracker) if tracker is not None else None
        return {"Authorization": header} if header else {}
