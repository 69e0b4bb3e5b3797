"""The log file of a component's local service, found from its registry record alone.

``cairn <type> logs NAME`` shows the component's ``log_file``; building the
component to ask for it imports pydantic and the flavor class. The built-in
flavors of :data:`SERVICE_LOGS` always log to a local service whose id is made
from the component's uuid (the same function the flavor uses), so their log file
follows from the record and the services folder layout
(:mod:`cairn.services.service_files`). For any other flavor (an integration's
daemon depends on its configuration) the component is built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cairn.enums import StackComponentType
from cairn.services.scheduler import scheduler_service_id
from cairn.services.service_files import service_log_file as _log_of_service
from cairn.stack.builtin_records import is_builtin

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry

#: Built-in flavors whose ``log_file`` is always their local service's log, by
#: ``(type, flavor)``: the service id from the component's uuid. (A test checks each
#: entry against the built component.)
SERVICE_LOGS: dict[tuple[StackComponentType, str], Callable[[str], str]] = {
    (StackComponentType.ORCHESTRATOR, "local"): scheduler_service_id,  # its scheduler
}


def service_log_file(registry: StackRegistry, ctype: StackComponentType, name: str) -> Path | None:
    """The log file of component ``name`` when its record alone tells it (whether or not
    the file exists yet); ``None`` when only the built component knows.

    Raises:
        DoesNotExistError: there is no component ``name`` of ``ctype``.
    """
    record = registry.store.get_component(ctype, name)
    service_id = SERVICE_LOGS.get((ctype, record.flavor))
    if service_id is None or not is_builtin(registry, record):
        return None
    return _log_of_service(service_id(record.uuid))
