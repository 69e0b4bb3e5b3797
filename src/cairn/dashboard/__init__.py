"""The dashboard: a read-only web UI and JSON API over the client (``cairn[dashboard]``).

``cairn dashboard`` serves it; :func:`create_app` builds the ASGI application
and :func:`serve` runs it with uvicorn. Importing this package is free: the web
framework is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.dashboard.app import create_app
    from cairn.dashboard.server import serve

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from cairn.dashboard.app import create_app

        return create_app
    if name == "serve":
        from cairn.dashboard.server import serve

        return serve
    raise AttributeError(f"module 'cairn.dashboard' has no attribute {name!r}")
