"""The :class:`~cairn.orchestrators.base_orchestrator.StepLauncher` handed to orchestrators."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.execution.step_runner import StepRunner

#: The module that runs one step of a recorded run (``python -m ...``).
STEP_ENTRYPOINT = "cairn.entrypoints.step"


class Launcher:
    """Runs steps of one run in this process, or tells how to run them in another.

    Args:
        runner: the run's step runner.
        stack_name: the stack the run uses (passed to child processes).
        save: stores the run's deployment; called once, before the first step command
            is handed out (runs whose steps all run in-process never need it).
    """

    def __init__(
        self, runner: StepRunner, stack_name: str, save: Callable[[], None] | None = None
    ) -> None:
        self.runner = runner
        self.stack_name = stack_name
        self._save = save
        self._saved = threading.Lock()

    @property
    def run_id(self) -> str:
        return self.runner.deployment.run_id

    def run_step(self, step_name: str) -> None:
        """Run one step in this process through the shared step runner.

        Raises:
            StepFailedError: the step failed.
        """
        self.runner.run(step_name)

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
