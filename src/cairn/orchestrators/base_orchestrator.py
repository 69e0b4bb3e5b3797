"""Base class of orchestrators: they decide *where and when* each step of a run executes.

An orchestrator never runs step code itself: it is handed a :class:`StepLauncher`
by the execution layer. ``launcher.run_step(name)`` runs one step in the current
process through the shared step runner; ``launcher.step_command(name)`` is the
command line that runs the same step in another process or on another machine.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent

if TYPE_CHECKING:
    from cairn.models.pipeline_spec import PipelineDeployment
    from cairn.stack.stack import Stack


class StepLauncher(Protocol):
    """How an orchestrator asks for one step of the current run to be executed."""

    def run_step(self, step_name: str) -> None:
        """Run one step in this process; raises ``StepFailedError`` if it failed."""

    def step_command(self, step_name: str) -> list[str]:
        """The argv that runs one step of this run in a fresh Python process."""

    def step_starting(self, step_name: str) -> None:
        """Tell the run's progress display that a step is about to start (anywhere)."""

    def step_ended(self, step_name: str) -> None:
        """Tell the run's progress display that a step ended (read from its record)."""


class BaseOrchestrator(StackComponent):
    """Abstract class for all Cairn orchestrators."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR
    supports_schedules: ClassVar[bool] = False  # run(schedule=...) is refused unless True

    @abstractmethod
    def prepare_or_run_pipeline(
        self,
        deployment: PipelineDeployment,
        stack: Stack,
        launcher: StepLauncher,
    ) -> Any:
        """Run (or schedule) every step of ``deployment`` respecting its dependencies.

        Raises:
            PipelineRunFailedError: when a step failed (local, synchronous orchestrators).
        """
