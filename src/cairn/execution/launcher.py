"""The :class:`~cairn.orchestrators.base_orchestrator.StepLauncher` handed to orchestrators."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from cairn.execution.progress import NullProgress

if TYPE_CHECKING:
    from cairn.execution.step_runner import StepRunner
    from cairn.models.run_records import StepRunRecord

#: The module that runs one step of a recorded run (``python -m ...``).
STEP_ENTRYPOINT = "cairn.entrypoints.step"


class Launcher:
    """Runs steps of one run in this process, or tells how to run them in another.

    Args:
        runner: the run's step runner.
        stack_name: the stack the run uses (passed to child processes).
        save: stores the run's deployment; called once, before the first step command
            is handed out (runs whose steps all run in-process never need it).
        progress: the run's progress display (default: none).
    """

    def __init__(
        self,
        runner: StepRunner,
        stack_name: str,
        save: Callable[[], None] | None = None,
        progress: NullProgress | None = None,
    ) -> None:
        self.runner = runner
        self.stack_name = stack_name
        self.progress = progress or NullProgress()
        self._save = save
        self._saved = threading.Lock()
        self._finished: dict[str, StepRunRecord] = {}

    @property
    def run_id(self) -> str:
        return self.runner.deployment.run_id

    def run_step(self, step_name: str) -> None:
        """Run one step in this process through the shared step runner.

        Raises:
            StepFailedError: the step failed.
        """
        record = self.runner.run(step_name)
        if self.progress.enabled:
            self._finished[step_name] = record

    def step_starting(self, step_name: str) -> None:
        """Show that a step starts (wherever it runs)."""
        if self.progress.enabled:
            self.progress.step_started(step_name)

    def step_ended(self, step_name: str) -> None:
        """Show how a step ended, from its record (read from the store if it ran elsewhere)."""
        if not self.progress.enabled:
            return
        record = self._finished.pop(step_name, None)
        store = self.runner.store
        if record is None:
            found = [r for r in store.get_step_runs(self.run_id) if r.name == step_name]
            if not found:
                return
            record = found[0]
        saved = None
        if record.cached_from:
            try:
                origin = store.get_step_run(record.cached_from)
            except Exception:  # the origin may have been deleted meanwhile
                origin = None
            if origin is not None and origin.started and origin.finished:
                saved = origin.finished - origin.started
        self.progress.step_ended(record, saved)

    def step_command(self, step_name: str) -> list[str]:
        """``python -m cairn.entrypoints.step --run ID --step NAME --stack STACK``.

        The first call stores the run's deployment (which the command reads).
        """
        with self._saved:
            if self._save is not None:
                self._save()
                self._save = None
        return [
            sys.executable,
            "-m",
            STEP_ENTRYPOINT,
            "--run",
            self.run_id,
            "--step",
            step_name,
            "--stack",
            self.stack_name,
        ]
