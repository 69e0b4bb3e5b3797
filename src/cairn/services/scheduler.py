"""The scheduler service of an orchestrator that runs schedules on this machine.

:class:`LocalSchedulerMixin` gives an orchestrator flavor a *background*
service: its runs do not need it (``is_running`` stays the component's own),
but its schedules do. ``cairn stack up`` starts it (``resume``), ``cairn stack
down`` stops it (``suspend``), and its log is the component's log
(``cairn orchestrator logs NAME``). The service is ``python -m
cairn.execution.scheduler serve``; it answers ``GET /health`` on a loopback port
while its loop is alive.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # the service machinery is imported when a scheduler is used
    from cairn.services.local_service import LocalService

#: Seconds given to the scheduler to stop (it cancels the runs it started first).
SCHEDULER_STOP_GRACE = 15.0


def scheduler_service_id(orchestrator_uuid: object) -> str:
    """The service id of the scheduler of the orchestrator with this uuid."""
    return f"scheduler-{orchestrator_uuid}"


class LocalSchedulerMixin:
    """Start, stop and observe the scheduler service of an orchestrator component.

    A flavor lists it before its base class and sets ``supports_schedules``.
    """

    #: Seconds between two looks of the scheduler at its schedules.
    scheduler_poll_seconds: ClassVar[float] = 1.0

    uuid: Any
    name: str

    @property
    def scheduler_service(self) -> LocalService:
        """The local service of this orchestrator's scheduler."""
        from cairn.services.local_service import LocalService

        return LocalService(scheduler_service_id(self.uuid))

    @property
    def scheduler_running(self) -> bool:
        """Whether the scheduler's process is alive, ours, and its loop answers."""
        return self.scheduler_service.is_running()

    @property
    def background_running(self) -> bool:
        """For ``cairn stack up|down``: whether the background service runs."""
        return self.scheduler_running

    @property
    def log_file(self) -> Path | None:
        """The scheduler's log (``cairn orchestrator logs NAME``)."""
        return self.scheduler_service.log_file

    def scheduler_command(self) -> list[str]:
        """The command line of the scheduler (``{host}``/``{port}`` filled in by the service)."""
        return [sys.executable, "-m", "cairn.execution.scheduler", "serve",
                "--orchestrator", str(self.uuid), "--host", "{host}", "--port", "{port}",
                "--poll", f"{self.scheduler_poll_seconds:g}"]  # fmt: skip

    def resume(self) -> None:
        """Start the scheduler and wait until it answers (``ServiceError`` otherwise)."""
        from cairn.services.health import HealthCheck
        from cairn.services.local_service import LOOPBACK

        self.scheduler_service.start(
            self.scheduler_command(),
            host=LOOPBACK,
            health=HealthCheck("http", "/health"),
            timeout=60.0,
            config={"orchestrator": self.name},
        )

    def suspend(self) -> None:
        """Stop the scheduler (runs it started are cancelled)."""
        self.scheduler_service.stop(SCHEDULER_STOP_GRACE)

    def deprovision(self) -> None:
        """Stop the scheduler and remove its state and log."""
        self.scheduler_service.remove(SCHEDULER_STOP_GRACE)


__all__ = ["SCHEDULER_STOP_GRACE", "LocalSchedulerMixin", "scheduler_service_id"]
