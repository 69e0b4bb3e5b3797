"""The local tracking server of an ``mlflow`` experiment tracker, as its registry record tells.

``cairn experiment-tracker logs NAME`` reads the server's log without building the
tracker (see :mod:`cairn.stack.component_logs`): this module imports neither pydantic
nor MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The tracker's configuration fields (a test checks them against its class).
FIELDS = frozenset({"tracking_uri", "tracking_username", "tracking_password", "port", "host"})


def tracker_service_id(uuid: object) -> str:
    """The service id of the local tracking server of the tracker with this uuid."""
    return f"mlflow-tracker-{uuid}"


def tracker_service(uuid: str, config: Mapping[str, Any]) -> str | None:
    """The tracker's local server when ``config`` has no ``tracking_uri``; ``""`` when it has
    one (a remote server: no daemon here); None when only the built tracker can tell (a key
    it does not know)."""
    if not set(config) <= FIELDS:
        return None
    return tracker_service_id(uuid) if config.get("tracking_uri") in (None, "") else ""
