"""The log file of a component's local service, found from its registry record alone.

``cairn <type> logs NAME`` shows the component's ``log_file``; building the
component to ask for it imports pydantic and the flavor class. The flavors of
:data:`SERVICE_LOGS` log to a local service whose id is made from the component's
uuid (by the same function the flavor uses), always (the ``local`` orchestrator's
scheduler) or when their configuration runs a daemon on this machine (the ``airflow``
and ``ray`` orchestrators, the ``mlflow`` experiment tracker), so their log file
follows from the record and the services folder layout
(:mod:`cairn.services.service_files`). For any other flavor, or a configuration
whose rule cannot tell from plain values, the component is built. The catalog's other
flavors have no log at all (:func:`without_logs`), which their record tells as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType
from cairn.services.scheduler import scheduler_service_id
from cairn.services.service_files import service_log_file as _log_of_service
from cairn.stack.builtin_records import is_builtin

if TYPE_CHECKING:
    from cairn.stack.registry import StackRegistry

#: A flavor's rule: the id of the local service whose log is the component's, from the
#: component's uuid and its record's configuration; :data:`NO_LOG` when that
#: configuration runs no daemon here; ``None`` when only the built component can tell
#: (a key the flavor does not know, a value of an unexpected type).
ServiceRule = Callable[[str, Mapping[str, Any]], str | None]

#: What a :data:`ServiceRule` answers for a configuration that runs no daemon here.
NO_LOG = ""

_T = StackComponentType

#: Flavors whose ``log_file`` is a local service's log, by ``(type, flavor)``: the
#: ``"module:function"`` of their :data:`ServiceRule`, imported only for a component of
#: that flavor (an integration's rule sits in a module of its package that imports
#: neither pydantic nor the integration's library). A test checks each entry against the
#: built component.
SERVICE_LOGS: dict[tuple[StackComponentType, str], str] = {
    (_T.ORCHESTRATOR, "local"): "cairn.stack.component_logs:scheduler_service",
    (_T.ORCHESTRATOR, "airflow"): "cairn.integrations.airflow._service_log:airflow_service",
    (_T.ORCHESTRATOR, "ray"): "cairn.integrations.ray._service_log:head_service",
    (_T.EXPERIMENT_TRACKER, "mlflow"): "cairn.integrations.mlflow._service_log:tracker_service",
}


def scheduler_service(uuid: str, config: Mapping[str, Any]) -> str:
    """The ``local`` orchestrator logs to its scheduler, whatever its configuration."""
    return scheduler_service_id(uuid)


def service_rule(ctype: StackComponentType, flavor: str) -> ServiceRule | None:
    """The rule of flavor ``flavor`` of ``ctype`` (imported), if :data:`SERVICE_LOGS` has one."""
    source = SERVICE_LOGS.get((ctype, flavor))
    if source is None:
        return None
    module, _, function = source.partition(":")
    rule: ServiceRule = getattr(import_module(module), function)
    return rule


def without_logs() -> frozenset[tuple[StackComponentType, str]]:
    """The catalog's flavors that never have a log file (no entry in :data:`SERVICE_LOGS`:
    their class keeps the base ``log_file``, which a test checks for each)."""
    from cairn.stack.flavor_catalog import catalog

    return frozenset((e.type, e.name) for e in catalog()) - set(SERVICE_LOGS)


def service_log_file(
    registry: StackRegistry, ctype: StackComponentType, name: str
) -> tuple[bool, Path | None]:
    """``(True, log_file)`` when component ``name``'s record alone tells its ``log_file``
    (a path whether or not the file exists yet, or ``None`` when it has no log);
    ``(False, None)`` when only the built component knows.

    Raises:
        DoesNotExistError: there is no component ``name`` of ``ctype``.
    """
    record = registry.store.get_component(ctype, name)
    rule = service_rule(ctype, record.flavor)
    if rule is None and (ctype, record.flavor) not in without_logs():
        return False, None  # not a flavor of the catalog
    if not is_builtin(registry, record):
        return False, None  # a registered flavor of that name: only it knows
    if rule is None:
        return True, None
    service_id = rule(record.uuid, record.config)
    if service_id is None:
        return False, None
    return True, (_log_of_service(service_id) if service_id != NO_LOG else None)
