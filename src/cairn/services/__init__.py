"""Local services: daemons Cairn starts, watches and stops (stdlib only).

A component whose flavor needs a process (a tracking server, a model server)
keeps it as a :class:`LocalService`; :class:`LocalDaemonMixin` maps the stack
component state (provision, resume, suspend, deprovision) onto it.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cairn.services.component import DaemonSpec, LocalDaemonMixin
    from cairn.services.health import HealthCheck, http_ok
    from cairn.services.local_service import (
        LocalService,
        ServiceState,
        ServiceStatus,
        list_services,
    )
    from cairn.services.process import free_port, pid_alive, port_in_use
    from cairn.services.service_files import services_dir

#: Where each public name lives (imported on first use: a pipeline run that starts no
#: service, such as the local scheduler's mixin being imported, loads none of them).
_HOMES = {
    "DaemonSpec": "component",
    "LocalDaemonMixin": "component",
    "HealthCheck": "health",
    "http_ok": "health",
    "LocalService": "local_service",
    "ServiceState": "local_service",
    "ServiceStatus": "local_service",
    "list_services": "local_service",
    "services_dir": "service_files",
    "free_port": "process",
    "pid_alive": "process",
    "port_in_use": "process",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"cairn.services.{home}"), name)


__all__ = [
    "DaemonSpec",
    "HealthCheck",
    "LocalDaemonMixin",
    "LocalService",
    "ServiceState",
    "ServiceStatus",
    "free_port",
    "http_ok",
    "list_services",
    "pid_alive",
    "port_in_use",
    "services_dir",
]
