"""Local services: daemons Cairn starts, watches and stops (stdlib only).

A component whose flavor needs a process (a tracking server, a model server)
keeps it as a :class:`LocalService`; :class:`LocalDaemonMixin` maps the stack
component state (provision, resume, suspend, deprovision) onto it.
"""

from cairn.services.component import DaemonSpec, LocalDaemonMixin
from cairn.services.health import HealthCheck, http_ok
from cairn.services.local_service import (
    LocalService,
    ServiceState,
    ServiceStatus,
    list_services,
    services_dir,
)
from cairn.services.process import free_port, pid_alive, port_in_use

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
