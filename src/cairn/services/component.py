"""Map the stack component state onto a local daemon.

:class:`LocalDaemonMixin` knows nothing about stack components (the services
layer sits below ``cairn.stack``); a flavor class lists it *before* its
component base class and implements three small methods:

* ``_daemon_spec()``: the command, health check, ... of its daemon, or ``None``
  when this configuration needs no daemon (e.g. a remote tracking URI);
* ``_daemon_id()``: a unique, stable service id (e.g. from the component uuid);
* ``_daemon_data_dir()``: the folder with the daemon's data.

Then ``provision`` creates the data folder, ``resume`` starts the daemon and
waits until it is healthy, ``suspend`` stops it keeping its data and
``deprovision`` stops it and removes its data and state; ``is_provisioned`` and
``is_running`` look at the real folder and process; ``log_file`` is the
daemon's log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cairn.services.health import HealthCheck
from cairn.services.local_service import LOOPBACK, LocalService


@dataclass(frozen=True)
class DaemonSpec:
    """How to run a component's daemon (``{host}``/``{port}`` are substituted)."""

    command: list[str]
    health: HealthCheck = field(default_factory=HealthCheck)
    host: str = LOOPBACK
    port: int | None = None
    env: Mapping[str, str] | None = None
    start_timeout: float = 60.0
    stop_grace: float = 10.0
    config: Mapping[str, Any] = field(default_factory=dict)


class LocalDaemonMixin:
    """Provision/resume/suspend/deprovision backed by a :class:`LocalService`."""

    def _daemon_spec(self) -> DaemonSpec | None:
        raise NotImplementedError

    def _daemon_id(self) -> str:
        raise NotImplementedError

    def _daemon_data_dir(self) -> Path:
        raise NotImplementedError

    @property
    def service(self) -> LocalService:
        """The local service behind this component."""
        return LocalService(self._daemon_id())

    @property
    def service_url(self) -> str | None:
        """``http://host:port`` of the running daemon, else ``None``."""
        state = self.service.read_state()
        if state.pid is None or state.port is None:
            return None
        return f"http://{state.host}:{state.port}"

    @property
    def is_provisioned(self) -> bool:
        """Whether the daemon's data folder exists (always true without a daemon)."""
        if self._daemon_spec() is None:
            return True
        return self._daemon_data_dir().is_dir()

    @property
    def is_running(self) -> bool:
        """Whether the daemon's process is alive, is ours and answers its health check."""
        if self._daemon_spec() is None:
            return True
        return self.service.is_running()

    @property
    def log_file(self) -> Path | None:
        """The daemon's log file."""
        return self.service.log_file if self._daemon_spec() is not None else None

    def provision(self) -> None:
        """Create the daemon's data folder (and its own temporary folder)."""
        if self._daemon_spec() is not None:
            self._daemon_data_dir().mkdir(parents=True, exist_ok=True)
            self.daemon_temp_dir().mkdir(exist_ok=True)

    def daemon_temp_dir(self) -> Path:
        """The daemon's temporary folder (its ``TMPDIR``: what it leaves there, such as
        lock files, goes with the data folder on deprovision instead of piling up in /tmp)."""
        return self._daemon_data_dir() / "tmp"

    def resume(self) -> None:
        """Start the daemon and wait until it is healthy (``ServiceError`` otherwise)."""
        spec = self._daemon_spec()
        if spec is None:
            return
        self.provision()
        env = {**(spec.env if spec.env is not None else os.environ)}
        env["TMPDIR"] = str(self.daemon_temp_dir())
        self.service.start(spec.command, port=spec.port, host=spec.host, health=spec.health,
                           env=env, cwd=self._daemon_data_dir(),
                           timeout=spec.start_timeout, config=spec.config)  # fmt: skip

    def suspend(self) -> None:
        """Stop the daemon, keeping its data."""
        spec = self._daemon_spec()
        if spec is not None:
            self.service.stop(spec.stop_grace)

    def deprovision(self) -> None:
        """Stop the daemon and remove its data folder and service state."""
        import shutil

        spec = self._daemon_spec()
        if spec is None:
            return
        self.service.remove(spec.stop_grace)
        shutil.rmtree(self._daemon_data_dir(), ignore_errors=True)
