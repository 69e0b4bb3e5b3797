"""The Airflow service of an ``airflow`` orchestrator, as its registry record tells.

``cairn orchestrator logs NAME`` reads the service's log without building the
orchestrator (see :mod:`cairn.stack.component_logs`): this module imports neither
pydantic nor anything that runs Airflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The orchestrator's configuration fields (a test checks them against its class).
FIELDS = frozenset({"airflow_command", "airflow_home", "dags_folder", "failure_policy",
                    "python", "run_timeout", "serve"})  # fmt: skip


def airflow_service_id(uuid: object) -> str:
    """The service id of the Airflow service of the orchestrator with this uuid."""
    return f"airflow-{uuid}"


def airflow_service(uuid: str, config: Mapping[str, Any]) -> str | None:
    """The Airflow service when ``config`` serves (the default); ``""`` for ``serve: false``
    (no daemon here); None when only the built orchestrator can tell (a key it does not
    know, a ``serve`` that is not a boolean)."""
    serve = config.get("serve", True)
    if not set(config) <= FIELDS or not isinstance(serve, bool):
        return None
    return airflow_service_id(uuid) if serve else ""
