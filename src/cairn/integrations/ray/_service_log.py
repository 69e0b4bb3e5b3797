"""The local head node of a ``ray`` orchestrator, as its registry record tells.

``cairn orchestrator logs NAME`` reads the head node's log without building the
orchestrator (see :mod:`cairn.stack.component_logs`): this module imports neither
pydantic nor Ray.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The orchestrator's configuration fields (a test checks them against its class).
FIELDS = frozenset({"address", "auth_token", "code", "failure_policy", "max_parallelism",
                    "namespace", "num_cpus", "port", "warm_workers"})  # fmt: skip


def head_service_id(uuid: object) -> str:
    """The service id of the local head node of the orchestrator with this uuid."""
    return f"ray-head-{uuid}"


def head_service(uuid: str, config: Mapping[str, Any]) -> str | None:
    """The local head node when ``config`` has no ``address``; ``""`` when it has one (an
    existing cluster: no daemon here); None when only the built orchestrator can tell (a
    key it does not know)."""
    if not set(config) <= FIELDS:
        return None
    return head_service_id(uuid) if config.get("address") in (None, "") else ""
