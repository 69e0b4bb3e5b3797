"""The log file of a component's local service, found from its registry record alone.

``cairn <type> logs NAME`` shows the component's ``log_file``; building the
component to ask for it imports pydantic and the flavor class. The flavors of
:data:`SERVICE_LOGS` log to a local service whose id is made from the component's
uuid (by the same function the flavor uses), always (the ``local`` orchestrator's
scheduler) or when their configuration runs a daemon on this machine (the ``airflow``
and ``ray`` orchestrators, the ``mlflow`` experiment tracker), so their log file
follows from the record and the services folder layout
(:mod:`cairn.services.service_files`). For any other flavor, or a configuration
whose rule cannot tell from plain values, the component is built.
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
#: component's uuid and its record's configuration; ``None`` when only the built
#: component can tell (no daemon, a secret reference, a key the flavor does not know).
ServiceRule = Callable[[str, Mapping[str, Any]], str | None]

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


def service_log_file(registry: StackRegistry, ctype: StackComponentType, name: str) -> Path | None:
    """The log file of component ``name`` when its record alone tells it (whether or not
    the file exists yet); ``None`` when only the built component knows.

    Raises:
        DoesNotExistError: there is no component ``name`` of ``ctype``.
    """
    record = registry.store.get_component(ctype, name)
    rule = service_rule(ctype, record.flavor)
    if rule is None or not is_builtin(registry, record):
        return None
    service_id = rule(record.uuid, record.config)
    return None if service_id is None else _log_of_service(service_id)
