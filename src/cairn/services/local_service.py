"""A local service: a daemon Cairn starts, watches and stops on the user's behalf.

Each service has a folder ``<config_dir>/services/<id>/`` holding ``service.json``
(pid, port, host, start time, process identity, command line, config, health
check) and ``service.log`` (the daemon's stdout and stderr). The daemon is
started through a short-lived launcher process, in its own session, so it is
detached from the CLI that started it and survives it.

Example:
    >>> service = LocalService("my-http")
    >>> service.start(["python", "-m", "http.server", "{port}", "--bind", "{host}"])
    >>> service.status().state
    'running'
    >>> service.stop()
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cairn.exceptions import ServiceError
from cairn.services.health import HealthCallable, HealthCheck
from cairn.services.process import (
    free_port,
    group_alive,
    pid_alive,
    port_in_use,
    process_cmdline,
    process_start_ticks,
    signal_group,
    wait_gone,
)
from cairn.services.service_files import LOG_FILE, STATE_FILE, service_folder, services_dir

LOOPBACK = "127.0.0.1"

# Started with ``python -c``: starts the daemon in a new session and prints its pid.
_LAUNCHER = """
import json, os, subprocess, sys
spec = json.loads(sys.argv[1])
with open(spec["log"], "ab") as log:
    proc = subprocess.Popen(spec["cmd"], stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, cwd=spec["cwd"], env=spec["env"], start_new_session=True,
        close_fds=True)
print(proc.pid)
"""


@dataclass
class ServiceState:
    """What ``service.json`` records about a service."""

    id: str
    pid: int | None = None
    host: str = LOOPBACK
    port: int | None = None
    started_at: float | None = None
    start_ticks: int | None = None
    cmdline: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    health: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceStatus:
    """The state of a service as observed now.

    ``state`` is one of ``running`` (process alive and healthy), ``unhealthy``
    (alive but not answering), ``stopped`` (not started, or stopped by Cairn),
    ``dead`` (the process it started is gone) or ``replaced`` (the pid now
    belongs to another process). ``detail`` says more, e.g. that the port is
    taken by someone else.
    """

    state: str
    pid: int | None = None
    port: int | None = None
    detail: str = ""

    @property
    def running(self) -> bool:
        """Whether the service is up and healthy."""
        return self.state == "running"


class LocalService:
    """A daemon identified by ``service_id``, with its state under the config folder."""

    def __init__(self, service_id: str, root: Path | None = None) -> None:
        self.path = service_folder(service_id, root)
        self.id = service_id

    # ------------------------------------------------------------------ files
    @property
    def state_file(self) -> Path:
        """The service's JSON state file."""
        return self.path / STATE_FILE

    @property
    def log_file(self) -> Path:
        """The daemon's log (stdout and stderr)."""
        return self.path / LOG_FILE

    def exists(self) -> bool:
        """Whether the service has a state file."""
        return self.state_file.is_file()

    def read_state(self) -> ServiceState:
        """The recorded state (an empty one if there is none)."""
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ServiceState(id=self.id)
        except (OSError, ValueError) as exc:
            raise ServiceError(f"State file {self.state_file} is unreadable: {exc}") from exc
        known = ServiceState.__dataclass_fields__
        return ServiceState(**{k: v for k, v in data.items() if k in known})

    def write_state(self, state: ServiceState) -> None:
        """Write the state atomically."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
        os.replace(tmp, self.state_file)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the log file ('' if there is none)."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------------ status
    def _owns_pid(self, state: ServiceState) -> bool:
        """Whether the recorded pid is still the process this service started."""
        if state.pid is None or not pid_alive(state.pid):
            return False
        ticks = process_start_ticks(state.pid)
        if state.start_ticks is not None and ticks is not None:
            return ticks == state.start_ticks
        cmdline = process_cmdline(state.pid)
        return cmdline is None or not state.cmdline or cmdline == state.cmdline

    def status(self, health: HealthCallable | None = None) -> ServiceStatus:
        """Observe the service now: process alive and the same one, port, health."""
        state = self.read_state()
        if state.pid is None:
            return ServiceStatus("stopped", None, state.port, self._port_note(state))
        if not pid_alive(state.pid):
            return ServiceStatus("dead", state.pid, state.port, self._port_note(state))
        if not self._owns_pid(state):
            note = f"pid {state.pid} now belongs to another process"
            return ServiceStatus("replaced", state.pid, state.port, note)
        if state.port is not None and not self._healthy(state, health):
            return ServiceStatus("unhealthy", state.pid, state.port, "health check fails")
        return ServiceStatus("running", state.pid, state.port)

    def _healthy(self, state: ServiceState, health: HealthCallable | None) -> bool:
        assert state.port is not None
        if health is not None:
            return health(state.host, state.port)
        return HealthCheck.from_dict(state.health).probe(state.host, state.port)

    @staticmethod
    def _port_note(state: ServiceState) -> str:
        if state.port is not None and port_in_use(state.port, _connect(state.host)):
            return f"port {state.port} is taken by another process"
        return ""

    def is_running(self, health: HealthCallable | None = None) -> bool:
        """Whether the service's process is alive, is ours and is healthy."""
        return self.status(health).running

    # ------------------------------------------------------------------ start
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the service's lock file (one start or stop at a time, across processes)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / ".lock").open("a") as handle:
            try:
                import fcntl
            except ImportError:  # not POSIX: no cross-process lock
                yield
                return
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start(
        self,
        command: Sequence[str],
        *,
        port: int | None = None,
        host: str = LOOPBACK,
        health: HealthCheck | None = None,
        health_callable: HealthCallable | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 30.0,
        config: Mapping[str, Any] | None = None,
    ) -> ServiceStatus:
        """Start the daemon (if not running) and wait until it is healthy.

        ``{host}`` and ``{port}`` in ``command`` are replaced by the address the
        service binds to; the port is a free loopback port unless given.

        Raises:
            ServiceError: the port is taken, the process exits early, or it is
                not healthy within ``timeout`` seconds (it is then stopped);
                the message holds the tail of the log.
        """
        with self._locked():
            current = self.status(health_callable)
            if current.running:
                return current
            if current.state in ("unhealthy", "dead"):
                self._stop(10.0)
            return self._start(command, port, host, health, health_callable, env, cwd,
                               timeout, config)  # fmt: skip

    def _start(
        self,
        command: Sequence[str],
        port: int | None,
        host: str,
        health: HealthCheck | None,
        health_callable: HealthCallable | None,
        env: Mapping[str, str] | None,
        cwd: Path | None,
        timeout: float,
        config: Mapping[str, Any] | None,
    ) -> ServiceStatus:
        port = port if port is not None else free_port(_connect(host))
        if port_in_use(port, _connect(host)):
            raise ServiceError(
                f"Service '{self.id}' cannot start: port {port} on {host} is taken by another "
                "process. Stop that process or choose another port."
            )
        argv = [part.format(host=host, port=port) for part in command]
        state = ServiceState(self.id, host=host, port=port, cmdline=argv,
                             config=dict(config or {}),
                             health=(health or HealthCheck()).to_dict())  # fmt: skip
        self._launch(state, env, cwd)
        self._wait_healthy(state, health_callable, timeout)
        return self.status(health_callable)

    def _launch(self, state: ServiceState, env: Mapping[str, str] | None, cwd: Path | None) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {state.cmdline}\n")
        spec = {"cmd": state.cmdline, "log": str(self.log_file), "cwd": str(cwd or self.path),
                "env": dict(env if env is not None else os.environ)}  # fmt: skip
        try:
            out = subprocess.run(
                [sys.executable, "-c", _LAUNCHER, json.dumps(spec)],
                capture_output=True, text=True, check=True, timeout=30,
            )  # fmt: skip
            state.pid = int(out.stdout.strip())
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            raise ServiceError(f"Service '{self.id}' could not be launched: {exc}") from exc
        state.started_at = time.time()
        state.start_ticks = process_start_ticks(state.pid)
        self.write_state(state)

    def _wait_healthy(
        self, state: ServiceState, health: HealthCallable | None, timeout: float
    ) -> None:
        assert state.pid is not None and state.port is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(state.pid):
                self._forget_pid()
                raise ServiceError(
                    f"Service '{self.id}' exited during start-up; log {self.log_file}:\n"
                    + self.log_tail()
                )
            if self._healthy(state, health):
                return
            time.sleep(0.1)
        self._stop(10.0)
        raise ServiceError(
            f"Service '{self.id}' was not healthy within {timeout:g} s (stopped it); "
            f"log {self.log_file}:\n" + self.log_tail()
        )

    # ------------------------------------------------------------------ stop
    def stop(self, grace: float = 10.0) -> bool:
        """Stop the daemon: SIGTERM to its process group, SIGKILL after ``grace`` seconds.

        A pid that now belongs to another process is never signalled. Returns
        whether a process was stopped.
        """
        if not self.path.is_dir():
            return False
        with self._locked():
            return self._stop(grace)

    def _stop(self, grace: float) -> bool:
        state = self.read_state()
        if state.pid is None:
            return False
        stopped = False
        if self._owns_pid(state):
            signal_group(state.pid, signal.SIGTERM)
            if not wait_gone(state.pid, grace):
                signal_group(state.pid, signal.SIGKILL)
                wait_gone(state.pid, 5.0)
            stopped = True
        self._kill_leftover_group(state.pid)
        self._forget_pid()
        return stopped

    @staticmethod
    def _kill_leftover_group(pgid: int) -> None:
        """Kill workers of the daemon's session that outlived it (e.g. server workers)."""
        deadline = time.monotonic() + 5.0
        while group_alive(pgid) and time.monotonic() < deadline:
            signal_group(pgid, signal.SIGKILL)
            time.sleep(0.05)

    def _forget_pid(self) -> None:
        state = self.read_state()
        state.pid = None
        state.start_ticks = None
        self.write_state(state)

    def remove(self, grace: float = 10.0) -> None:
        """Stop the daemon and delete its folder (state and log)."""
        self.stop(grace)
        shutil.rmtree(self.path, ignore_errors=True)


def list_services(root: Path | None = None) -> list[LocalService]:
    """Every service with a state file under ``root`` (default: the config folder)."""
    base = root or services_dir()
    if not base.is_dir():
        return []
    return [
        LocalService(p.name, base) for p in sorted(base.iterdir()) if (p / STATE_FILE).is_file()
    ]


def _connect(host: str) -> str:
    return LOOPBACK if host in ("0.0.0.0", "") else host
